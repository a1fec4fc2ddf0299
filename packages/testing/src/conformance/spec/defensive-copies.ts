import { expect } from 'vitest';
import type { SpecContext } from '../context.js';
import { jsonRoundTrip, messageEntries, newSessionKey } from '../fixtures.js';

/**
 * A store keeps what was appended, not a reference to the caller's objects. Serialising stores
 * pass by construction; in-memory stores must copy on the way in and on the way out.
 */
export function registerDefensiveCopies(context: SpecContext): void {
  context.test('mutating appended entries afterwards does not change the stored log', [], async (store) => {
    const key = newSessionKey();
    const entries = messageEntries(2);
    const expected = jsonRoundTrip(entries);
    await store.append(key, entries);
    entries[0]!.type = 'mutated';
    (entries[1]!.message as { content: unknown[] }).content.push('mutated');
    entries.push(...messageEntries(1, 2));
    expect(await store.load(key)).toEqual(expected);
  });

  context.test('mutating a loaded log does not change the stored log', [], async (store) => {
    const key = newSessionKey();
    const entries = messageEntries(2);
    await store.append(key, entries);
    const loaded = await store.load(key);
    loaded![0]!.type = 'mutated';
    (loaded![0]!.message as Record<string, unknown>).content = 'mutated';
    loaded!.pop();
    expect(await store.load(key)).toEqual(jsonRoundTrip(entries));
  });
}
