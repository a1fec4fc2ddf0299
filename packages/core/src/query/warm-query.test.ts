import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, SdkError } from '../errors.js';
import { createQuery } from './create-query.js';
import { ScratchSessionStore } from './scratch-store.js';
import { createStartup } from './warm-query.js';

const startup = createStartup(createQuery({ defaultStore: () => new ScratchSessionStore(undefined) }));

describe('startup()', () => {
  it('rejects bad options before any prompt', async () => {
    await expect(startup({ options: { sessionId: 'not-a-uuid' } })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('starts one query with the startup options, and only one', async () => {
    const warm = await startup({ options: { persistSession: false, env: {} } });
    const first = warm.query('hello');
    expect(typeof first.interrupt).toBe('function');
    expect(() => warm.query('again')).toThrow(InvalidArgumentError);
    warm.close();
    expect(await first.next()).toEqual({ done: true, value: undefined });
  });

  it('refuses a query after close', async () => {
    const warm = await startup();
    warm.close();
    expect(() => warm.query('late')).toThrow(SdkError);
  });
});
