import { APIError } from '@anthropic-ai/sdk';
import { Stream } from '@anthropic-ai/sdk/streaming';
import { describe, expect, it } from 'vitest';
import { messageEventBatches, MessageEventParser, readMessageEvents } from './message-events.js';

/** A seeded generator (mulberry32), so a failing case can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** A response whose body arrives in exactly these chunks. */
function responseOf(chunks: readonly Uint8Array[], headers: Record<string, string> = {}): Response {
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next < chunks.length) controller.enqueue(chunks[next++]!);
      else controller.close();
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/event-stream', ...headers } });
}

/** `bytes` cut at random places, sometimes inside a multi-byte character or a `\r\n`. */
function cut(bytes: Uint8Array, next: () => number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  while (start < bytes.length) {
    const size = 1 + Math.floor(next() * (next() < 0.3 ? 4 : 64));
    chunks.push(bytes.subarray(start, start + size));
    start += size;
  }
  return chunks;
}

type Outcome = { events: unknown[]; error?: { name: string; message: string; status?: unknown; type?: unknown; requestID?: unknown } };

function outcomeOf(events: unknown[], error: unknown): Outcome {
  if (error === undefined) return { events };
  const failure = error as APIError;
  return {
    events,
    error: { name: failure.constructor.name, message: failure.message, status: failure.status, type: failure.type, requestID: failure.requestID },
  };
}

/** Reads a response's events, each to `push`. */
type EventReader = (response: Response, push: (event: unknown) => void) => Promise<void>;

const throughSdk: EventReader = async (response, push) => {
  for await (const event of Stream.fromSSEResponse(response, new AbortController())) push(event);
};
const throughReader: EventReader = (response, push) => readMessageEvents(response, push);
const throughBatches: EventReader = async (response, push) => {
  for await (const batch of messageEventBatches(response)) for (const event of batch) push(event);
};

/** The events `read` gives for a body arriving in `chunks`, and the error it ends with. */
async function outcomeThrough(read: EventReader, chunks: readonly Uint8Array[], headers: Record<string, string>): Promise<Outcome> {
  const events: unknown[] = [];
  try {
    await read(responseOf(chunks, headers), (event) => events.push(event));
  } catch (error) {
    return outcomeOf(events, error);
  }
  return outcomeOf(events, undefined);
}

const encoder = new TextEncoder();

/** One random stream of what an API (or a damaged one) may send. */
function randomBody(next: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const newline = (): string => pick(['\n', '\n', '\n', '\r\n', '\r']);
  let body = next() < 0.1 ? '\uFEFF' : '';
  const count = 1 + Math.floor(next() * 8);
  for (let index = 0; index < count; index++) {
    const kind = pick(['text', 'text', 'text', 'ping', 'comment', 'unnamed', 'multiline', 'empty-data', 'other-field', 'error', 'bad-json', 'no-space', 'empty-name']);
    const text = pick(['plain', 'ünïcödé ✓', '日本語のテキスト', 'emoji 🎉🎉', 'quote " and \\ backslash', '']);
    const json = JSON.stringify({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } });
    const nl = newline();
    switch (kind) {
      case 'text':
        body += `event: content_block_delta${nl}data: ${json}${nl}${nl}`;
        break;
      case 'ping':
        body += `event: ping${nl}data: {"type": "ping"}${nl}${nl}`;
        break;
      case 'comment':
        body += `: keep-alive${nl}`;
        break;
      case 'unnamed':
        body += `data: ${json}${nl}${nl}`;
        break;
      case 'multiline':
        body += `event: message_delta${nl}data: {"type":"message_delta",${nl}data: "delta":{"stop_reason":"end_turn"}}${nl}${nl}`;
        break;
      case 'empty-data':
        body += `event: content_block_stop${nl}data:${nl}${nl}`;
        break;
      case 'other-field':
        body += `id: 7${nl}retry: 10${nl}event: message_stop${nl}data: {"type":"message_stop"}${nl}${nl}`;
        break;
      case 'error':
        body += `event: error${nl}data: ${pick(['{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}', 'not json', ''])}${nl}${nl}`;
        break;
      case 'bad-json':
        body += `event: content_block_delta${nl}data: {"type":${nl}${nl}`;
        break;
      case 'no-space':
        body += `event:message_start${nl}data:${json}${nl}${nl}`;
        break;
      case 'empty-name':
        body += `event:${nl}data: ${json}${nl}${nl}`;
        break;
    }
  }
  // Sometimes the body is cut off mid-event.
  if (next() < 0.2) body = body.slice(0, Math.floor(next() * body.length));
  return body;
}

