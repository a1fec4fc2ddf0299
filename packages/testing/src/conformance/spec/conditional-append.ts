import { expect } from 'vitest';
import { SessionConflictError } from '@sdk/core/store';
import type { SpecContext } from '../context.js';
import { jsonRoundTrip, markerEntry, messageEntries, newSessionKey, rejectionOf, subKey } from '../fixtures.js';

/** `appendIf`: the compare-and-append that makes several workers on one session safe. */
export function registerConditionalAppend(context: SpecContext): void {
  context.test('appendIf with the current length appends and reports the new length', ['appendIf'], async (store) => {
    const key = newSessionKey();
    const first = messageEntries(2);
    const second = messageEntries(2, 2);
    await store.append(key, first);
    const result = await store.appendIf!(key, second, { expectedLength: 2 });
    expect(result).toEqual({ appended: 2, skipped: 0, length: 4 });
    expect(await store.load(key)).toEqual(jsonRoundTrip([...first, ...second]));
  });

  context.test('appendIf with expectedLength 0 creates a new session', ['appendIf'], async (store) => {
    const key = newSessionKey();
    const entries = messageEntries(1);
    expect(await store.appendIf!(key, entries, { expectedLength: 0 })).toEqual({ appended: 1, skipped: 0, length: 1 });
    expect(await store.load(key)).toEqual(jsonRoundTrip(entries));
  });

  context.test('appendIf with a stale length rejects with SessionConflictError and writes nothing', ['appendIf'], async (store) => {
    const key = newSessionKey();
    const stored = messageEntries(3);
    await store.append(key, stored);
    for (const expectedLength of [0, 2, 4]) {
      const error = await rejectionOf(() => store.appendIf!(key, messageEntries(1, 10), { expectedLength }));
      expect(error).toBeInstanceOf(SessionConflictError);
    }
    expect(await store.load(key)).toEqual(jsonRoundTrip(stored));
  });

  context.test('appendIf with a length on a key never written conflicts and creates nothing', ['appendIf'], async (store) => {
    const key = newSessionKey();
    const error = await rejectionOf(() => store.appendIf!(key, messageEntries(1), { expectedLength: 1 }));
    expect(error).toBeInstanceOf(SessionConflictError);
    expect(await store.load(key)).toBeNull();
  });

  context.test('appendIf with the last uuid appends', ['appendIf'], async (store) => {
    const key = newSessionKey();
    const first = messageEntries(2);
    const second = messageEntries(1, 2);
    await store.append(key, first);
    const result = await store.appendIf!(key, second, { expectedLastUuid: first[1]!.uuid! });
    expect(result).toEqual({ appended: 1, skipped: 0, length: 3 });
    expect(await store.load(key)).toEqual(jsonRoundTrip([...first, ...second]));
  });

  context.test('appendIf with expectedLastUuid null appends only while no entry has a uuid', ['appendIf'], async (store) => {
    const key = newSessionKey();
    await store.appendIf!(key, [markerEntry('title only')], { expectedLastUuid: null });
    const entries = messageEntries(1);
    await store.appendIf!(key, entries, { expectedLastUuid: null });
    const error = await rejectionOf(() => store.appendIf!(key, messageEntries(1, 1), { expectedLastUuid: null }));
    expect(error).toBeInstanceOf(SessionConflictError);
    expect(await store.load(key)).toEqual(jsonRoundTrip([markerEntry('title only'), ...entries]));
  });

  context.test('appendIf compares the last entry that carries a uuid', ['appendIf'], async (store) => {
    const key = newSessionKey();
    const [message] = messageEntries(1);
    await store.append(key, [message!, markerEntry('a title without uuid')]);
    const result = await store.appendIf!(key, messageEntries(1, 1), { expectedLastUuid: message!.uuid! });
    expect(result.length).toBe(3);
  });

  context.test('appendIf with a stale last uuid rejects with SessionConflictError and writes nothing', ['appendIf'], async (store) => {
    const key = newSessionKey();
    const stored = messageEntries(3);
    await store.append(key, stored);
    const error = await rejectionOf(() => store.appendIf!(key, messageEntries(1, 5), { expectedLastUuid: stored[1]!.uuid! }));
    expect(error).toBeInstanceOf(SessionConflictError);
    expect(await store.load(key)).toEqual(jsonRoundTrip(stored));
  });

  context.test('appendIf requires every given condition', ['appendIf'], async (store) => {
    const key = newSessionKey();
    const stored = messageEntries(2);
    await store.append(key, stored);
    const lastUuid = stored[1]!.uuid!;
    expect(await rejectionOf(() => store.appendIf!(key, messageEntries(1, 5), { expectedLength: 1, expectedLastUuid: lastUuid }))).toBeInstanceOf(
      SessionConflictError,
    );
    expect(
      await rejectionOf(() => store.appendIf!(key, messageEntries(1, 5), { expectedLength: 2, expectedLastUuid: stored[0]!.uuid! })),
    ).toBeInstanceOf(SessionConflictError);
    expect(await store.load(key)).toEqual(jsonRoundTrip(stored));
    const result = await store.appendIf!(key, messageEntries(1, 5), { expectedLength: 2, expectedLastUuid: lastUuid });
    expect(result.length).toBe(3);
  });

  context.test('appendIf on a subkey checks the subkey log, not the main one', ['appendIf'], async (store) => {
    const key = newSessionKey();
    const sub = subKey(key, 'subagents/agent-c');
    await store.append(key, messageEntries(5));
    await store.appendIf!(sub, messageEntries(1), { expectedLength: 0 });
    expect(await rejectionOf(() => store.appendIf!(sub, messageEntries(1, 1), { expectedLength: 5 }))).toBeInstanceOf(SessionConflictError);
    expect(await store.load(sub)).toHaveLength(1);
    expect(await store.load(key)).toHaveLength(5);
  });
}
