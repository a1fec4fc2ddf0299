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

const PARALLEL_STREAMS = 50;

function ask(text: string): Promise<Anthropic.Message> {
  return client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: text }] }).finalMessage();
}

describe('concurrent clients', () => {
  it(`serves ${PARALLEL_STREAMS} parallel streams, each its own reply`, async () => {
    const startedAt = performance.now();
    const messages = await Promise.all(Array.from({ length: PARALLEL_STREAMS }, (_, index) => ask(`request ${index}`)));
    const elapsedMs = performance.now() - startedAt;

    expect(messages.map((message) => message.content)).toEqual(
      Array.from({ length: PARALLEL_STREAMS }, (_, index) => [{ type: 'text', text: `echo: request ${index} [messages=1]` }]),
    );
    expect(emulator.requests).toHaveLength(PARALLEL_STREAMS);
    // Generous bound: a loaded 2-core CI machine; locally this takes well under a second.
    expect(elapsedMs).toBeLessThan(20_000);
  });

  it('keeps serving after a client aborts a stream half-way', async () => {
    emulator.enqueue(textReply('a long answer that the client will not wait for', { eventDelayMs: 50 }));
    const stream = client.messages.stream({ model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'go' }] });
    const firstDelta = new Promise<void>((resolve) => stream.on('text', () => resolve()));
    await firstDelta;
    stream.abort();
    await stream.done().catch(() => undefined);

    const next = await ask('still there?');
    expect(next.content).toEqual([{ type: 'text', text: 'echo: still there? [messages=1]' }]);
    expect(stream.aborted).toBe(true);
  });
});
