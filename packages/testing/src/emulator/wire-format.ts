import { dummySignature, generateId } from './identifiers.js';
import { estimateInputTokens, estimateOutputTokens } from './token-estimate.js';
import type { EmulatorBlock, EmulatorMessageReply, EmulatorStopReason } from './types.js';

/** A content block exactly as the Messages API returns it. */
export type WireContentBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'redacted_thinking'; data: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

/** The usage object of a Messages API response. */
export type WireUsage = {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
};

/** A complete Messages API response body (`type: 'message'`). */
export type WireMessage = {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: WireContentBlock[];
  stop_reason: EmulatorStopReason;
  stop_sequence: null;
  usage: WireUsage;
};

/** One server-sent event: its `event:` name and its `data:` payload. */
export type WireEvent = { event: string; data: unknown };

/** Fills in ids, signatures, stop reason and usage, giving the exact message the emulator will serve. */
export function materializeMessage(reply: EmulatorMessageReply, requestBody: unknown): WireMessage {
  const content = reply.content.map(materializeBlock);
  const requestedModel = (requestBody as { model?: unknown } | undefined)?.model;
  const usage = reply.usage ?? {};
  return {
    id: reply.id ?? generateId('msg'),
    type: 'message',
    role: 'assistant',
    model: reply.model ?? (typeof requestedModel === 'string' ? requestedModel : 'claude-sonnet-4-5'),
    content,
    stop_reason: reply.stopReason ?? (content.some((block) => block.type === 'tool_use') ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    usage: {
      input_tokens: usage.input_tokens ?? estimateInputTokens(requestBody),
      output_tokens: usage.output_tokens ?? estimateOutputTokens(reply.content),
      cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
      cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
    },
  };
}

function materializeBlock(block: EmulatorBlock): WireContentBlock {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'thinking':
      return { type: 'thinking', thinking: block.thinking, signature: block.signature ?? dummySignature(block.thinking) };
    case 'redacted_thinking':
      return { type: 'redacted_thinking', data: block.data };
    case 'tool_use':
      return { type: 'tool_use', id: block.id ?? generateId('toolu'), name: block.name, input: block.input };
  }
}

/** How many deltas a streamed text, thinking or tool input is split into, so clients must join chunks. */
const CHUNKS_PER_BLOCK = 3;

/** Splits on code points (never inside a surrogate pair) into at most {@link CHUNKS_PER_BLOCK} pieces. */
function splitIntoChunks(text: string): string[] {
  const codePoints = Array.from(text);
  if (codePoints.length === 0) return [];
  const size = Math.ceil(codePoints.length / CHUNKS_PER_BLOCK);
  const chunks: string[] = [];
  for (let start = 0; start < codePoints.length; start += size) {
    chunks.push(codePoints.slice(start, start + size).join(''));
  }
  return chunks;
}

/** The SSE event sequence the real API streams for `message`, from `message_start` to `message_stop`. */
export function streamEvents(message: WireMessage): WireEvent[] {
  const events: WireEvent[] = [];
  const push = (data: { type: string; [field: string]: unknown }): void => {
    events.push({ event: data.type, data });
  };
  push({
    type: 'message_start',
    message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...message.usage, output_tokens: 1 } },
  });
  push({ type: 'ping' });
  message.content.forEach((block, index) => {
    switch (block.type) {
      case 'text':
        push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
        for (const text of splitIntoChunks(block.text)) {
          push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
        }
        break;
      case 'thinking':
        push({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
        for (const thinking of splitIntoChunks(block.thinking)) {
          push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking } });
        }
        push({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } });
        break;
      case 'redacted_thinking':
        push({ type: 'content_block_start', index, content_block: { type: 'redacted_thinking', data: block.data } });
        break;
      case 'tool_use':
        push({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
        for (const partial_json of splitIntoChunks(JSON.stringify(block.input))) {
          push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } });
        }
        break;
    }
    push({ type: 'content_block_stop', index });
  });
  push({
    type: 'message_delta',
    delta: { stop_reason: message.stop_reason, stop_sequence: null },
    usage: {
      output_tokens: message.usage.output_tokens,
      input_tokens: message.usage.input_tokens,
      cache_creation_input_tokens: message.usage.cache_creation_input_tokens,
      cache_read_input_tokens: message.usage.cache_read_input_tokens,
    },
  });
  push({ type: 'message_stop' });
  return events;
}

/** Encodes one event as `event: <type>\ndata: <json>\n\n`. */
export function encodeEvent(event: WireEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}

/** The real API's error body. */
export function errorBody(errorType: string, message: string, requestId: string): string {
  return JSON.stringify({ type: 'error', error: { type: errorType, message }, request_id: requestId });
}
