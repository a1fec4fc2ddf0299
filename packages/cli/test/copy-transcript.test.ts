import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SessionConflictError } from '@sdk/core';
import type { SessionKey, SessionStore, SessionStoreEntry } from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';
import { copyTranscript } from '../src/copy-transcript.js';
import { sessionUsageOf } from '../src/session-stats.js';
import { conversation } from './helpers.js';

/**
 * A store that keeps entries as JSON with keys sorted, as PostgreSQL `jsonb` returns them: deep-equal
 * to what was appended, not byte-equal. It keeps every entry, repeated uuids included.
 */
function sortedKeysStore(): SessionStore {
  const logs = new Map<string, string[]>();
  const sorted = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(sorted)
      : typeof value === 'object' && value !== null
        ? Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([key, item]) => [key, sorted(item)]))
        : value;
  const name = (key: SessionKey): string => `${key.projectKey}/${key.sessionId}/${key.subpath ?? ''}`;
  return {
    async append(key, entries) {
      logs.set(name(key), [...(logs.get(name(key)) ?? []), ...entries.map((entry) => JSON.stringify(sorted(entry)))]);
    },
    async load(key) {
      const log = logs.get(name(key));
      return log ? log.map((line) => JSON.parse(line) as SessionStoreEntry) : null;
    },
  };
}

describe('copyTranscript', () => {
  const key = { projectKey: 'p', sessionId: randomUUID() };

  it('appends only what is missing, in batches, and nothing the second time', async () => {
    const store = new InMemorySessionStore();
    const { entries } = conversation({ sessionId: key.sessionId, prompts: ['a', 'b', 'c'] });
    await store.append(key, entries.slice(0, 4));
    expect(await copyTranscript(store, key, entries, 2)).toEqual({ appended: entries.length - 4, present: 4 });
    expect(await copyTranscript(store, key, entries, 2)).toEqual({ appended: 0, present: entries.length });
    expect(await store.load(key)).toEqual(entries);
  });

  it('treats a source that repeats a uuid as complete once an idempotent store holds it', async () => {
    const store = new InMemorySessionStore();
    const { entries } = conversation({ sessionId: key.sessionId });
    const repeated = [...entries, entries[1]!];
    expect((await copyTranscript(store, key, repeated, 500)).appended).toBe(entries.length);
    expect(await store.load(key)).toHaveLength(entries.length);
    expect(await copyTranscript(store, key, repeated, 500)).toEqual({ appended: 0, present: entries.length });
  });

  it('keeps the repeats of a source for a store that does not declare idempotent appends', async () => {
    const store = sortedKeysStore();
    const { entries } = conversation({ sessionId: key.sessionId });
    const repeated = [...entries, entries[1]!];
    expect((await copyTranscript(store, key, repeated, 500)).appended).toBe(repeated.length);
    expect(await copyTranscript(store, key, repeated, 500)).toEqual({ appended: 0, present: repeated.length });
  });

  it('recognises entries without uuids that the destination returns with keys reordered', async () => {
    const store = sortedKeysStore();
    const metadata: SessionStoreEntry[] = [
      { type: 'summary', summary: 'Release planning', leafUuid: randomUUID() },
      { type: 'custom-title', customTitle: 'Plan', sessionId: key.sessionId },
    ];
    const entries = [...metadata, ...conversation({ sessionId: key.sessionId }).entries];
    await copyTranscript(store, key, entries.slice(0, 3), 500);
    expect(await copyTranscript(store, key, entries, 500)).toEqual({ appended: entries.length - 3, present: 3 });
    expect(await copyTranscript(store, key, entries, 500)).toEqual({ appended: 0, present: entries.length });
  });

  it('refuses a destination that holds something else', async () => {
    const store = new InMemorySessionStore();
    await store.append(key, conversation({ sessionId: key.sessionId }).entries);
    const other = conversation({ sessionId: key.sessionId }).entries;
    await expect(copyTranscript(store, key, other, 500)).rejects.toBeInstanceOf(SessionConflictError);
    await expect(copyTranscript(store, key, other.slice(0, 1), 500)).rejects.toThrow(/not a prefix of the source/);
  });
});

describe('sessionUsageOf', () => {
  const assistant = (id: string, model: string, usage: Record<string, unknown>): SessionStoreEntry => ({
    type: 'assistant',
    uuid: randomUUID(),
    message: { id, model, role: 'assistant', content: [], usage },
  });

  it('counts each API call once, with its last usage', () => {
    const usage = sessionUsageOf([
      assistant('msg_1', 'claude-opus-4-1-20250805', { input_tokens: 10, output_tokens: 1 }),
      assistant('msg_1', 'claude-opus-4-1-20250805', { input_tokens: 10, output_tokens: 30 }),
      assistant('msg_2', 'claude-opus-4-1-20250805', { input_tokens: 5, output_tokens: 5 }),
    ]);
    expect(usage).toMatchObject({ inputTokens: 15, outputTokens: 35, totalTokens: 50 });
    expect(usage.costUsd).toBeCloseTo((15 * 15 + 35 * 75) / 1e6, 9);
  });

  it('prices 1-hour cache writes at twice the input price and synthetic messages at nothing', () => {
    const usage = sessionUsageOf([
      assistant('msg_1', 'claude-sonnet-4-5', { cache_creation_input_tokens: 100, cache_creation: { ephemeral_1h_input_tokens: 40 } }),
      assistant('msg_2', '<synthetic>', { input_tokens: 1000 }),
      { type: 'user', uuid: randomUUID(), message: { role: 'user', content: 'hi', usage: { input_tokens: 99 } } },
    ]);
    expect(usage).toMatchObject({ inputTokens: 1000, cacheCreationInputTokens: 100, totalTokens: 1100 });
    expect(usage.costUsd).toBeCloseTo((60 * 3.75 + 40 * 6) / 1e6, 9);
  });
});
