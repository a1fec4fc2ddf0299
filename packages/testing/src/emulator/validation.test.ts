import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { textReply } from './builders.js';
import { startMessagesEmulator } from './server.js';
import type { MessagesEmulator } from './types.js';

let emulator: MessagesEmulator;
let client: Anthropic;

beforeAll(async () => {
  emulator = await startMessagesEmulator();
  client = new Anthropic({ baseURL: emulator.url, apiKey: 'x', maxRetries: 0 });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.reset();
});

const base = { model: 'claude-haiku-4-5', max_tokens: 64 };
const toolUse = (id: string) => ({ type: 'tool_use', id, name: 'Bash', input: { command: 'ls' } });
const toolResult = (id: string) => ({ type: 'tool_result', tool_use_id: id, content: 'ok' });

/** Sends a raw body through the SDK (bypassing its types, as a broken transcript would) and returns the 400 message. */
async function rejectionOf(body: Record<string, unknown>): Promise<string> {
  const failure = await client.messages.create(body as never).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(Anthropic.BadRequestError);
  expect(failure).toMatchObject({ status: 400, type: 'invalid_request_error' });
  const recorded = emulator.requests.at(-1)!;
  expect((failure as { apiMessage: string }).apiMessage).toBe(recorded.rejected);
  return recorded.rejected!;
}

async function accepts(body: Record<string, unknown>): Promise<void> {
  const message = await client.messages.create(body as never);
  expect(message.type).toBe('message');
  expect(emulator.requests.at(-1)!.rejected).toBeUndefined();
}

