import { runStoreConformance } from '@sdk/testing/conformance';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../src/index.js';
import { deletePrefix, startRedisServer, uniquePrefix } from './redis-servers.js';
import type { KeyScanner, RedisServer } from './redis-servers.js';

// A server with COPY renamed away: fork must detect it once and take the fallback path.
const PORT = 7111;
let server: RedisServer | undefined;
let client: KeyScanner | undefined;
const prefixes = new WeakMap<object, string>();

beforeAll(async () => {
  server = await startRedisServer(PORT, ['--rename-command', 'COPY', '']);
  client = createClient({ url: server.url });
  await client.connect();
}, 30_000);

afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

describe('a server without COPY', () => {
  it('really has no COPY, so the fork tests below exercise the fallback', async () => {
    await expect(client!.sendCommand(['COPY', 'a', 'b'])).rejects.toThrow(/unknown command/i);
  });
});

runStoreConformance({
  name: 'RedisSessionStore (standalone, COPY disabled)',
  timeoutMs: 20_000,
  create: () => {
    const prefix = uniquePrefix('nocopy');
    const store = new RedisSessionStore({ client: client! }, { prefix });
    prefixes.set(store, prefix);
    return store;
  },
  destroy: async (store) => {
    // The kit probes capabilities with a store it destroys before beforeAll; that one wrote nothing.
    if (!server) return;
    await deletePrefix(client!, prefixes.get(store)!);
  },
});
