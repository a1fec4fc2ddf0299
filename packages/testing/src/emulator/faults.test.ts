import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { errorReply, textReply } from './builders.js';
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

const params = { model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user' as const, content: 'hello' }] };

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a failure, got ${JSON.stringify(value)}`);
    },
    (error: unknown) => error,
  );
}

describe('HTTP errors', () => {
  it('honours retry-after on a 429 through the SDK retry loop', async () => {
    const retrying = new Anthropic({ baseURL: emulator.url, apiKey: 'x', maxRetries: 1 });
    emulator.enqueue(errorReply(429, { retryAfter: 1 }));
    const startedAt = performance.now();
    const message = await retrying.messages.create(params);

    expect(message.content).toEqual([{ type: 'text', text: 'echo: hello [messages=1]' }]);
    expect(emulator.requests).toHaveLength(2);
    expect(emulator.requests[1]!.headers['x-stainless-retry-count']).toBe('1');
    // The SDK's own backoff would be ~0.5 s; waiting a full second proves it read retry-after.
    expect(emulator.requests[1]!.receivedAt - emulator.requests[0]!.receivedAt).toBeGreaterThanOrEqual(950);
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(950);
  });

  it('sends the real error body and headers on a 429', async () => {
    emulator.enqueue(errorReply(429, { retryAfter: 7, message: 'Number of request tokens has exceeded your rate limit' }));
    const response = await fetch(`${emulator.url}/v1/messages`, { method: 'POST', body: JSON.stringify(params) });

    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    const requestId = response.headers.get('request-id');
    expect(await response.json()).toEqual({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'Number of request tokens has exceeded your rate limit' },
      request_id: requestId,
    });
  });

  it('maps 429, 529, 500 and 401 to the typed SDK errors', async () => {
    emulator.enqueue(errorReply(429), errorReply(529), errorReply(500), errorReply(401, { message: 'invalid x-api-key' }));
    const rateLimited = await failureOf(client.messages.create(params));
    const overloaded = await failureOf(client.messages.stream(params).finalMessage());
    const internal = await failureOf(client.messages.create(params));
    const unauthorized = await failureOf(client.messages.create(params));

    expect(rateLimited).toBeInstanceOf(Anthropic.RateLimitError);
    expect(overloaded).toBeInstanceOf(Anthropic.InternalServerError);
    expect(overloaded).toMatchObject({ status: 529, type: 'overloaded_error' });
    expect(internal).toBeInstanceOf(Anthropic.InternalServerError);
    expect(internal).toMatchObject({ status: 500, type: 'api_error' });
    expect(unauthorized).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(unauthorized).toMatchObject({
      status: 401,
      type: 'authentication_error',
      apiMessage: 'invalid x-api-key',
      requestID: expect.stringMatching(/^req_01/),
    });
  });

  it('retries a 529 when the client allows it', async () => {
    const retrying = new Anthropic({ baseURL: emulator.url, apiKey: 'x', maxRetries: 2 });
    emulator.enqueue(errorReply(529, { retryAfter: 0.05 }), errorReply(529, { retryAfter: 0.05 }), textReply('third time'));

    const message = await retrying.messages.stream(params).finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: 'third time' }]);
    expect(emulator.requests).toHaveLength(3);
  });
});

describe('transport faults', () => {
  it('resets the connection before any response byte', async () => {
    emulator.enqueue({ type: 'fault', fault: 'connection-reset' });
    const failure = await failureOf(client.messages.create(params));

    expect(failure).toBeInstanceOf(Anthropic.APIConnectionError);
    expect(emulator.requests).toHaveLength(1);
  });

  it('cuts a stream mid-way and the SDK stream rejects', async () => {
    emulator.enqueue({ type: 'fault', fault: 'stream-cut', afterEvents: 4, reply: textReply('never finished text') });
    const stream = client.messages.stream(params);
    const seen: string[] = [];
    stream.on('streamEvent', (event) => seen.push(event.type));
    const failure = await failureOf(stream.finalMessage());

    expect(failure).toBeInstanceOf(Error);
    // message_start, ping (not surfaced), content_block_start, first text delta.
    expect(seen).toEqual(['message_start', 'content_block_start', 'content_block_delta']);
  });

  it('cuts a non-streaming body in half and the SDK call rejects', async () => {
    emulator.enqueue({ type: 'fault', fault: 'stream-cut', afterEvents: 0 });
    const failure = await failureOf(client.messages.create(params));

    expect(failure).toBeInstanceOf(Error);
  });

  it('sends an error event mid-stream and the stream rejects with its type', async () => {
    emulator.enqueue({ type: 'fault', fault: 'stream-error', afterEvents: 3 });
    const stream = client.messages.stream(params);
    const seen: string[] = [];
    stream.on('streamEvent', (event) => seen.push(event.type));
    const failure = await failureOf(stream.finalMessage());

    expect(failure).toBeInstanceOf(Anthropic.APIError);
    expect(failure).toMatchObject({ type: 'overloaded_error', apiMessage: 'Overloaded' });
    expect(seen).toEqual(['message_start', 'content_block_start']);
  });

  it('sends a scripted error type mid-stream', async () => {
    emulator.enqueue({ type: 'fault', fault: 'stream-error', afterEvents: 1, errorType: 'api_error', message: 'Internal server error' });
    const failure = await failureOf(client.messages.stream(params).finalMessage());

    expect(failure).toMatchObject({ type: 'api_error', apiMessage: 'Internal server error' });
  });

  it('answers a non-streaming request hit by stream-error with the matching HTTP error', async () => {
    emulator.enqueue({ type: 'fault', fault: 'stream-error', afterEvents: 1 });
    const failure = await failureOf(client.messages.create(params));

    expect(failure).toBeInstanceOf(Anthropic.InternalServerError);
    expect(failure).toMatchObject({ status: 529, type: 'overloaded_error' });
  });

  it('delays the first byte, then serves the reply', async () => {
    emulator.enqueue({ type: 'fault', fault: 'slow-first-byte', delayMs: 300, reply: textReply('worth the wait') });
    const startedAt = performance.now();
    const message = await client.messages.stream(params).finalMessage();

    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(295);
    expect(message.content).toEqual([{ type: 'text', text: 'worth the wait' }]);
  });

  it('lets a slow first byte trip the client timeout', async () => {
    const impatient = new Anthropic({ baseURL: emulator.url, apiKey: 'x', maxRetries: 0, timeout: 100 });
    emulator.enqueue({ type: 'fault', fault: 'slow-first-byte', delayMs: 2_000 });
    const failure = await failureOf(impatient.messages.create(params));

    expect(failure).toBeInstanceOf(Anthropic.APIConnectionTimeoutError);
  });
});
