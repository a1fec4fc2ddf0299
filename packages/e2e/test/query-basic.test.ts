import { AbortError, createQuery, InvalidArgumentError, projectKeyForDirectory, type SessionStore } from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';
import { startMessagesEmulator, textReply } from '@sdk/testing/emulator';
import { beforeEach, describe, expect, it } from 'vitest';
import { collect, conversationOf, emulatorEnvironment, kinds, messageRequests, type QueryMessage } from './support/query-harness.js';
import { emulatorForThisFile } from './support/file-emulator.js';

const emulator = await emulatorForThisFile();
let store: InMemorySessionStore;
const query = createQuery({ defaultStore: () => store });

beforeEach(() => {
  store = new InMemorySessionStore();
});

const env = (): Record<string, string> => emulatorEnvironment(emulator.url);

async function* userMessages(...texts: string[]): AsyncGenerator<Extract<QueryMessage, { type: 'user' }>> {
  for (const text of texts) yield { type: 'user', message: { role: 'user', content: text }, parent_tool_use_id: null };
}

describe('query() with a string prompt', () => {
  it('yields system/init, the assistant message and a success result with the official fields', async () => {
    emulator.enqueue(textReply('Hello there.'));
    const messages = await collect(query({ prompt: 'Say hello', options: { env: env(), model: 'claude-sonnet-4-5', cwd: '/tmp' } }));
    expect(kinds(messages)).toEqual(['system/init', 'assistant', 'result/success']);
    const [init, assistant, result] = messages;
    if (init?.type !== 'system' || init.subtype !== 'init' || assistant?.type !== 'assistant' || result?.type !== 'result' || result.subtype !== 'success') {
      throw new Error('unexpected message shapes');
    }
    expect(init.model).toBe('claude-sonnet-4-5');
    expect(init.cwd).toBe('/tmp');
    expect(init.apiKeySource).toBe('ANTHROPIC_API_KEY');
    expect(assistant.session_id).toBe(init.session_id);
    expect(assistant.message.content).toEqual([expect.objectContaining({ type: 'text', text: 'Hello there.' })]);
    expect(result).toMatchObject({ is_error: false, num_turns: 1, result: 'Hello there.', session_id: init.session_id, stop_reason: 'end_turn', permission_denials: [] });
    for (const field of ['duration_ms', 'duration_api_ms', 'total_cost_usd', 'usage', 'modelUsage', 'uuid']) expect(result).toHaveProperty(field);
    expect(result.total_cost_usd).toBeGreaterThan(0);
    const [request] = messageRequests(emulator.requests);
    expect(request?.body.model).toBe('claude-sonnet-4-5');
    expect(conversationOf(request!)).toEqual([{ role: 'user', text: 'Say hello' }]);
    // The session was written to the default store under the cwd's project key.
    expect(await store.load({ projectKey: '-tmp', sessionId: init.session_id })).not.toBeNull();
  });

  it('sends the system prompt, thinking and the query model', async () => {
    await collect(
      query({
        prompt: 'Think',
        options: { env: env(), systemPrompt: 'Be terse.', thinking: { type: 'enabled', budgetTokens: 2048 }, model: 'claude-opus-4-6' },
      }),
    );
    const body = messageRequests(emulator.requests)[0]?.body as { system: unknown; thinking: unknown; max_tokens: number; model: string };
    expect(body.system).toBe('Be terse.');
    expect(body.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
    expect(body.max_tokens).toBeGreaterThan(2048);
    expect(body.model).toBe('claude-opus-4-6');
  });

  it('yields stream_event messages with includePartialMessages', async () => {
    emulator.enqueue(textReply('streamed'));
    const messages = await collect(query({ prompt: 'Stream', options: { env: env(), includePartialMessages: true } }));
    const events = messages.flatMap((message) => (message.type === 'stream_event' ? [message.event.type] : []));
    expect(events[0]).toBe('message_start');
    expect(events).toContain('content_block_delta');
    expect(events.at(-1)).toBe('message_stop');
    expect(kinds(messages).filter((kind) => kind !== 'stream_event')).toEqual(['system/init', 'assistant', 'result/success']);
  });
});

describe('query() with streaming input', () => {
  it('runs one turn per message on one session, one result each, and ends with the input', async () => {
    const messages = await collect(query({ prompt: userMessages('one', 'two', 'three'), options: { env: env() } }));
    const results = messages.filter((message) => message.type === 'result');
    expect(results).toHaveLength(3);
    expect(new Set(messages.map((message) => message.session_id)).size).toBe(1);
    const requests = messageRequests(emulator.requests);
    expect(requests).toHaveLength(3);
    expect(conversationOf(requests[2]!).map((turn) => turn.text)).toEqual([
      'one',
      'echo: one [messages=1]',
      'two',
      'echo: two [messages=3]',
      'three',
    ]);
    // total_cost_usd is cumulative over the query, as officially.
    const costs = results.map((result) => (result.type === 'result' ? result.total_cost_usd : 0));
    expect(costs[2]!).toBeGreaterThan(costs[0]!);
  });

  it('uses a caller uuid as the prompt entry uuid', async () => {
    const uuid = '5d0c8e2a-7b3f-4c1d-9e8a-6f2b4c7d1e93';
    async function* input(): AsyncGenerator<Extract<QueryMessage, { type: 'user' }>> {
      yield { type: 'user', message: { role: 'user', content: 'with id' }, parent_tool_use_id: null, uuid };
    }
    const messages = await collect(query({ prompt: input(), options: { env: env(), sessionStore: store } }));
    const sessionId = messages[0]!.session_id!;
    const entries = await store.load({ projectKey: storeProjectKey(), sessionId });
    expect(entries?.some((entry) => entry.type === 'user' && entry.uuid === uuid)).toBe(true);
  });
});

function storeProjectKey(): string {
  return projectKeyForDirectory(process.cwd());
}

describe('environment', () => {
  it('options.env replaces process.env: its base URL is used and no process key leaks', async () => {
    const other = await startMessagesEmulator();
    const saved = { url: process.env.ANTHROPIC_BASE_URL, key: process.env.ANTHROPIC_API_KEY };
    process.env.ANTHROPIC_BASE_URL = emulator.url;
    process.env.ANTHROPIC_API_KEY = 'process-key';
    try {
      const messages = await collect(query({ prompt: 'where', options: { env: { ANTHROPIC_BASE_URL: other.url, ANTHROPIC_AUTH_TOKEN: 'token' } } }));
      expect(messageRequests(emulator.requests)).toHaveLength(0);
      const [request] = messageRequests(other.requests);
      expect(request?.headers.authorization).toBe('Bearer token');
      expect(request?.headers['x-api-key']).toBeUndefined();
      expect(messages[0]).toMatchObject({ type: 'system', apiKeySource: 'none' });
      // Without options.env the process environment is used.
      const fromProcess = await collect(query({ prompt: 'here' }));
      expect(fromProcess.at(-1)).toMatchObject({ type: 'result', subtype: 'success' });
      expect(messageRequests(emulator.requests)[0]?.headers.authorization).toBe('Bearer process-key');
    } finally {
      restore('ANTHROPIC_BASE_URL', saved.url);
      restore('ANTHROPIC_API_KEY', saved.key);
      await other.close();
    }
  });
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

describe('synchronous option validation', () => {
  const listless: SessionStore = { append: () => Promise.resolve(), load: () => Promise.resolve(null) };
  it.each([
    ['sessionStore with persistSession: false', { sessionStore: listless, persistSession: false }, 'sessionStore'],
    ['sessionId with resume and no fork', { resume: '5d0c8e2a-7b3f-4c1d-9e8a-6f2b4c7d1e93', sessionId: '6e1d9f3b-8c4a-4d2e-8f9b-7a3c5d8e2f04' }, 'sessionId'],
    ['continue with a store lacking listSessions', { continue: true, sessionStore: listless }, 'continue'],
  ] as const)('throws from query() for %s', (_, options, field) => {
    let thrown: unknown;
    try {
      query({ prompt: 'never sent', options: { ...options, env: env() } });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidArgumentError);
    expect((thrown as InvalidArgumentError).argument).toBe(field);
    expect(emulator.requests).toHaveLength(0);
  });
});

describe('abort', () => {
  it('aborting makes iteration throw AbortError, and the next query on the session works', async () => {
    emulator.enqueue(textReply('a slow answer that will be cut off', { eventDelayMs: 200 }));
    const controller = new AbortController();
    const aborted = query({ prompt: 'slow', options: { env: env(), abortController: controller, includePartialMessages: true } });
    const seen: QueryMessage[] = [];
    const iteration = (async () => {
      for await (const message of aborted) {
        seen.push(message);
        if (message.type === 'stream_event') controller.abort();
      }
    })();
    await expect(iteration).rejects.toBeInstanceOf(AbortError);
    expect(seen.some((message) => message.type === 'result')).toBe(false);
    const sessionId = seen[0]!.session_id!;

    const next = await collect(query({ prompt: 'again', options: { env: env(), resume: sessionId } }));
    expect(next.at(-1)).toMatchObject({ type: 'result', subtype: 'success', session_id: sessionId });
    const last = messageRequests(emulator.requests).at(-1)!;
    // The interruption is recorded (and merged into the user turn, as the CLI does).
    expect(conversationOf(last)[0]).toEqual({ role: 'user', text: 'slow\n[Request interrupted by user]' });
    expect(conversationOf(last).at(-1)).toEqual({ role: 'user', text: 'again' });
  });

  it('an already aborted controller fails the first next()', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(collect(query({ prompt: 'never', options: { env: env(), abortController: controller } }))).rejects.toBeInstanceOf(AbortError);
    expect(emulator.requests).toHaveLength(0);
  });
});