describe('request validation', () => {
  it('requires model', async () => {
    expect(await rejectionOf({ max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] })).toBe('model: Field required');
  });

  it('requires a positive integer max_tokens', async () => {
    const messages = [{ role: 'user', content: 'hi' }];
    expect(await rejectionOf({ model: 'm', messages })).toBe('max_tokens: Field required');
    expect(await rejectionOf({ model: 'm', max_tokens: 1.5, messages })).toBe('max_tokens: Input should be a valid integer');
    expect(await rejectionOf({ model: 'm', max_tokens: 0, messages })).toBe('max_tokens: Input should be greater than or equal to 1');
  });

  it('requires a non-empty messages array', async () => {
    expect(await rejectionOf({ ...base })).toBe('messages: Field required');
    expect(await rejectionOf({ ...base, messages: 'hi' })).toBe('messages: Input should be a valid list');
    expect(await rejectionOf({ ...base, messages: [] })).toBe('messages: at least one message is required');
  });

  it('accepts only user and assistant roles, plus system entries that Claude Code sends', async () => {
    expect(await rejectionOf({ ...base, messages: [{ role: 'tool', content: 'x' }] })).toBe(
      "messages.0.role: Input should be 'user' or 'assistant'",
    );
    await accepts({
      ...base,
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'hi' },
      ],
    });
  });

  it('requires the first non-system message to be from the user', async () => {
    expect(await rejectionOf({ ...base, messages: [{ role: 'assistant', content: 'hello' }] })).toBe(
      'messages: first message must use the "user" role',
    );
    expect(
      await rejectionOf({
        ...base,
        messages: [
          { role: 'system', content: 'ctx' },
          { role: 'assistant', content: 'hello' },
        ],
      }),
    ).toBe('messages: first message must use the "user" role');
  });

  it('rejects empty content except in a final assistant prefill', async () => {
    const emptyTurn = 'all messages must have non-empty content except for the optional final assistant message';
    expect(await rejectionOf({ ...base, messages: [{ role: 'user', content: '' }] })).toBe(`messages.0: ${emptyTurn}`);
    expect(
      await rejectionOf({
        ...base,
        messages: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: [] },
          { role: 'user', content: 'b' },
        ],
      }),
    ).toBe(`messages.1: ${emptyTurn}`);
    await accepts({
      ...base,
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: '' },
      ],
    });
  });

  it('rejects empty text blocks', async () => {
    expect(
      await rejectionOf({ ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }, { type: 'text', text: '' }] }] }),
    ).toBe('messages.0.content.1.text: text content blocks must be non-empty');
  });

  it('requires a tool_result for every tool_use in the very next message', async () => {
    expect(
      await rejectionOf({
        ...base,
        messages: [
          { role: 'user', content: 'run' },
          { role: 'assistant', content: [toolUse('toolu_a'), toolUse('toolu_b')] },
          { role: 'user', content: [toolResult('toolu_a')] },
        ],
      }),
    ).toBe(
      'messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_b. ' +
        'Each `tool_use` block must have a corresponding `tool_result` block in the next message.',
    );
    expect(
      await rejectionOf({
        ...base,
        messages: [
          { role: 'user', content: 'run' },
          { role: 'assistant', content: [toolUse('toolu_c')] },
          { role: 'user', content: 'never answered' },
          { role: 'assistant', content: 'ok' },
          { role: 'user', content: [toolResult('toolu_c')] },
        ],
      }),
    ).toMatch(/^messages\.1: `tool_use` ids were found without `tool_result` blocks immediately after: toolu_c\./);
  });

  it('requires every tool_result to answer a tool_use of the previous assistant message', async () => {
    expect(
      await rejectionOf({
        ...base,
        messages: [
          { role: 'user', content: 'run' },
          { role: 'assistant', content: 'no tools here' },
          { role: 'user', content: [toolResult('toolu_orphan')] },
        ],
      }),
    ).toBe(
      'messages.2.content.0: unexpected `tool_use_id` found in `tool_result` blocks: toolu_orphan. ' +
        'Each `tool_result` block must have a corresponding `tool_use` block in the previous message.',
    );
  });

  it('rejects duplicate tool_use ids anywhere in the conversation', async () => {
    expect(
      await rejectionOf({
        ...base,
        messages: [
          { role: 'user', content: 'run' },
          { role: 'assistant', content: [toolUse('toolu_same')] },
          { role: 'user', content: [toolResult('toolu_same')] },
          { role: 'assistant', content: [toolUse('toolu_same')] },
          { role: 'user', content: [toolResult('toolu_same')] },
        ],
      }),
    ).toBe('messages.3.content.0: `tool_use` ids must be unique (duplicate id: toolu_same)');
  });

  it('accepts a well-formed tool round trip', async () => {
    await accepts({
      ...base,
      messages: [
        { role: 'user', content: 'run' },
        { role: 'assistant', content: [{ type: 'text', text: 'running' }, toolUse('toolu_ok1'), toolUse('toolu_ok2')] },
        { role: 'user', content: [toolResult('toolu_ok2'), toolResult('toolu_ok1'), { type: 'text', text: 'go on' }] },
      ],
    });
  });

  it('accepts the Claude Code shape: system entries between user, tool_use and tool_result turns', async () => {
    await accepts({
      ...base,
      messages: [
        { role: 'user', content: [{ type: 'text', text: '<system-reminder>x</system-reminder>' }, { type: 'text', text: 'read it' }] },
        { role: 'system', content: [{ type: 'text', text: '# Environment' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Reading.' }, toolUse('toolu_cc1')] },
        { role: 'system', content: 'late context' },
        { role: 'user', content: [toolResult('toolu_cc1')] },
      ],
    });
    expect(emulator.requests.at(-1)!.messages).toHaveLength(5);
  });

  it('requires name and input_schema on custom tools but allows server tools', async () => {
    const messages = [{ role: 'user', content: 'hi' }];
    expect(await rejectionOf({ ...base, messages, tools: [{ input_schema: { type: 'object' } }] })).toBe('tools.0.name: Field required');
    expect(await rejectionOf({ ...base, messages, tools: [{ name: 'Read' }] })).toBe('tools.0.custom.input_schema: Field required');
    await accepts({
      ...base,
      messages,
      tools: [
        { name: 'Read', input_schema: { type: 'object', properties: {} } },
        { type: 'web_search_20250305', name: 'web_search', max_uses: 3 },
      ],
    });
  });

  it('requires a signature on thinking blocks in assistant history', async () => {
    expect(
      await rejectionOf({
        ...base,
        messages: [
          { role: 'user', content: 'think' },
          { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm' }, { type: 'text', text: 'done' }] },
          { role: 'user', content: 'again' },
        ],
      }),
    ).toBe('messages.1.content.0.signature: Field required');
    await accepts({
      ...base,
      messages: [
        { role: 'user', content: 'think' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: 'c2ln' }, { type: 'text', text: 'done' }] },
        { role: 'user', content: 'again' },
      ],
    });
  });

  it('does not consume a queued reply when it rejects a request', async () => {
    emulator.enqueue(textReply('kept for the valid request'));
    await rejectionOf({ ...base, messages: [] });
    const message = await client.messages.create({ ...base, messages: [{ role: 'user', content: 'hi' }] });

    expect(message.content).toEqual([{ type: 'text', text: 'kept for the valid request' }]);
    expect(emulator.requests.map((request) => request.rejected)).toEqual(['messages: at least one message is required', undefined]);
  });

  it('validates count_tokens bodies without requiring max_tokens', async () => {
    const counted = await client.messages.countTokens({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] });
    expect(counted.input_tokens).toBeGreaterThan(0);
    const failure = await client.messages.countTokens({ model: 'claude-haiku-4-5', messages: [] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Anthropic.BadRequestError);
  });

  it('can be switched off', async () => {
    const lenient = await startMessagesEmulator({ validate: false });
    try {
      const lenientClient = new Anthropic({ baseURL: lenient.url, apiKey: 'x', maxRetries: 0 });
      const message = await lenientClient.messages.create({ ...base, messages: [{ role: 'assistant', content: 'first' }] });
      expect(message.content).toEqual([{ type: 'text', text: 'echo: tool results received [messages=1]' }]);
      expect(lenient.requests[0]!.rejected).toBeUndefined();
    } finally {
      await lenient.close();
    }
  });
});
