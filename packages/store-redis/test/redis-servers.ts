import { randomUUID } from 'node:crypto';
import type { SessionStoreEntry } from '@sdk/core/store';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll } from 'vitest';

// The redis-server processes of these suites (a server without COPY, one to restart, a cluster) come
// from the launcher the project's suites share.
export { startRedisCluster, startRedisServer, type RedisCluster, type RedisServer } from '@sdk/testing/redis-server';

/** The shared server every test may use; tests fail (never skip) when it is down. */
export const SHARED_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A unique key prefix, so concurrent test files and runs never see each other's keys. */
export function uniquePrefix(label: string): string {
  return `test-${label}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** A connected standalone client, as `deletePrefix` needs it. */
export type KeyScanner = ReturnType<typeof createClient>;

/**
 * Deletes every key under `prefix` on the server `client` is connected to (the session keys start
 * with `{prefix:`, the indexes with `prefix:`). For a cluster, call it with a client of every master.
 */
export async function deletePrefix(client: KeyScanner, prefix: string): Promise<void> {
  for (const pattern of [`{${prefix}:*`, `${prefix}:*`]) {
    for await (const keys of client.scanIterator({ MATCH: pattern, COUNT: 1000 })) {
      // One key per UNLINK: on a Cluster node, keys of several slots in one command fail with CROSSSLOT.
      for (const name of keys) await client.unlink(name);
    }
  }
}

/**
 * The shared server for one test file: a client connected before its tests (a missing server is a
 * failure, never a skip) and closed after them, and `prefix(label)`, a unique key prefix whose keys
 * are deleted after the test that took it.
 */
export function sharedRedisForThisFile(): { client: KeyScanner; prefix: (label: string) => string } {
  const client = createClient({ url: SHARED_REDIS_URL });
  const taken: string[] = [];
  beforeAll(async () => {
    await client.connect();
  });
  afterEach(async () => {
    for (const prefix of taken.splice(0)) await deletePrefix(client, prefix);
  });
  afterAll(() => {
    client.destroy();
  });
  return {
    client,
    prefix(label) {
      const prefix = uniquePrefix(label);
      taken.push(prefix);
      return prefix;
    },
  };
}

/** A user entry with a fresh uuid and `text` as its content; `extra` overrides any field. */
export const entry = (text: string, extra: Partial<SessionStoreEntry> = {}): SessionStoreEntry => ({
  type: 'user',
  uuid: randomUUID(),
  timestamp: '2026-11-26T00:00:00.000Z',
  message: { role: 'user', content: text },
  ...extra,
});
