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

describe('a query closed before iteration', () => {
  it('ends without touching the store', async () => {
    let loads = 0;
    const counting = new ScratchSessionStore(undefined);
    const query = createQuery({
      defaultStore: () => ({
        append: (key, entries) => counting.append(key, entries),
        load: (key) => {
          loads += 1;
          return counting.load(key);
        },
      }),
    });
    const run = query({ prompt: 'never', options: { resume: '5d0c8e2a-7b3f-4c1d-9e8a-6f2b4c7d1e93', env: {} } });
    run.close();
    expect(await run.next()).toEqual({ done: true, value: undefined });
    expect(loads).toBe(0);
  });
});
