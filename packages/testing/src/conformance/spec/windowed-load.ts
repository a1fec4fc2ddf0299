import { expect } from 'vitest';
import type { SpecContext } from '../context.js';
import { compactBoundaryEntry, jsonRoundTrip, messageEntries, newSessionKey, subKey } from '../fixtures.js';

/** `loadWindow`: part of a transcript, so a long session does not cost a full load per turn. */
export function registerWindowedLoad(context: SpecContext): void {
  context.test('loadWindow returns a range with its start and the whole length', ['loadWindow'], async (store) => {
    const key = newSessionKey();
    const entries = messageEntries(10);
    await store.append(key, entries);
    expect(await store.loadWindow!(key, { start: 2, end: 5 })).toEqual({ entries: jsonRoundTrip(entries.slice(2, 5)), start: 2, length: 10 });
    expect(await store.loadWindow!(key, { start: 7 })).toEqual({ entries: jsonRoundTrip(entries.slice(7)), start: 7, length: 10 });
    expect(await store.loadWindow!(key, { start: 0 })).toEqual({ entries: jsonRoundTrip(entries), start: 0, length: 10 });
  });

  context.test('a read-only loadWindow returns the same entries, and whatever it shares stays unchanged', ['loadWindow'], async (store) => {
    const key = newSessionKey();
    const entries = [...messageEntries(3), compactBoundaryEntry(), ...messageEntries(2, 3)];
    await store.append(key, entries);
    const whole = await store.loadWindow!(key, { start: 0 }, { readOnly: true });
    expect(whole).toEqual({ entries: jsonRoundTrip(entries), start: 0, length: entries.length });
    expect(await store.loadWindow!(key, { fromLastCompactBoundary: true }, { readOnly: true })).toEqual({
      entries: jsonRoundTrip(entries.slice(3)),
      start: 3,
      length: entries.length,
    });
    // A store may hand out its own objects here, frozen; a caller that tries to change one must not change the log.
    try {
      (whole!.entries[0] as Record<string, unknown>).type = 'mutated';
    } catch {
      // frozen: the attempt throws, which is what a read-only caller asked for
    }
    expect(await store.load(key)).toEqual(jsonRoundTrip(entries));
  });

  context.test('loadWindow past the end returns no entries and the length', ['loadWindow'], async (store) => {
    const key = newSessionKey();
    await store.append(key, messageEntries(3));
    const window = await store.loadWindow!(key, { start: 5, end: 9 });
    expect(window?.entries).toEqual([]);
    expect(window?.length).toBe(3);
  });

  context.test('loadWindow of a key never written returns null', ['loadWindow'], async (store) => {
    const key = newSessionKey();
    expect(await store.loadWindow!(key, { start: 0 })).toBeNull();
    expect(await store.loadWindow!(key, { fromLastCompactBoundary: true })).toBeNull();
  });

  context.test('loadWindow from the last compact boundary starts at that boundary', ['loadWindow'], async (store) => {
    const key = newSessionKey();
    const entries = [...messageEntries(3), compactBoundaryEntry(), ...messageEntries(2, 3), compactBoundaryEntry(), ...messageEntries(2, 5)];
    await store.append(key, entries);
    expect(await store.loadWindow!(key, { fromLastCompactBoundary: true })).toEqual({
      entries: jsonRoundTrip(entries.slice(6)),
      start: 6,
      length: entries.length,
    });
  });

  context.test('loadWindow from the last compact boundary without one returns everything', ['loadWindow'], async (store) => {
    const key = newSessionKey();
    const entries = [...messageEntries(3), { type: 'system', subtype: 'informational', uuid: '6f1d7c3e-0000-4000-8000-000000000001' }];
    await store.append(key, entries);
    expect(await store.loadWindow!(key, { fromLastCompactBoundary: true })).toEqual({ entries: jsonRoundTrip(entries), start: 0, length: 4 });
  });

  context.test('loadWindow reads a subkey on its own', ['loadWindow'], async (store) => {
    const key = newSessionKey();
    const sub = messageEntries(4, 100);
    await store.append(key, messageEntries(8));
    await store.append(subKey(key, 'subagents/agent-w'), sub);
    expect(await store.loadWindow!(subKey(key, 'subagents/agent-w'), { start: 1, end: 3 })).toEqual({
      entries: jsonRoundTrip(sub.slice(1, 3)),
      start: 1,
      length: 4,
    });
  });
}
