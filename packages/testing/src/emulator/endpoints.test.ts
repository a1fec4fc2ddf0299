import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { textReply, toolUseReply } from './builders.js';
import { EMULATOR_MODELS } from './models.js';
import { startMessagesEmulator } from './server.js';
import { estimateInputTokens } from './token-estimate.js';
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

const messages = [{ role: 'user' as const, content: 'How many tokens is this?' }];
const tools = [{ name: 'Read', description: 'Read a file', input_schema: { type: 'object' as const, properties: {} } }];

describe('non-streaming messages.create', () => {
  it('returns the scripted message as one JSON body', async () => {
    emulator.enqueue(toolUseReply('Read', { path: 'a.txt' }, { id: 'toolu_x', text: 'Reading.' }));
    const message = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 100, messages, tools });

    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-4-5',
      stop_reason: 'tool_use',
      stop_sequence: null,
      content: [
        { type: 'text', text: 'Reading.' },
        { type: 'tool_use', id: 'toolu_x', name: 'Read', input: { path: 'a.txt' } },
      ],
    });
    expect(message.id).toMatch(/^msg_01/);
  });

  it('returns thinking with its signature and redacted thinking', async () => {
    emulator.enqueue({
      type: 'message',
      content: [
        { type: 'thinking', thinking: 'step by step', signature: 'c2ln' },
        { type: 'redacted_thinking', data: 'cmVkYWN0ZWQ=' },
        { type: 'text', text: 'answer' },
      ],
    });
    const message = await client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 100, messages });

    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'step by step', signature: 'c2ln' },
      { type: 'redacted_thinking', data: 'cmVkYWN0ZWQ=' },
      { type: 'text', text: 'answer' },
    ]);
    expect(message.stop_reason).toBe('end_turn');
  });

  it('computes usage deterministically from system, messages and tools', async () => {
    emulator.enqueue(textReply('abcdefghi'));
    const body = { model: 'claude-haiku-4-5', max_tokens: 100, system: 'Be brief.', messages, tools };
    const { data: message, response } = await client.messages.create(body).withResponse();

    const characters = JSON.stringify(body.system).length + JSON.stringify(messages).length + JSON.stringify(tools).length;
    expect(message.usage).toEqual({
      input_tokens: Math.ceil(characters / 4),
      output_tokens: 3,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
    expect(response.headers.get('request-id')).toMatch(/^req_01/);
    expect(response.headers.get('content-type')).toBe('application/json');
  });

  it('records the method, path, query, headers and body of each request', async () => {
    await client.beta.messages.create(
      { model: 'claude-haiku-4-5', max_tokens: 5, messages, betas: ['context-1m-2025-08-07'] },
      { query: { beta: 'true' } },
    );
    const [recorded] = emulator.requests;

    expect(recorded).toMatchObject({ method: 'POST', path: '/v1/messages', query: { beta: 'true' } });
    expect(recorded!.headers['user-agent']).toMatch(/^Anthropic\/JS/);
    expect(recorded!.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(recorded!.headers['anthropic-beta']).toBe('context-1m-2025-08-07');
    expect(recorded!.body.max_tokens).toBe(5);
    expect(recorded!.messages).toEqual(messages);
    expect(recorded!.receivedAt).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe('other endpoints', () => {
  it('counts tokens with the same formula as usage.input_tokens', async () => {
    const body = { model: 'claude-haiku-4-5', system: 'sys', messages, tools };
    const counted = await client.messages.countTokens(body);

    expect(counted).toEqual({ input_tokens: estimateInputTokens(body) });
    expect(counted.input_tokens).toBeGreaterThan(10);
    expect(emulator.requests.map((request) => request.path)).toEqual(['/v1/messages/count_tokens']);
  });

  it('lists the emulated models', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);

    expect(ids).toEqual(EMULATOR_MODELS.map((model) => model.id));
    expect(ids).toEqual(expect.arrayContaining(['claude-sonnet-4-5', 'claude-opus-4-1', 'claude-haiku-4-5']));
    const retrieved = await client.models.retrieve('claude-haiku-4-5');
    expect(retrieved).toMatchObject({ type: 'model', id: 'claude-haiku-4-5', display_name: 'Claude Haiku 4.5' });
  });

  it('answers unknown paths with a recorded 404 not_found_error', async () => {
    const response = await fetch(`${emulator.url}/v1/unknown?x=1`);
    const body = (await response.json()) as { type: string; error: { type: string }; request_id: string };

    expect(response.status).toBe(404);
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('not_found_error');
    expect(body.request_id).toBe(response.headers.get('request-id'));
    expect(emulator.requests).toMatchObject([{ method: 'GET', path: '/v1/unknown', query: { x: '1' } }]);
  });

  it('rejects a body that is not JSON', async () => {
    const response = await fetch(`${emulator.url}/v1/messages`, { method: 'POST', body: '{not json' });

    expect(response.status).toBe(400);
    expect(emulator.requests[0]!.rejected).toMatch(/error parsing the body/);
  });
});