describe('MessageEventParser', () => {
  it('reads what the SDK’s Stream reads, however the body is cut into chunks', async () => {
    const next = random(20261126);
    for (let sample = 0; sample < 400; sample++) {
      const bytes = encoder.encode(randomBody(next));
      const chunks = cut(bytes, next);
      const headers = { 'request-id': `req_${sample}` };
      const expected = await outcomeThrough(throughSdk, chunks, headers);
      // Either way of reading the events must match the SDK, event for event and error for error.
      expect({ sample, ...(await outcomeThrough(throughReader, chunks, headers)) }).toEqual({ sample, ...expected });
      expect({ sample, ...(await outcomeThrough(throughBatches, chunks, headers)) }).toEqual({ sample, ...expected });
    }
  });

  it('throws an error event as the SDK’s APIError, with its type and the request id', async () => {
    const body = 'event: message_start\ndata: {"type":"message_start"}\n\nevent: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n';
    const events: unknown[] = [];
    const failure = await readMessageEvents(responseOf([encoder.encode(body)], { 'request-id': 'req_9' }), (event) => events.push(event)).catch((error: unknown) => error);
    expect(events).toEqual([{ type: 'message_start' }]);
    expect(failure).toBeInstanceOf(APIError);
    expect(failure).toMatchObject({ status: undefined, type: 'overloaded_error', requestID: 'req_9' });
  });

  it('keeps a character split between chunks whole, and a \\r\\n split between chunks one line ending', () => {
    const parser = new MessageEventParser(new Headers());
    const events: unknown[] = [];
    const bytes = encoder.encode('event: content_block_delta\r\ndata: {"text":"✓"}\r\n\r\n');
    const splitInCharacter = bytes.indexOf(0xe2) + 1;
    const splitInLineEnding = bytes.lastIndexOf(0x0d);
    parser.push(bytes.subarray(0, splitInCharacter), (event) => events.push(event));
    parser.push(bytes.subarray(splitInCharacter, splitInLineEnding), (event) => events.push(event));
    expect(events).toEqual([]);
    parser.push(bytes.subarray(splitInLineEnding), (event) => events.push(event));
    expect(events).toEqual([{ text: '✓' }]);
    parser.end((event) => events.push(event));
    expect(events).toHaveLength(1);
  });

  it('cancels the rest of the body when it stops early', async () => {
    let cancelled: unknown;
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(encoder.encode(pulls === 1 ? 'event: message_start\ndata: {"type":"message_start"}\n\n' : 'event: ping\ndata: {}\n\n'));
      },
      cancel(reason) {
        cancelled = reason ?? 'cancelled';
      },
    });
    const failure = await readMessageEvents(new Response(body), () => {
      throw new Error('handler failed');
    }).catch((error: unknown) => error);
    expect(failure).toEqual(new Error('handler failed'));
    expect(cancelled).toBeDefined();

    cancelled = undefined;
    pulls = 0;
    const again = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulls++;
        controller.enqueue(encoder.encode('event: message_start\ndata: {"type":"message_start"}\n\n'));
      },
      cancel(reason) {
        cancelled = reason ?? 'cancelled';
      },
    });
    for await (const batch of messageEventBatches(new Response(again))) {
      expect(batch).toEqual([{ type: 'message_start' }]);
      break;
    }
    expect(cancelled).toBeDefined();
  });
});
