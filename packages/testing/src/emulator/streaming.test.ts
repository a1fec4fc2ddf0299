import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { textReply, toolUseReply } from './builders.js';
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

const params = { model: 'claude-haiku-4-5', max_tokens: 1024, messages: [{ role: 'user' as const, content: 'hi' }] };

type StreamEvent = Anthropic.MessageStreamEvent;

async function streamOnce(): Promise<{ events: StreamEvent[]; message: Anthropic.Message }> {
  const stream = client.messages.stream(params);
  const events: StreamEvent[] = [];
  // Cloned because the SDK mutates the message_start payload into its running snapshot.
  stream.on('streamEvent', (event) => events.push(structuredClone(event)));
  const message = await stream.finalMessage();
  return { events, message };
}

function deltas(events: StreamEvent[], index?: number): Anthropic.RawContentBlockDeltaEvent[] {
  return events.filter(
    (event): event is Anthropic.RawContentBlockDeltaEvent =>
      event.type === 'content_block_delta' && (index === undefined || event.index === index),
  );
}

function starts(events: StreamEvent[]): Anthropic.RawContentBlockStartEvent[] {
  return events.filter((event): event is Anthropic.RawContentBlockStartEvent => event.type === 'content_block_start');
}

function stops(events: StreamEvent[]): Anthropic.RawContentBlockStopEvent[] {
  return events.filter((event): event is Anthropic.RawContentBlockStopEvent => event.type === 'content_block_stop');
}

