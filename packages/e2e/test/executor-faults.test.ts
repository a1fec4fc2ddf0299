import {
  createToolRunner,
  INTERRUPTED_MESSAGE,
  INTERRUPTED_TOOL_MESSAGE,
  type SDKAPIRetryMessage,
  type SDKMessage,
  type SessionRef,
  type SessionStoreEntry,
} from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';
import { errorReply, textReply, toolUseReply } from '@sdk/testing/emulator';
import { describe, expect, it } from 'vitest';
import { executorFor, messageRequests, MODEL, newSession, resultText, runTurn, transcriptOf } from './support/executor-harness.js';
import { RETRIED_FAULTS } from './support/retried-faults.js';
import { emulatorForThisFile } from './support/file-emulator.js';

const emulator = await emulatorForThisFile();

const rejected = () => emulator.requests.filter((request) => request.rejected !== undefined).map((request) => request.rejected);
const retries = (messages: SDKMessage[]) => messages.filter((message): message is SDKAPIRetryMessage => message.type === 'system' && message.subtype === 'api_retry');

/** No assistant entry without its whole message, no tool_use without a result. */
function expectConsistent(entries: SessionStoreEntry[]): void {
  const toolUses = new Set<string>();
  const results = new Set<string>();
  for (const entry of entries) {
    const content = (entry.message as { content?: unknown } | undefined)?.content;
    if (!Array.isArray(content)) continue;
    for (const block of content as Array<{ type: string; id?: string; tool_use_id?: string }>) {
      if (block.type === 'tool_use') toolUses.add(block.id!);
      if (block.type === 'tool_result') results.add(block.tool_use_id!);
    }
    if (entry.type === 'assistant') expect((entry.message as { stop_reason: unknown }).stop_reason).not.toBeNull();
  }
  expect([...toolUses].filter((id) => !results.has(id))).toEqual([]);
}

async function expectNextTurnWorks(store: InMemorySessionStore, session: SessionRef): Promise<string[]> {
  const before = messageRequests(emulator).length;
  const { result } = await runTurn(executorFor(store, emulator), { session, prompt: 'next turn' });
  expect(resultText(result)).toMatch(/^echo: next turn/);
  expect(rejected()).toEqual([]);
  return transcriptOf(messageRequests(emulator)[before]!);
}

