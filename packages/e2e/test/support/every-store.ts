import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionStore } from '@sdk/core';
import { FileSessionStore } from '@sdk/store-file';
import { InMemorySessionStore } from '@sdk/store-memory';
import { migrate, PostgresSessionStore } from '@sdk/store-postgres';
import { RedisSessionStore } from '@sdk/store-redis';
import { pgUrl } from './postgres-url.js';

/** A store of one backend for a test, and what removes everything it wrote. */
export type TestStore = { store: SessionStore; dispose: () => Promise<void> };

/**
 * Every backend, each opened fresh and isolated (temp folder, unique Redis prefix, own PostgreSQL
 * schema): for tests that must hold on all of them. `dispose` deletes what the test wrote.
 */
export const EVERY_STORE: ReadonlyArray<[string, () => Promise<TestStore>]> = [
  ['memory', async () => ({ store: new InMemorySessionStore(), dispose: async () => undefined })],
  [
    'file',
    async () => {
      const root = await mkdtemp(join(tmpdir(), 'e2e-every-store-'));
      return { store: new FileSessionStore({ root, durability: 'none' }), dispose: () => rm(root, { recursive: true, force: true }) };
    },
  ],
  [
    'redis',
    async () => {
      const store = new RedisSessionStore({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }, { prefix: `e2e-every-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}` });
      const dispose = async (): Promise<void> => {
        // A test writes only in the projects it names; their sessions go, with every key of each.
        for (const projectKey of touched.get(store) ?? []) {
          for (const session of await store.listSessions(projectKey)) await store.delete({ projectKey, sessionId: session.sessionId });
        }
        await store.close();
      };
      return { store: tracked(store), dispose };
    },
  ],
  [
    'postgres',
    async () => {
      const schema = `e2e_every_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
      const store = new PostgresSessionStore({ connectionString: pgUrl(), max: 2 }, { schema });
      await migrate(store.pool, { schema });
      return {
        store,
        dispose: async () => {
          await store.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await store.close();
        },
      };
    },
  ],
];

const touched = new WeakMap<SessionStore, Set<string>>();

/** Remembers the projects a Redis store was written in, for its cleanup. */
function tracked(store: RedisSessionStore): RedisSessionStore {
  const projects = new Set<string>();
  touched.set(store, projects);
  const append = store.append.bind(store);
  const appendIf = store.appendIf.bind(store);
  store.append = (key, entries) => {
    projects.add(key.projectKey);
    return append(key, entries);
  };
  store.appendIf = (key, entries, condition) => {
    projects.add(key.projectKey);
    return appendIf(key, entries, condition);
  };
  return store;
}
