import { runStoreConformance } from '@sdk/testing/conformance';
import { createClient, createCluster } from 'redis';
import type { RedisClusterType } from 'redis';
import { afterAll, beforeAll } from 'vitest';
import { RedisSessionStore } from '../src/index.js';
import { deletePrefix, startRedisCluster, uniquePrefix } from './redis-servers.js';
import type { KeyScanner, RedisCluster } from './redis-servers.js';

// Every key of a session shares one hash tag: on a real three-master cluster no command may fail
// with CROSSSLOT, and fork has to take its cross-slot path.
const PORTS = [7101, 7102, 7103];
let cluster: RedisCluster | undefined;
let client: RedisClusterType | undefined;
const nodes: KeyScanner[] = [];
const prefixes = new WeakMap<object, string>();

beforeAll(async () => {
  cluster = await startRedisCluster(PORTS);
  client = createCluster({ rootNodes: cluster.rootNodes });
  client.on('error', () => undefined);
  await client.connect();
  for (const node of cluster.rootNodes) {
    const scanner = createClient({ url: node.url });
    await scanner.connect();
    nodes.push(scanner);
  }
}, 60_000);

afterAll(async () => {
  client?.destroy();
  for (const node of nodes) node.destroy();
  await cluster?.stop();
}, 30_000);

runStoreConformance({
  name: 'RedisSessionStore (3-master Redis Cluster)',
  timeoutMs: 20_000,
  create: () => {
    const prefix = uniquePrefix('cluster');
    const store = new RedisSessionStore({ client: client! }, { prefix });
    prefixes.set(store, prefix);
    return store;
  },
  destroy: async (store) => {
    // The kit probes capabilities with a store it destroys before beforeAll; that one wrote nothing.
    if (!cluster) return;
    for (const node of nodes) await deletePrefix(node, prefixes.get(store)!);
  },
});
