import { expect } from 'vitest';
import type { SpecContext } from '../context.js';
import { jsonRoundTrip, markerEntry, messageEntries, newSessionKey, subKey } from '../fixtures.js';

/** `capabilities.idempotentAppend`: a retried append never duplicates an entry with a uuid. */
export function registerIdempotentAppend(context: SpecContext): void {
  context.test('re-appending the same uuids stores nothing', ['idempotentAppend'], async (store) => {
    const key = newSessionKey();
    const entries = messageEntries(3);
    await store.append(key, entries);
    await store.append(key, entries);
    await store.append(key, [entries[1]!]);
    expect(await store.load(key)).toEqual(jsonRoundTrip(entries));
  });

  context.test('a retried batch stores only its new entries, in order', ['idempotentAppend'], async (store) => {
    const key = newSessionKey();
    const entries = messageEntries(4);
    await store.append(key, entries.slice(0, 2));
    await store.append(key, entries);
    expect(await store.load(key)).toEqual(jsonRoundTrip(entries));
  });

  context.test('a uuid repeated inside one batch is stored once', ['idempotentAppend'], async (store) => {
    const key = newSessionKey();
    const [first, second] = messageEntries(2);
    await store.append(key, [first!, second!, first!]);
    expect(await store.load(key)).toEqual(jsonRoundTrip([first, second]));
  });

  context.test('entries without a uuid are always appended', ['idempotentAppend'], async (store) => {
    const key = newSessionKey();
    const marker = markerEntry('same title');
    await store.append(key, [marker]);
    await store.append(key, [marker, marker]);
    expect(await store.load(key)).toEqual(jsonRoundTrip([marker, marker, marker]));
  });

  context.test('uuids are deduplicated per key, not across keys', ['idempotentAppend'], async (store) => {
    const key = newSessionKey();
    const other = newSessionKey(key.projectKey);
    const entries = messageEntries(2);
    await store.append(key, entries);
    await store.append(subKey(key, 'subagents/agent-i'), entries);
    await store.append(other, entries);
    expect(await store.load(subKey(key, 'subagents/agent-i'))).toEqual(jsonRoundTrip(entries));
    expect(await store.load(other)).toEqual(jsonRoundTrip(entries));
  });

  context.test('appendIf reports skipped entries', ['idempotentAppend', 'appendIf'], async (store) => {
    const key = newSessionKey();
    const entries = messageEntries(3);
    await store.append(key, entries.slice(0, 2));
    const result = await store.appendIf!(key, entries, { expectedLength: 2 });
    expect(result).toEqual({ appended: 1, skipped: 2, length: 3 });
    expect(await store.load(key)).toEqual(jsonRoundTrip(entries));
  });

  context.test('a deleted session forgets its uuids', ['idempotentAppend', 'delete'], async (store) => {
    const key = newSessionKey();
    const entries = messageEntries(2);
    await store.append(key, entries);
    await store.delete!(key);
    await store.append(key, entries);
    expect(await store.load(key)).toEqual(jsonRoundTrip(entries));
  });
}
