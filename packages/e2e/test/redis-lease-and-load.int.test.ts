import type { SessionStore } from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';
import { RedisSessionStore } from '@sdk/store-redis';
import { afterAll, describe, expect, it } from 'vitest';
import { executorFor, messageRequests, newSession, runTurn, transcriptOf } from './support/executor-harness.js';
import { emulatorForThisFile } from './support/file-emulator.js';
import { recorded } from './support/recorded-store.js';

// A turn on Redis takes the session's lease and loads its window in one script
// (acquireLeaseAndLoad): one round trip less per turn. What the turn sends the API must not change.
const emulator = await emulatorForThisFile();
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redis = new RedisSessionStore({ url: REDIS_URL }, { prefix: `e2e-lease-load-${process.pid}-${Date.now().toString(36)}` });
const written: Array<{ projectKey: string; sessionId: string }> = [];

afterAll(async () => {
  for (const session of written) await redis.delete(session);
  await redis.close();
});


describe('a turn on RedisSessionStore', () => {
  it('takes the lease and loads in one call, then writes the prompt, then the answer with the release', async () => {
    const { store, calls } = recorded(redis);
    const session = newSession();
    written.push(session);
    await runTurn(executorFor(store, emulator), { session, prompt: 'first' });
    calls.length = 0;
    const { result } = await runTurn(executorFor(store, emulator), { session, prompt: 'second' });
    expect(result.subtype).toBe('success');
    expect(calls).toEqual(['acquireLeaseAndLoad', 'appendIf', 'appendIf+release']);
    expect(transcriptOf(messageRequests(emulator).at(-1)!)).toEqual(['user: first', 'assistant: echo: first [messages=1]', 'user: second']);
    // The lease went back with the last write.
    await redis.releaseLease(await redis.acquireLease(session, { holder: 'next', ttlMs: 1000 }));
  });

  it('across compactions sends every request the memory store sends (the kept messages before each boundary included)', async () => {
    const compaction = { contextWindow: 3000, threshold: 0.5 };
    const requestsOn = async (store: SessionStore): Promise<string[][]> => {
      emulator.reset();
      const session = newSession();
      written.push(session);
      for (let turn = 1; turn <= 24; turn++) {
        const { result } = await runTurn(executorFor(store, emulator), { session, prompt: `turn ${turn}: ${'lorem ipsum '.repeat(20)}`, compaction });
        expect(result.subtype).toBe('success');
      }
      return messageRequests(emulator).map(transcriptOf);
    };
    const { store, calls } = recorded(redis);
    const onRedis = await requestsOn(store);
    const onMemory = await requestsOn(new InMemorySessionStore());
    expect(onRedis).toEqual(onMemory);
    // Compactions happened, and a turn after one read the kept messages before its boundary.
    expect(onRedis.some((lines) => lines[0]?.startsWith('user: This session is being continued') === true)).toBe(true);
    expect(calls.filter((name) => name === 'acquireLeaseAndLoad')).toHaveLength(24);
    expect(calls).toContain('loadWindow');
    expect(calls).not.toContain('acquireLease');
  });
});
