import { expect } from 'vitest';
import type { SpecContext } from '../context.js';
import { canonicalJson, messageEntries, messageEntry, newSessionKey } from '../fixtures.js';

const ENTRY_COUNT = 10_000;
const BATCH_SIZE = 500;

/** Sizes a long-running agent reaches: many entries, and single entries of a megabyte. */
export function registerLarge(context: SpecContext): void {
  context.test(`${ENTRY_COUNT} entries appended in batches load back in order`, [], async (store) => {
    const key = newSessionKey();
    const entries = messageEntries(ENTRY_COUNT);
    for (let start = 0; start < ENTRY_COUNT; start += BATCH_SIZE) await store.append(key, entries.slice(start, start + BATCH_SIZE));
    const loaded = await store.load(key);
    expect(loaded).toHaveLength(ENTRY_COUNT);
    expect(canonicalJson(loaded)).toBe(canonicalJson(entries));
  });

  context.test('a 1 MB entry round-trips', [], async (store) => {
    const key = newSessionKey();
    const big = messageEntry('x'.repeat(1024 * 1024));
    const entries = [messageEntry('before'), big, messageEntry('after')];
    await store.append(key, entries);
    const loaded = await store.load(key);
    expect(canonicalJson(loaded)).toBe(canonicalJson(entries));
  });
}
