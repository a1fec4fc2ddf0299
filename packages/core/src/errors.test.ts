import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  InvalidSessionKeyError,
  SdkError,
  SessionConflictError,
  SessionLeaseError,
  SessionStoreError,
  StoreCapabilityError,
} from './errors.js';

describe('errors', () => {
  it('are instanceof their class and every ancestor, with the class name', () => {
    const error = new SessionConflictError('conflict', { expectedLength: 1, actualLength: 2 });
    expect(error).toBeInstanceOf(SessionConflictError);
    expect(error).toBeInstanceOf(SessionStoreError);
    expect(error).toBeInstanceOf(SdkError);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(SessionLeaseError);
    expect(error.name).toBe('SessionConflictError');
    expect(error.details.actualLength).toBe(2);
  });

  it('are recognised across duplicate installs of the package', () => {
    // A second copy of the class hierarchy, as a second install of @sdk/core would define it.
    class OtherSdkError extends Error {
      constructor(message: string) {
        super(message);
        Object.defineProperty(this, Symbol.for('@sdk/core.error.brands'), {
          value: ['@sdk/core/InvalidSessionKeyError', '@sdk/core/SessionStoreError', '@sdk/core/SdkError'],
        });
      }
    }
    const foreign = new OtherSdkError('bad key');
    expect(foreign instanceof InvalidSessionKeyError).toBe(true);
    expect(foreign instanceof SessionStoreError).toBe(true);
    expect(foreign instanceof SessionConflictError).toBe(false);
    expect(new Error('plain') instanceof SdkError).toBe(false);
    expect((null as unknown as object) instanceof SdkError).toBe(false);
  });

  it('name the rejected argument or missing store method', () => {
    const argument = new InvalidArgumentError('title must be non-empty', 'title');
    expect(argument).toBeInstanceOf(SdkError);
    expect(argument).not.toBeInstanceOf(SessionStoreError);
    expect(argument.argument).toBe('title');
    const capability = new StoreCapabilityError('no listSubkeys', 'listSubkeys');
    expect(capability).toBeInstanceOf(SessionStoreError);
    expect(capability.name).toBe('StoreCapabilityError');
    expect(capability.method).toBe('listSubkeys');
  });

  it('keep the cause', () => {
    const cause = new Error('ECONNRESET');
    expect(new SessionStoreError('write failed', { cause }).cause).toBe(cause);
  });
});
