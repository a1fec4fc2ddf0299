import { describe, expect, it } from 'vitest';
import { SessionConflictError, SessionStoreError, StoreUnavailableError } from '@sdk/core/store';
import { toStoreError } from './fs-errors.js';

function systemError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

describe('file system errors', () => {
  const cases: Array<[string, RegExp]> = [
    ['ENOSPC', /No space left on the device \(ENOSPC\) while trying to append to \/r\/a\.jsonl; nothing was acknowledged/],
    ['EDQUOT', /No space left/],
    ['EACCES', /Permission denied \(EACCES\).*owner and mode/],
    ['EPERM', /Permission denied \(EPERM\)/],
    ['EROFS', /read-only \(EROFS\)/],
    ['ELOOP', /symbolic link/],
    ['ENOTDIR', /in the way \(ENOTDIR\)/],
  ];
  for (const [code, message] of cases) {
    it(`explains ${code} and keeps the cause`, () => {
      const cause = systemError(code);
      const error = toStoreError(cause, 'append to', '/r/a.jsonl');
      expect(error).toBeInstanceOf(SessionStoreError);
      expect(error).not.toBeInstanceOf(StoreUnavailableError);
      expect(error.message).toMatch(message);
      expect(error.cause).toBe(cause);
    });
  }

  it('marks busy resources as transient', () => {
    for (const code of ['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'EIO']) {
      const error = toStoreError(systemError(code), 'open', '/r/a.jsonl');
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(error.message).toContain('retry later');
    }
  });

  it('passes store errors through and wraps anything else', () => {
    const conflict = new SessionConflictError('changed');
    expect(toStoreError(conflict, 'append to', '/r')).toBe(conflict);
    const odd = toStoreError('not an error', 'read', '/r/x');
    expect(odd).toBeInstanceOf(SessionStoreError);
    expect(odd.message).toBe('Failed to read /r/x');
  });
});
