import { randomUUID } from 'node:crypto';
import { SessionStoreError, StoreUnavailableError } from '@sdk/core/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../src/index.js';
import { startRedisServer } from './redis-servers.js';
import type { RedisServer } from './redis-servers.js';

// A server with an fsync-always append-only file, killed (SIGKILL) and restarted while four writers
// append: acknowledged entries must survive, calls during the outage must fail fast with a typed
// error, and the store's own client must reconnect by itself.
const PORT = 7131;
const TIMEOUT_MS = 1000;
let server: RedisServer | undefined;

beforeAll(async () => {
  server = await startRedisServer(PORT, ['--appendonly', 'yes', '--appendfsync', 'always']);
}, 30_000);

afterAll(async () => {
  await server?.stop();
});

type Failure = { error: unknown; elapsedMs: number };

describe('a Redis restart in the middle of appends', () => {
  it('loses nothing acknowledged, fails fast with typed errors, and reconnects', async () => {
    const store = new RedisSessionStore({ url: server!.url }, { prefix: 'fault', commandTimeoutMs: TIMEOUT_MS });
    const failures: Failure[] = [];
    let restarted = false;
    const progress: number[] = [];

    const writer = async (sessionId: string, slot: number) => {
      const key = { projectKey: 'proj', sessionId };
      const acknowledged: string[] = [];
      let afterRestart = 0;
      progress[slot] = 0;
      const until = Date.now() + 30_000;
      while ((!restarted || afterRestart < 5) && Date.now() < until) {
        const uuid = randomUUID();
        // Retry the same entry until it is acknowledged: idempotent appends make that safe.
        for (;;) {
          const started = Date.now();
          try {
            await store.append(key, [{ type: 'user', uuid, message: { content: `entry ${acknowledged.length}` } }]);
            acknowledged.push(uuid);
            progress[slot] = acknowledged.length;
            if (restarted) afterRestart++;
            break;
          } catch (error) {
            failures.push({ error, elapsedMs: Date.now() - started });
            if (Date.now() > until) throw error;
            await new Promise((resolve) => setTimeout(resolve, 25));
          }
        }
      }
      return { key, acknowledged, afterRestart };
    };

    const writers = Array.from({ length: 4 }, (_, slot) => writer(randomUUID(), slot));
    // Kill the server once every writer has had a few appends acknowledged.
    while (progress.length < 4 || progress.some((count) => count < 3)) await new Promise((resolve) => setTimeout(resolve, 10));
    await server!.kill();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await server!.start();
    restarted = true;
    const results = await Promise.all(writers);

    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) {
      expect(failure.error).toBeInstanceOf(SessionStoreError);
      expect(failure.error).toBeInstanceOf(StoreUnavailableError);
      // Bounded by the command deadline (plus slack for a loaded machine), never a hang.
      expect(failure.elapsedMs).toBeLessThan(TIMEOUT_MS + 2000);
    }
    for (const { key, acknowledged, afterRestart } of results) {
      // The store's client reconnected by itself: appends succeeded again after the restart.
      expect(afterRestart).toBeGreaterThanOrEqual(5);
      const stored = ((await store.load(key)) ?? []).map((entry) => entry.uuid);
      // Every acknowledged entry is there, once, in the order it was acknowledged.
      expect(stored).toEqual(acknowledged);
    }
    expect((await store.listSessions('proj')).length).toBe(4);
    await store.close();
  }, 60_000);
});