describe('streaming through @anthropic-ai/sdk', () => {
  it('streams a text reply in chunks that finalMessage() joins back together', async () => {
    emulator.enqueue(textReply('The quick brown fox jumps over the lazy dog'));
    const { events, message } = await streamOnce();

    expect(events.map((event) => event.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(deltas(events).map((event) => event.delta.type)).toEqual([
      'text_delta',
      'text_delta',
      'text_delta',
    ]);
    expect(message.content).toEqual([{ type: 'text', text: 'The quick brown fox jumps over the lazy dog' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.role).toBe('assistant');
    expect(message.model).toBe('claude-haiku-4-5');
    expect(message.id).toMatch(/^msg_01[0-9A-Za-z]{22}$/);
  });

  it('sends the usage of message_start and message_delta the way the real API does', async () => {
    emulator.enqueue(textReply('12345678', { usage: { input_tokens: 7, cache_read_input_tokens: 3 } }));
    const { events, message } = await streamOnce();

    const start = events.find((event) => event.type === 'message_start')!;
    if (start.type !== 'message_start') throw new Error('unreachable');
    expect(start.message.content).toEqual([]);
    expect(start.message.stop_reason).toBeNull();
    expect(start.message.usage.output_tokens).toBe(1);
    expect(start.message.usage.input_tokens).toBe(7);
    const delta = events.find((event) => event.type === 'message_delta')!;
    if (delta.type !== 'message_delta') throw new Error('unreachable');
    expect(delta.delta).toEqual({ stop_reason: 'end_turn', stop_sequence: null });
    expect(message.usage).toMatchObject({
      input_tokens: 7,
      output_tokens: 2,
      cache_read_input_tokens: 3,
      cache_creation_input_tokens: 0,
    });
  });

  it('streams thinking as thinking_delta chunks then a signature_delta', async () => {
    emulator.enqueue({
      type: 'message',
      content: [
        { type: 'thinking', thinking: 'Let me think about this carefully.', signature: 'c2lnbmF0dXJl' },
        { type: 'text', text: 'Done.' },
      ],
    });
    const { events, message } = await streamOnce();

    expect(deltas(events, 0).map((event) => event.delta.type)).toEqual([
      'thinking_delta',
      'thinking_delta',
      'thinking_delta',
      'signature_delta',
    ]);
    expect(starts(events)[0]!.content_block).toEqual({
      type: 'thinking',
      thinking: '',
      signature: '',
    });
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Let me think about this carefully.', signature: 'c2lnbmF0dXJl' },
      { type: 'text', text: 'Done.' },
    ]);
  });

  it('generates a deterministic signature for thinking without one', async () => {
    const reply = { type: 'message' as const, content: [{ type: 'thinking' as const, thinking: 'hmm' }] };
    emulator.enqueue(reply, reply, { type: 'message', content: [{ type: 'thinking', thinking: 'other' }] });
    const first = (await streamOnce()).message.content[0] as Anthropic.ThinkingBlock;
    const second = (await streamOnce()).message.content[0] as Anthropic.ThinkingBlock;
    const third = (await streamOnce()).message.content[0] as Anthropic.ThinkingBlock;

    expect(first.signature.length).toBeGreaterThan(20);
    expect(second.signature).toBe(first.signature);
    expect(third.signature).not.toBe(first.signature);
  });

  it('streams redacted thinking as a start event with the data and no deltas', async () => {
    emulator.enqueue({ type: 'message', content: [{ type: 'redacted_thinking', data: 'ZW5jcnlwdGVk' }] });
    const { events, message } = await streamOnce();

    expect(events.map((event) => event.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(message.content).toEqual([{ type: 'redacted_thinking', data: 'ZW5jcnlwdGVk' }]);
  });

  it('streams a tool call as input_json_delta chunks that parse back to the input', async () => {
    const input = { command: 'ls -la /tmp', nested: { list: [1, 2, 3], flag: true }, unicode: 'naïve ☃' };
    emulator.enqueue(toolUseReply('Bash', input, { id: 'toolu_fixed', text: 'Running it.' }));
    const { events, message } = await streamOnce();

    expect(starts(events)[1]!.content_block).toEqual({ type: 'tool_use', id: 'toolu_fixed', name: 'Bash', input: {} });
    const jsonDeltas = deltas(events, 1);
    expect(jsonDeltas.length).toBeGreaterThan(1);
    expect(jsonDeltas.every((event) => event.delta.type === 'input_json_delta')).toBe(true);
    expect(message.content).toEqual([
      { type: 'text', text: 'Running it.' },
      { type: 'tool_use', id: 'toolu_fixed', name: 'Bash', input },
    ]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('generates toolu_ ids when none is scripted', async () => {
    emulator.enqueue(toolUseReply('Read', { path: '/a' }), toolUseReply('Read', { path: '/a' }));
    const first = (await streamOnce()).message.content[0] as Anthropic.ToolUseBlock;
    const second = (await streamOnce()).message.content[0] as Anthropic.ToolUseBlock;

    expect(first.id).toMatch(/^toolu_01[0-9A-Za-z]{22}$/);
    expect(second.id).not.toBe(first.id);
  });

  it('keeps several blocks in order with their indexes', async () => {
    emulator.enqueue({
      type: 'message',
      content: [
        { type: 'thinking', thinking: 'plan', signature: 'sig' },
        { type: 'text', text: 'First I will read.' },
        { type: 'tool_use', name: 'Read', input: { path: 'a.txt' }, id: 'toolu_a' },
        { type: 'tool_use', name: 'Read', input: { path: 'b.txt' }, id: 'toolu_b' },
      ],
      stopReason: 'tool_use',
      model: 'claude-opus-4-1',
      id: 'msg_scripted',
    });
    const { events, message } = await streamOnce();

    expect(starts(events).map((event) => event.index)).toEqual([0, 1, 2, 3]);
    expect(stops(events).map((event) => event.index)).toEqual([0, 1, 2, 3]);
    expect(message).toMatchObject({
      id: 'msg_scripted',
      model: 'claude-opus-4-1',
      stop_reason: 'tool_use',
      content: [
        { type: 'thinking', thinking: 'plan', signature: 'sig' },
        { type: 'text', text: 'First I will read.' },
        { type: 'tool_use', id: 'toolu_a', name: 'Read', input: { path: 'a.txt' } },
        { type: 'tool_use', id: 'toolu_b', name: 'Read', input: { path: 'b.txt' } },
      ],
    });
  });

  it('reports the scripted stop reason', async () => {
    emulator.enqueue(textReply('cut', { stopReason: 'max_tokens' }));
    const { message } = await streamOnce();
    expect(message.stop_reason).toBe('max_tokens');
  });

  it('sends a ping, the SSE content type and a request-id header on the wire', async () => {
    emulator.enqueue(textReply('raw'));
    const response = await fetch(`${emulator.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...params, stream: true }),
    });
    const text = await response.text();

    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('request-id')).toMatch(/^req_01/);
    const eventNames = [...text.matchAll(/^event: (\w+)\ndata: (.*)\n\n/gm)].map((match) => match[1]);
    expect(eventNames).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
  });

  it('paces events by eventDelayMs', async () => {
    emulator.enqueue(textReply('slow stream', { eventDelayMs: 40 }));
    const startedAt = performance.now();
    await streamOnce();
    // 9 events, 8 gaps of 40 ms; allow a little timer slack.
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(8 * 40 - 10);
  });
});
