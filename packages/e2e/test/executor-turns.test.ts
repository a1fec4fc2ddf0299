import {
  AgentExecutor,
  costOf,
  createToolRunner,
  priceFor,
  rebuildConversation,
  TOOL_CALL_INTERRUPTED_MESSAGE,
  type SDKAssistantMessage,
  type SDKMessage,
  type SDKUserMessage,
  type SessionStoreEntry,
} from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';
import { textReply, toolUseReply } from '@sdk/testing/emulator';
import { describe, expect, it } from 'vitest';
import { executorFor, messageRequests, MODEL, newSession, resultText, runTurn, transcriptOf } from './support/executor-harness.js';
import { emulatorForThisFile } from './support/file-emulator.js';

const emulator = await emulatorForThisFile();

const chainTypes = (entries: SessionStoreEntry[]) => entries.map((entry) => entry.type);
const rejected = () => emulator.requests.filter((request) => request.rejected !== undefined).map((request) => request.rejected);

describe('AgentExecutor turns against the emulator', () => {
  it('runs 3 turns on 3 fresh executors; each request carries the whole history in order', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    const answers: string[] = [];
    for (const prompt of ['one', 'two', 'three']) {
      const { result, messages } = await runTurn(executorFor(store, emulator), { session, prompt });
      answers.push(resultText(result));
      expect(messages[0]).toMatchObject({ type: 'system', subtype: 'init', session_id: session.sessionId, model: MODEL, mcp_servers: [], output_style: 'default' });
    }
    expect(answers).toEqual(['echo: one [messages=1]', 'echo: two [messages=3]', 'echo: three [messages=5]']);
    const requests = messageRequests(emulator);
    expect(requests).toHaveLength(3);
    expect(transcriptOf(requests[2]!)).toEqual([
      'user: one',
      'assistant: echo: one [messages=1]',
      'user: two',
      'assistant: echo: two [messages=3]',
      'user: three',
    ]);
    expect(requests.every((request) => request.body.stream === true)).toBe(true);
    expect(rejected()).toEqual([]);

    const entries = (await store.load(session))!;
    expect(chainTypes(entries)).toEqual(['user', 'assistant', 'last-prompt', 'user', 'assistant', 'last-prompt', 'user', 'assistant', 'last-prompt']);
    const [prompt, answer, lastPrompt] = entries;
    expect(prompt).toMatchObject({ parentUuid: null, isSidechain: false, sessionId: session.sessionId, userType: 'external', entrypoint: 'sdk-ts', message: { role: 'user' } });
    expect(answer).toMatchObject({ parentUuid: prompt!.uuid, message: { role: 'assistant', model: MODEL, stop_reason: 'end_turn' } });
    expect(typeof answer!.requestId).toBe('string');
    expect(lastPrompt).toEqual({ type: 'last-prompt', lastPrompt: 'one', leafUuid: answer!.uuid, sessionId: session.sessionId });
    expect(entries[3]!.parentUuid).toBe(answer!.uuid);
  });

  it('runs a 150-turn conversation whose last request carries 149 exchanges and the new prompt', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    const executor = executorFor(store, emulator);
    let last = '';
    for (let turn = 1; turn <= 150; turn++) last = resultText((await runTurn(executor, { session, prompt: `turn ${turn}` })).result);
    expect(last).toBe('echo: turn 150 [messages=299]');
    const final = messageRequests(emulator).at(-1)!;
    const transcript = transcriptOf(final);
    expect(transcript).toHaveLength(299);
    expect(transcript[0]).toBe('user: turn 1');
    expect(transcript[297]).toBe('assistant: echo: turn 149 [messages=297]');
    expect(transcript[298]).toBe('user: turn 150');
    expect(rejected()).toEqual([]);
  }, 120_000);

  it('runs the tool loop: tool_use entry stored before the tool runs, result parented to it', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    const seenAtRun: string[][] = [];
    const tools = createToolRunner([
      {
        name: 'lookup',
        description: 'Looks a word up.',
        inputSchema: { type: 'object', properties: { word: { type: 'string' } }, required: ['word'] },
        run: async (input, context) => {
          seenAtRun.push(chainTypes((await store.load(session))!));
          expect(context.sessionId).toBe(session.sessionId);
          return { content: `definition of ${String(input.word)}`, structured: { word: input.word, found: true } };
        },
      },
    ]);
    emulator.enqueue(toolUseReply('lookup', { word: 'stateless' }, { id: 'toolu_lookup_1', text: 'Let me look.' }));
    const { messages, result } = await runTurn(executorFor(store, emulator), { session, prompt: 'define stateless', tools });

    expect(messages.map((message) => message.type)).toEqual(['system', 'assistant', 'assistant', 'user', 'assistant', 'result']);
    expect(seenAtRun).toEqual([['user', 'assistant', 'assistant']]);
    const toolResult = messages[3] as SDKUserMessage;
    expect(toolResult.tool_use_result).toEqual({ word: 'stateless', found: true });
    expect(toolResult.message.content).toEqual([{ type: 'tool_result', tool_use_id: 'toolu_lookup_1', content: 'definition of stateless' }]);
    expect(result).toMatchObject({ subtype: 'success', num_turns: 2, result: 'echo: tool results received [messages=3]' });
    const [init] = messages;
    expect(init).toMatchObject({ tools: ['lookup'] });

    const request = messageRequests(emulator)[0]!;
    expect(request.body.tools).toEqual([{ name: 'lookup', description: 'Looks a word up.', input_schema: { type: 'object', properties: { word: { type: 'string' } }, required: ['word'] } }]);
    const entries = (await store.load(session))!;
    const toolUseEntry = entries[2]!;
    const resultEntry = entries[3]!;
    expect(resultEntry).toMatchObject({ parentUuid: toolUseEntry.uuid, sourceToolAssistantUUID: toolUseEntry.uuid, toolUseResult: { word: 'stateless', found: true } });
    expect((entries[1]!.message as { id: string }).id).toBe((toolUseEntry.message as { id: string }).id);
    expect(entries[4]!.parentUuid).toBe(resultEntry.uuid);
    expect(rejected()).toEqual([]);
  });

  it('runs parallel tool calls concurrently and stores results in completion order', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    const tools = createToolRunner([
      { name: 'slow', description: 'Slow.', inputSchema: { type: 'object' }, run: () => new Promise((resolve) => setTimeout(() => resolve('slow done'), 60)) },
      { name: 'fast', description: 'Fast.', inputSchema: { type: 'object' }, run: () => 'fast done' },
      { name: 'broken', description: 'Throws.', inputSchema: { type: 'object' }, run: () => Promise.reject(new Error('disk on fire')) },
    ]);
    emulator.enqueue({
      type: 'message',
      content: [
        { type: 'tool_use', name: 'slow', input: {}, id: 'toolu_slow' },
        { type: 'tool_use', name: 'fast', input: {}, id: 'toolu_fast' },
        { type: 'tool_use', name: 'broken', input: {}, id: 'toolu_broken' },
      ],
    });
    const started = Date.now();
    const { messages } = await runTurn(executorFor(store, emulator), { session, prompt: 'go', tools });
    expect(Date.now() - started).toBeLessThan(2000);
    const results = messages.filter((message): message is SDKUserMessage => message.type === 'user');
    expect(results.map((message) => (message.message.content as Array<{ tool_use_id: string }>)[0]!.tool_use_id)).toEqual(['toolu_fast', 'toolu_broken', 'toolu_slow']);
    expect(results[1]!.message.content).toEqual([{ type: 'tool_result', tool_use_id: 'toolu_broken', content: 'Error: disk on fire', is_error: true }]);

    // The resumed history regroups the fan-out exactly like the live one.
    const live = messageRequests(emulator)[1]!.messages;
    expect(rebuildConversation((await store.load(session))!).messages.slice(0, 3)).toEqual(live);
    await runTurn(executorFor(store, emulator), { session, prompt: 'next' });
    expect(rejected()).toEqual([]);
  });

  it('streams text deltas as stream_event messages before the assistant message', async () => {
    const store = new InMemorySessionStore();
    emulator.enqueue({ type: 'message', content: [{ type: 'thinking', thinking: 'pondering' }, { type: 'text', text: 'streamed answer' }] });
    const { messages } = await runTurn(executorFor(store, emulator), { session: newSession(), prompt: 'hi', includePartialMessages: true });
    const types = messages.map((message) => (message.type === 'stream_event' ? `event:${message.event.type}` : message.type));
    expect(types[0]).toBe('system');
    expect(types[1]).toBe('event:message_start');
    expect(types.indexOf('assistant')).toBeGreaterThan(types.lastIndexOf('event:message_stop'));
    const deltas = messages.flatMap((message) => (message.type === 'stream_event' && message.event.type === 'content_block_delta' ? [message.event.delta] : []));
    expect(deltas.some((delta) => delta.type === 'thinking_delta')).toBe(true);
    expect(deltas.flatMap((delta) => (delta.type === 'text_delta' ? [delta.text] : [])).join('')).toBe('streamed answer');
    const assistants = messages.filter((message): message is SDKAssistantMessage => message.type === 'assistant');
    expect(assistants.map((message) => message.message.content[0]!.type)).toEqual(['thinking', 'text']);
    expect(new Set(assistants.map((message) => message.message.id)).size).toBe(1);
  });

  it('sends thinking blocks back with their signature on the next turn', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    emulator.enqueue({ type: 'message', content: [{ type: 'thinking', thinking: 'deep thought', signature: 'sig-abc' }, { type: 'text', text: '42' }] });
    await runTurn(executorFor(store, emulator), { session, prompt: 'meaning?' });
    await runTurn(executorFor(store, emulator), { session, prompt: 'sure?' });
    const second = messageRequests(emulator)[1]!;
    expect(second.messages[1]).toEqual({ role: 'assistant', content: [{ type: 'thinking', thinking: 'deep thought', signature: 'sig-abc' }, { type: 'text', text: '42' }] });
    expect(rejected()).toEqual([]);
  });

  it('ends with error_max_turns when tool calls continue past maxTurns, and the session stays usable', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    const tools = createToolRunner([{ name: 'again', description: 'Loop.', inputSchema: { type: 'object' }, run: () => 'ok' }]);
    emulator.enqueue(toolUseReply('again', {}), toolUseReply('again', {}), toolUseReply('again', {}));
    const { result } = await runTurn(executorFor(store, emulator), { session, prompt: 'loop', tools, maxTurns: 2 });
    expect(result).toMatchObject({ subtype: 'error_max_turns', is_error: true, num_turns: 2, terminal_reason: 'max_turns' });
    expect(messageRequests(emulator)).toHaveLength(2);
    emulator.reset();
    expect(resultText((await runTurn(executorFor(store, emulator), { session, prompt: 'stop now' })).result)).toMatch(/^echo: stop now/);
    expect(rejected()).toEqual([]);
  });

  it('ends with error_max_budget_usd once the turn costs more than maxBudgetUsd', async () => {
    const store = new InMemorySessionStore();
    const tools = createToolRunner([{ name: 'again', description: 'Loop.', inputSchema: { type: 'object' }, run: () => 'ok' }]);
    const expensive = { ...toolUseReply('again', {}), usage: { input_tokens: 1_000_000, output_tokens: 10 } };
    emulator.enqueue(expensive, expensive);
    const { result } = await runTurn(executorFor(store, emulator), { session: newSession(), prompt: 'spend', tools, maxBudgetUsd: 1 });
    expect(result).toMatchObject({ subtype: 'error_max_budget_usd', is_error: true, num_turns: 1, terminal_reason: 'budget_exhausted' });
    expect(result.total_cost_usd).toBeCloseTo(3 + 10 * 15e-6, 9);
  });

  it('reports usage per model and prices it with the bundled table or an override', async () => {
    const usage = { input_tokens: 1000, output_tokens: 200, cache_read_input_tokens: 5000, cache_creation_input_tokens: 300 };
    emulator.enqueue(textReply('a', { usage }), textReply('b', { usage }));
    const store = new InMemorySessionStore();
    const { result } = await runTurn(executorFor(store, emulator), { session: newSession(), prompt: 'x' });
    const expected = costOf({ inputTokens: 1000, outputTokens: 200, cacheReadInputTokens: 5000, cacheCreationInputTokens: 300 }, priceFor(MODEL).price);
    expect(result.usage).toMatchObject(usage);
    expect(result.modelUsage[MODEL]).toMatchObject({ inputTokens: 1000, outputTokens: 200, cacheReadInputTokens: 5000, cacheCreationInputTokens: 300, costBasis: 'list' });
    expect(result.total_cost_usd).toBeCloseTo(expected, 12);
    const overridden = await runTurn(executorFor(store, emulator), { session: newSession(), prompt: 'x', prices: { [MODEL]: { inputPerMillion: 1000, outputPerMillion: 0, cacheReadPerMillion: 0, cacheWritePerMillion: 0 } } });
    expect(overridden.result.total_cost_usd).toBeCloseTo(1, 12);
    expect(overridden.result.modelUsage[MODEL]!.costBasis).toBe('managed');
  });

  it('runs turns on a frozen executor', async () => {
    const store = new InMemorySessionStore();
    const executor = Object.freeze(new AgentExecutor({ store, clientOptions: { apiKey: 'x', baseURL: emulator.url } }));
    const session = newSession();
    await runTurn(executor, { session, prompt: 'a' });
    expect(resultText((await runTurn(executor, { session, prompt: 'b' })).result)).toBe('echo: b [messages=3]');
  });

  it('repairs a stored history that ends in an unanswered tool_use, like the CLI, before the prompt', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    const tools = createToolRunner([{ name: 'hang', description: 'x', inputSchema: { type: 'object' }, run: () => 'ok' }]);
    emulator.enqueue(toolUseReply('hang', {}, { id: 'toolu_dangling' }));
    await runTurn(executorFor(store, emulator), { session, prompt: 'start', tools });
    // Simulate a worker that died after storing the tool_use: keep entries up to the assistant only.
    const entries = (await store.load(session))!;
    const cut = new InMemorySessionStore();
    await cut.append(session, entries.slice(0, 2));
    emulator.reset();
    await runTurn(executorFor(cut, emulator), { session, prompt: 'resume' });
    const request = messageRequests(emulator)[0]!;
    expect(transcriptOf(request)).toEqual(['user: start', 'assistant: [tool_use]', 'user: [tool_result]', 'assistant: No response requested.', 'user: resume']);
    expect(request.messages[2]!.content).toEqual([{ type: 'tool_result', tool_use_id: 'toolu_dangling', content: TOOL_CALL_INTERRUPTED_MESSAGE, is_error: true }]);
    expect(chainTypes((await cut.load(session))!).slice(2, 5)).toEqual(['user', 'assistant', 'user']);
    expect(rejected()).toEqual([]);
  });

  it('branches with resumeAt and rejects an unknown resumeAt', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    const first = await runTurn(executorFor(store, emulator), { session, prompt: 'one' });
    await runTurn(executorFor(store, emulator), { session, prompt: 'two' });
    const firstAnswer = first.messages.find((message) => message.type === 'assistant')!;
    emulator.reset();
    await runTurn(executorFor(store, emulator), { session, prompt: 'branch', resumeAt: firstAnswer.uuid });
    expect(transcriptOf(messageRequests(emulator)[0]!)).toEqual(['user: one', 'assistant: echo: one [messages=1]', 'user: branch']);
    await runTurn(executorFor(store, emulator), { session, prompt: 'after' });
    expect(transcriptOf(messageRequests(emulator)[1]!).slice(2)).toEqual(['user: branch', 'assistant: echo: branch [messages=3]', 'user: after']);
    const unknown = runTurn(executorFor(store, emulator), { session, prompt: 'x', resumeAt: '00000000-0000-4000-8000-000000000000' });
    await expect(unknown).rejects.toMatchObject({ name: 'SessionNotFoundError' });
  });

  it('writes nothing with persist: false', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    await runTurn(executorFor(store, emulator), { session, prompt: 'kept' });
    const before = (await store.load(session))!.length;
    const { result } = await runTurn(executorFor(store, emulator), { session, prompt: 'ephemeral', persist: false });
    expect(resultText(result)).toBe('echo: ephemeral [messages=3]');
    expect((await store.load(session))!.length).toBe(before);
  });

  it('yields messages shaped like the official SDK types', async () => {
    const messages: SDKMessage[] = (await runTurn(executorFor(new InMemorySessionStore(), emulator), { session: newSession(), prompt: 'shape' })).messages;
    const result = messages.at(-1)!;
    expect(Object.keys(result).sort()).toEqual(
      ['duration_api_ms', 'duration_ms', 'is_error', 'modelUsage', 'num_turns', 'permission_denials', 'result', 'session_id', 'stop_reason', 'subtype', 'terminal_reason', 'total_cost_usd', 'type', 'usage', 'uuid'].sort(),
    );
    const assistant = messages[1] as SDKAssistantMessage;
    expect(assistant).toMatchObject({ type: 'assistant', parent_tool_use_id: null, session_id: expect.any(String), uuid: expect.any(String) });
  });

  it('stores a content-block prompt as given, under the caller-supplied uuid', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    const promptUuid = newSession().sessionId;
    const prompt = [
      { type: 'text' as const, text: 'first block' },
      { type: 'text' as const, text: 'second block' },
    ];
    const { result } = await runTurn(executorFor(store, emulator), { session, prompt, promptUuid });
    expect(resultText(result)).toBe('echo: second block [messages=1]');
    const [entry] = (await store.load(session))!;
    expect(entry).toMatchObject({ uuid: promptUuid, message: { role: 'user', content: prompt } });
    expect(messageRequests(emulator)[0]!.messages[0]).toEqual({ role: 'user', content: prompt });
  });
});
