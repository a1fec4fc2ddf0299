import type { BetaRawMessageStreamEvent } from '@anthropic-ai/sdk/resources/beta/messages/messages';
import { describe, expect, it } from 'vitest';
import { MessageAssembler } from './model-call.js';
import { IncompleteStreamError } from './retry.js';

const start = {
  type: 'message_start',
  message: {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'm',
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 10, output_tokens: 1, cache_read_input_tokens: 4, cache_creation_input_tokens: 0 },
  },
} as unknown as BetaRawMessageStreamEvent;

const events = [
  start,
  { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'let me ' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'think' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig' } },
  { type: 'content_block_stop', index: 0 },
  { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } },
  { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Hello' } },
  { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: ' world' } },
  { type: 'content_block_stop', index: 1 },
  { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'tu', name: 'Read', input: {} } },
  { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"path":' } },
  { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '"a.txt"}' } },
  { type: 'content_block_stop', index: 2 },
  { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 42, input_tokens: null } },
  { type: 'message_stop' },
] as unknown as BetaRawMessageStreamEvent[];

describe('MessageAssembler', () => {
  it('assembles thinking, text and tool input from deltas, with final usage', () => {
    const assembler = new MessageAssembler();
    for (const event of events) assembler.apply(event);
    const message = assembler.finish();
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'let me think', signature: 'sig' },
      { type: 'text', text: 'Hello world' },
      { type: 'tool_use', id: 'tu', name: 'Read', input: { path: 'a.txt' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.usage).toMatchObject({ input_tokens: 10, output_tokens: 42, cache_read_input_tokens: 4 });
  });

  it('refuses a stream cut before message_stop', () => {
    const assembler = new MessageAssembler();
    for (const event of events.slice(0, 8)) assembler.apply(event);
    expect(() => assembler.finish()).toThrow(IncompleteStreamError);
  });
});