describe('AgentExecutor API faults', () => {
  const retried = RETRIED_FAULTS;

  it.each(retried)('retries a %s; the store holds no partial message and the next turn works', async (_name, fault, status) => {
    const store = new InMemorySessionStore();
    const session = newSession();
    emulator.enqueue(fault);
    const { messages, result } = await runTurn(executorFor(store, emulator), { session, prompt: 'first' });
    expect(resultText(result)).toBe('echo: first [messages=1]');
    expect(retries(messages)).toEqual([expect.objectContaining({ attempt: 1, max_retries: 3, error_status: status, session_id: session.sessionId })]);
    const entries = (await store.load(session))!;
    expect(entries.map((entry) => entry.type)).toEqual(['user', 'assistant', 'last-prompt']);
    expectConsistent(entries);
    expect(await expectNextTurnWorks(store, session)).toEqual(['user: first', 'assistant: echo: first [messages=1]', 'user: next turn']);
  });

  it('passes a slow first byte without retrying', async () => {
    emulator.enqueue({ type: 'fault', fault: 'slow-first-byte', delayMs: 200 });
    const { messages, result } = await runTurn(executorFor(new InMemorySessionStore(), emulator), { session: newSession(), prompt: 'slow' });
    expect(resultText(result)).toBe('echo: slow [messages=1]');
    expect(retries(messages)).toEqual([]);
  });

  it('honours retry-after', async () => {
    emulator.enqueue(errorReply(429, { retryAfter: 1 }));
    const started = Date.now();
    const { messages } = await runTurn(executorFor(new InMemorySessionStore(), emulator), { session: newSession(), prompt: 'wait' });
    expect(retries(messages)[0]!.retry_delay_ms).toBe(1000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('ends with error_during_execution when retries run out; the prompt stays and the session resumes', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    emulator.enqueue(errorReply(529), errorReply(529), errorReply(529), errorReply(529));
    const { messages, result } = await runTurn(executorFor(store, emulator), { session, prompt: 'doomed' });
    expect(retries(messages).map((message) => message.attempt)).toEqual([1, 2, 3]);
    expect(result).toMatchObject({ subtype: 'error_during_execution', is_error: true, terminal_reason: 'api_error', num_turns: 0 });
    expect(result.subtype !== 'success' && result.errors[0]).toMatch(/529 overloaded_error.*gave up after 4 attempts/);
    expect((await store.load(session))!.map((entry) => entry.type)).toEqual(['user', 'last-prompt']);
    expect(await expectNextTurnWorks(store, session)).toEqual(['user: doomed', 'assistant: No response requested.', 'user: next turn']);
  });

  it.each([
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
  ])('does not retry a %i and says what was wrong', async (status, errorType) => {
    const store = new InMemorySessionStore();
    const session = newSession();
    emulator.enqueue(errorReply(status, { message: `bad thing ${status}` }));
    const { messages, result } = await runTurn(executorFor(store, emulator), { session, prompt: 'x' });
    expect(retries(messages)).toEqual([]);
    expect(messageRequests(emulator)).toHaveLength(1);
    expect(result).toMatchObject({ subtype: 'error_during_execution', is_error: true });
    expect(result.subtype !== 'success' && result.errors).toEqual([expect.stringContaining(`API error ${status} ${errorType}`)]);
    expect(result.subtype !== 'success' && result.errors[0]).toContain(`bad thing ${status}`);
    await expectNextTurnWorks(store, session);
  });
});

describe('AgentExecutor abort', () => {
  it('stops mid-stream, records the interruption like the CLI, and the next turn works', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    emulator.enqueue(textReply('a long answer that streams slowly word by word', { eventDelayMs: 150 }));
    const controller = new AbortController();
    const messages: SDKMessage[] = [];
    const started = Date.now();
    for await (const message of executorFor(store, emulator).runTurn({ session, prompt: 'talk', model: MODEL, signal: controller.signal, includePartialMessages: true })) {
      messages.push(message);
      if (message.type === 'stream_event' && message.event.type === 'content_block_delta') controller.abort();
    }
    expect(Date.now() - started).toBeLessThan(1500);
    expect(messages.at(-1)).toMatchObject({ type: 'result', subtype: 'error_during_execution', is_error: true, terminal_reason: 'aborted_streaming' });
    expect(messages.some((message) => message.type === 'assistant')).toBe(false);
    const entries = (await store.load(session))!;
    expect(entries.map((entry) => entry.type)).toEqual(['user', 'user', 'last-prompt']);
    expect(entries[1]!.message).toEqual({ role: 'user', content: [{ type: 'text', text: INTERRUPTED_MESSAGE }] });
    expect(await expectNextTurnWorks(store, session)).toEqual([`user: talk | ${INTERRUPTED_MESSAGE}`, 'assistant: No response requested.', 'user: next turn']);
  });

  it('stops a running tool promptly and answers its call with the interruption result', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    const controller = new AbortController();
    let toolSawAbort = false;
    const tools = createToolRunner([
      {
        name: 'wait',
        description: 'Waits until aborted.',
        inputSchema: { type: 'object' },
        run: (_input, context) =>
          new Promise((_resolve, reject) => {
            setTimeout(() => controller.abort(), 20);
            context.signal.addEventListener('abort', () => {
              toolSawAbort = true;
              reject(new Error('aborted'));
            });
          }),
      },
    ]);
    emulator.enqueue(toolUseReply('wait', {}, { id: 'toolu_wait' }));
    const messages: SDKMessage[] = [];
    for await (const message of executorFor(store, emulator).runTurn({ session, prompt: 'wait', model: MODEL, tools, signal: controller.signal })) messages.push(message);
    expect(toolSawAbort).toBe(true);
    expect(messages.at(-1)).toMatchObject({ type: 'result', subtype: 'error_during_execution', terminal_reason: 'aborted_tools' });
    const entries = (await store.load(session))!;
    expect(entries.map((entry) => entry.type)).toEqual(['user', 'assistant', 'user', 'last-prompt']);
    expect(entries[2]!.message).toEqual({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_wait', content: INTERRUPTED_TOOL_MESSAGE, is_error: true }] });
    expectConsistent(entries);
    await expectNextTurnWorks(store, session);
  });

  it('stops while waiting to retry', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    emulator.enqueue(errorReply(529, { retryAfter: 30 }));
    const controller = new AbortController();
    const messages: SDKMessage[] = [];
    const started = Date.now();
    for await (const message of executorFor(store, emulator).runTurn({ session, prompt: 'x', model: MODEL, signal: controller.signal })) {
      messages.push(message);
      if (message.type === 'system' && message.subtype === 'api_retry') controller.abort();
    }
    expect(Date.now() - started).toBeLessThan(5000);
    expect(messages.at(-1)).toMatchObject({ type: 'result', terminal_reason: 'aborted_streaming' });
    await expectNextTurnWorks(store, session);
  });

  it('releases the session when the caller stops iterating mid-stream', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    emulator.enqueue(textReply('never finished', { eventDelayMs: 100 }));
    for await (const message of executorFor(store, emulator).runTurn({ session, prompt: 'gone', model: MODEL, includePartialMessages: true })) {
      if (message.type === 'stream_event') break;
    }
    // No lease left behind, no partial answer stored: the next turn runs at once.
    expect((await store.load(session))!.map((entry) => entry.type)).toEqual(['user']);
    expect(await expectNextTurnWorks(store, session)).toEqual(['user: gone', 'assistant: No response requested.', 'user: next turn']);
  });
});
