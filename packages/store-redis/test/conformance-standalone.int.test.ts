import { runStoreConformance } from '@sdk/testing/conformance';
import { createClient } from 'redis';
import { afterAll, beforeAll } from 'vitest';
import { RedisSessionStore } from '../src/index.js';
import { deletePrefix, SHARED_REDIS_URL, uniquePrefix } from './redis-servers.js';

const client = createClient({ url: SHARED_REDIS_URL });
const prefixes = new WeakMap<object, string>();

beforeAll(async () => {
  await client.connect();
});
afterAll(() => {
  client.destroy();
});

runStoreConformance({
  name: 'RedisSessionStore (standalone, 127.0.0.1:6379)',
  timeoutMs: 20_000,
  create: () => {
    const prefix = uniquePrefix('conf');
    const store = new RedisSessionStore({ client }, { prefix });
    prefixes.set(store, prefix);
    return store;
  },
  destroy: async (store) => {
    await deletePrefix(client, prefixes.get(store)!);
  },
});
