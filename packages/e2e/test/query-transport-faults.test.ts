import { createQuery } from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';
import { errorReply, textReply } from '@sdk/testing/emulator';
import { beforeEach, describe, expect, it } from 'vitest';
import { collect, emulatorEnvironment } from './support/query-harness.js';
import { RETRIED_FAULTS } from './support/retried-faults.js';
import { emulatorForThisFile } from './support/file-emulator.js';

// query() talks to the API over node:http (packages/core/src/http/node-fetch.ts), not the
// global fetch: the faults the executor retries must look to it exactly as they do through fetch.
const emulator = await emulatorForThisFile();
let store: InMemorySessionStore;
const query = createQuery({ defaultStore: () => store });

beforeEach(() => {
  store = new InMemorySessionStore();
});

const options = () => ({ env: emulatorEnvironment(emulator.url), model: 'claude-sonnet-4-5', cwd: '/tmp' });

describe('query() API faults through its HTTP transport', () => {
  const retried = RETRIED_FAULTS;

  it.each(retried)('retries a %s and answers', async (_name, fault, status) => {
    emulator.enqueue(fault);
    const messages = await collect(query({ prompt: 'first', options: options() }));
    const retries = messages.filter((message) => message.type === 'system' && message.subtype === 'api_retry');
    expect(retries).toEqual([expect.objectContaining({ attempt: 1, error_status: status })]);
    const result = messages.at(-1);
    expect(result).toMatchObject({ type: 'result', subtype: 'success', result: 'echo: first [messages=1]' });
  });

  it('reports a 400 with the API error message and does not retry', async () => {
    emulator.enqueue(errorReply(400, { message: 'bad thing 400' }));
    const messages = await collect(query({ prompt: 'first', options: options() }));
    expect(messages.filter((message) => message.type === 'system' && message.subtype === 'api_retry')).toEqual([]);
    expect(JSON.stringify(messages.at(-1))).toContain('bad thing 400');
  });

  it('aborts a slow answer mid-stream', async () => {
    emulator.enqueue(textReply('a long answer that streams slowly word by word', { eventDelayMs: 150 }));
    const abortController = new AbortController();
    const pending = collect(query({ prompt: 'first', options: { ...options(), abortController } }));
    setTimeout(() => abortController.abort(), 300);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });
});
