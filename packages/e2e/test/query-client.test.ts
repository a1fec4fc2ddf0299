import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClaudeSDKClient, createPrewarm, createQuery, NotConnectedError, projectKeyForDirectory, type Options, type SessionStore } from '@sdk/core';
import { FileSessionStore } from '@sdk/store-file';
import { InMemorySessionStore } from '@sdk/store-memory';
import { migrate, PostgresSessionStore } from '@sdk/store-postgres';
import { RedisSessionStore } from '@sdk/store-redis';
import { textReply } from '@sdk/testing/emulator';
import { describe, expect, it } from 'vitest';
import { pgUrl } from './support/postgres-url.js';
import { conversationOf, emulatorEnvironment, messageRequests, type QueryMessage } from './support/query-harness.js';
import { emulatorForThisFile } from './support/file-emulator.js';

const emulator = await emulatorForThisFile();
const cwd = tmpdir();

function clientOn(store: SessionStore, options: Options = {}): ClaudeSDKClient {
  return new ClaudeSDKClient({ env: emulatorEnvironment(emulator.url), cwd, ...options }, createQuery({ defaultStore: () => store }));
}

async function response(client: ClaudeSDKClient): Promise<QueryMessage[]> {
  const messages: QueryMessage[] = [];
  for await (const message of client.receiveResponse()) messages.push(message);
  return messages;
}

async function manyTurns(store: SessionStore, turns: number): Promise<void> {
  const client = clientOn(store);
  await client.connect();
  let sessionId: string | undefined;
  for (let turn = 1; turn <= turns; turn++) {
    await client.query(`turn ${turn}`);
    const messages = await response(client);
    const result = messages.at(-1);
    expect(result).toMatchObject({ type: 'result', subtype: 'success', result: `echo: turn ${turn} [messages=${2 * turn - 1}]` });
    sessionId ??= result?.session_id;
    expect(result?.session_id).toBe(sessionId);
  }
  await client.disconnect();
  const requests = messageRequests(emulator.requests);
  expect(requests).toHaveLength(turns);
  expect(conversationOf(requests.at(-1)!)).toHaveLength(2 * turns - 1);
  const entries = await store.load({ projectKey: projectKeyForDirectory(cwd), sessionId: sessionId! });
  expect(entries?.filter((entry) => entry.type === 'user')).toHaveLength(turns);
}

describe('ClaudeSDKClient', () => {
  it('runs 100 turns on one session with the memory store', async () => {
    await manyTurns(new InMemorySessionStore(), 100);
  });

  it('runs 100 turns on one session with the file store', async () => {
    const root = await mkdtemp(join(tmpdir(), 'client-file-'));
    try {
      await manyTurns(new FileSessionStore({ root, durability: 'none' }), 100);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('runs 100 turns on one session with the Redis store', async () => {
    const prefix = `e2e-client-${process.pid}-${Date.now().toString(36)}`;
    const store = new RedisSessionStore({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }, { prefix });
    try {
      await manyTurns(store, 100);
    } finally {
      for (const session of await store.listSessions(projectKeyForDirectory(cwd))) await store.delete({ projectKey: projectKeyForDirectory(cwd), sessionId: session.sessionId });
      await store.close();
    }
  });

  it('runs 100 turns on one session with the PostgreSQL store', async () => {
    const schema = `e2e_client_${process.pid}_${Date.now().toString(36)}`;
    const store = new PostgresSessionStore({ connectionString: pgUrl(), max: 2 }, { schema });
    try {
      await migrate(store.pool, { schema });
      await manyTurns(store, 100);
    } finally {
      await store.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await store.close();
    }
  });

  it('receiveResponse stops after the result; receiveMessages goes on with the next turn', async () => {
    const client = clientOn(new InMemorySessionStore());
    await client.connect('first');
    const first = await response(client);
    expect(first.map((message) => message.type)).toEqual(['system', 'assistant', 'result']);
    await client.query('second');
    const seen: string[] = [];
    for await (const message of client.receiveMessages()) {
      seen.push(message.type);
      if (message.type === 'result') break;
    }
    expect(seen).toEqual(['system', 'assistant', 'result']);
    await client.disconnect();
  });

  it('setModel applies to the next turn and interrupt ends the running one', async () => {
    const client = clientOn(new InMemorySessionStore(), { includePartialMessages: true });
    await client.connect();
    await client.setModel('claude-haiku-4-5');
    await client.query('model?');
    await response(client);
    expect(messageRequests(emulator.requests)[0]?.body.model).toBe('claude-haiku-4-5');

    emulator.enqueue(textReply('a long answer the user stops', { eventDelayMs: 200 }));
    await client.query('stop me');
    const messages: QueryMessage[] = [];
    for await (const message of client.receiveResponse()) {
      messages.push(message);
      if (message.type === 'stream_event' && messages.filter((seen) => seen.type === 'stream_event').length === 1) await client.interrupt();
    }
    expect(messages.at(-1)).toMatchObject({ type: 'result', subtype: 'error_during_execution', is_error: true });

    await client.query('still here?');
    expect((await response(client)).at(-1)).toMatchObject({ type: 'result', subtype: 'success' });
    await client.disconnect();
  });

  it('refuses to send before connect, and disposes with await using', async () => {
    const store = new InMemorySessionStore();
    const unconnected = clientOn(store);
    await expect(unconnected.query('too early')).rejects.toBeInstanceOf(NotConnectedError);
    {
      await using client = clientOn(store);
      await client.connect('hello');
      await response(client);
    }
    expect(messageRequests(emulator.requests)).toHaveLength(1);
  });
});

describe('prewarm()', () => {
  it('claims a spare into a query in the claimed folder; claimed gives the session', async () => {
    const store = new InMemorySessionStore();
    const prewarm = createPrewarm(createQuery({ defaultStore: () => store }));
    const spare = await prewarm({ options: { env: emulatorEnvironment(emulator.url), model: 'claude-haiku-4-5' } });
    const folder = await mkdtemp(join(tmpdir(), 'spare-'));
    try {
      const messages: QueryMessage[] = [];
      for await (const message of spare.claim({ prompt: 'hello spare', options: { cwd: folder, appendSystemPrompt: 'Be terse.' } })) messages.push(message);
      const claimed = await spare.claimed;
      expect(claimed).toMatchObject({ cwd: folder, sdkMcpSettled: true });
      expect(messages[0]).toMatchObject({ type: 'system', subtype: 'init', cwd: folder, model: 'claude-haiku-4-5', session_id: claimed.sessionId });
      expect(String(JSON.stringify(messageRequests(emulator.requests).at(-1)!.body.system))).toContain('Be terse.');
      expect(await store.load({ projectKey: projectKeyForDirectory(folder), sessionId: claimed.sessionId })).not.toBeNull();
      expect(() => spare.claim({ prompt: 'again', options: { cwd: folder } })).toThrow(/already claimed/);
      spare.close();
      await spare.exited;
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('a spare closed before its claim rejects claimed', async () => {
    const spare = await createPrewarm(createQuery({ defaultStore: () => new InMemorySessionStore() }))({ options: { env: emulatorEnvironment(emulator.url) } });
    spare.close();
    await expect(spare.claimed).rejects.toThrow(/closed before it was claimed/);
  });
});
