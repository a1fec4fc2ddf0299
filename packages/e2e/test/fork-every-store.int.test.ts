import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createQuery, projectKeyForDirectory, type SessionStore } from '@sdk/core';
import { FileSessionStore } from '@sdk/store-file';
import { InMemorySessionStore } from '@sdk/store-memory';
import { migrate, PostgresSessionStore } from '@sdk/store-postgres';
import { RedisSessionStore } from '@sdk/store-redis';
import { startMessagesEmulator, type MessagesEmulator } from '@sdk/testing/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgUrl } from './support/postgres-url.js';
import { collect, conversationOf, emulatorEnvironment, messageRequests, type QueryMessage } from './support/query-harness.js';

// Forking and branching through query() on every store: the fork gets a new id and the whole
// history up to the fork point; later turns in either session leave the other alone;
// resumeSessionAt branches from the named message.
const cwd = tmpdir();
const projectKey = projectKeyForDirectory(cwd);
let emulator: MessagesEmulator;
let root: string;
const schema = `e2e_fork_${process.pid}_${Date.now().toString(36)}`;
const redisPrefix = `e2e-fork-${process.pid}-${Date.now().toString(36)}`;
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  emulator = await startMessagesEmulator();
  root = await mkdtemp(join(tmpdir(), 'fork-every-store-'));
});
afterAll(async () => {
  for (const close of closers) await close();
  await emulator.close();
  await rm(root, { recursive: true, force: true });
});

const stores: Array<[string, () => Promise<SessionStore>]> = [
  ['memory', async () => new InMemorySessionStore()],
  ['file', async () => new FileSessionStore({ root, durability: 'none' })],
  [
    'redis',
    async () => {
      const store = new RedisSessionStore({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }, { prefix: redisPrefix });
      closers.push(async () => {
        for (const session of await store.listSessions(projectKey)) await store.delete({ projectKey, sessionId: session.sessionId });
        await store.close();
      });
      return store;
    },
  ],
  [
    'postgres',
    async () => {
      const store = new PostgresSessionStore({ connectionString: pgUrl(), max: 2 }, { schema });
      await migrate(store.pool, { schema });
      closers.push(async () => {
        await store.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await store.close();
      });
      return store;
    },
  ],
];

const sessionOf = (messages: readonly QueryMessage[]): string => (messages.at(-1) as { session_id: string }).session_id;
const lastConversation = (): string[] => conversationOf(messageRequests(emulator.requests).at(-1)!).map((turn) => `${turn.role}: ${turn.text}`);

describe.each(stores)('fork and branch on the %s store', (_, create) => {
  it('forks to a new id with the history so far; the two sessions then go their own ways', async () => {
    const store = await create();
    const query = createQuery({ defaultStore: () => store });
    const options = { env: emulatorEnvironment(emulator.url), cwd };
    const source = sessionOf(await collect(query({ prompt: 'base', options })));
    await collect(query({ prompt: 'second', options: { ...options, resume: source } }));
    const fork = sessionOf(await collect(query({ prompt: 'in the fork', options: { ...options, resume: source, forkSession: true } })));
    expect(fork).not.toBe(source);
    expect(lastConversation()).toEqual(['user: base', 'assistant: echo: base [messages=1]', 'user: second', 'assistant: echo: second [messages=3]', 'user: in the fork']);
    await collect(query({ prompt: 'source goes on', options: { ...options, resume: source } }));
    expect(lastConversation().slice(4)).toEqual(['user: source goes on']);
    await collect(query({ prompt: 'fork goes on', options: { ...options, resume: fork } }));
    expect(lastConversation().slice(4)).toEqual(['user: in the fork', 'assistant: echo: in the fork [messages=5]', 'user: fork goes on']);
  });

  it('resumeSessionAt branches from the named answer', async () => {
    const store = await create();
    const query = createQuery({ defaultStore: () => store });
    const options = { env: emulatorEnvironment(emulator.url), cwd };
    const session = sessionOf(await collect(query({ prompt: 'one', options })));
    await collect(query({ prompt: 'two', options: { ...options, resume: session } }));
    const firstAnswer = (await store.load({ projectKey, sessionId: session }))!.find((entry) => entry.type === 'assistant')!;
    await collect(query({ prompt: 'instead of two', options: { ...options, resume: session, resumeSessionAt: firstAnswer.uuid! } }));
    expect(lastConversation()).toEqual(['user: one', 'assistant: echo: one [messages=1]', 'user: instead of two']);
    await collect(query({ prompt: 'after', options: { ...options, resume: session } }));
    expect(lastConversation()).toEqual(['user: one', 'assistant: echo: one [messages=1]', 'user: instead of two', 'assistant: echo: instead of two [messages=3]', 'user: after']);
  });
});
