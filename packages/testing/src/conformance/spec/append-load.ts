import { expect } from 'vitest';
import type { SpecContext } from '../context.js';
import { jsonRoundTrip, markerEntry, messageEntries, newProjectKey, newSessionKey, subKey } from '../fixtures.js';

/** The official contracts on `append` and `load` (1–6 of the official conformance suite). */
export function registerAppendLoad(context: SpecContext): void {
  context.test('append then load returns the entries in order', [], async (store) => {
    const key = newSessionKey();
    const entries = [...messageEntries(3), markerEntry('a title')];
    await store.append(key, entries);
    expect(await store.load(key)).toEqual(jsonRoundTrip(entries));
  });

  context.test('load of a key never written returns null', [], async (store) => {
    expect(await store.load(newSessionKey())).toBeNull();
  });

  context.test('load of an unknown subpath of an existing session returns null', [], async (store) => {
    const key = newSessionKey();
    await store.append(key, messageEntries(1));
    expect(await store.load(subKey(key, 'subagents/agent-unknown'))).toBeNull();
  });

  context.test('several appends keep call order', [], async (store) => {
    const key = newSessionKey();
    const batches = [messageEntries(2, 0), messageEntries(1, 2), [markerEntry('t')], messageEntries(3, 3)];
    for (const batch of batches) await store.append(key, batch);
    expect(await store.load(key)).toEqual(jsonRoundTrip(batches.flat()));
  });

  context.test('append of an empty batch to an existing session changes nothing', [], async (store) => {
    const key = newSessionKey();
    const entries = messageEntries(2);
    await store.append(key, entries);
    await store.append(key, []);
    expect(await store.load(key)).toEqual(jsonRoundTrip(entries));
  });

  context.test('append of an empty batch to a new key stores no entry', [], async (store) => {
    const key = newSessionKey();
    await store.append(key, []);
    const loaded = await store.load(key);
    // The official contract allows null or an empty log here; the 'empty-append' group demands null.
    expect(loaded === null || loaded.length === 0).toBe(true);
  });

  context.test('a subpath is independent of the main transcript', [], async (store) => {
    const key = newSessionKey();
    const main = messageEntries(2);
    const sub = messageEntries(3, 10);
    await store.append(key, main);
    await store.append(subKey(key, 'subagents/agent-a1'), sub);
    expect(await store.load(key)).toEqual(jsonRoundTrip(main));
    expect(await store.load(subKey(key, 'subagents/agent-a1'))).toEqual(jsonRoundTrip(sub));
  });

  context.test('a subpath can be written before its main transcript exists', [], async (store) => {
    const key = newSessionKey();
    const sub = messageEntries(1);
    await store.append(subKey(key, 'subagents/agent-early'), sub);
    expect(await store.load(key)).toBeNull();
    expect(await store.load(subKey(key, 'subagents/agent-early'))).toEqual(jsonRoundTrip(sub));
  });

  context.test('the same session id in two projects names two sessions', [], async (store) => {
    const first = newSessionKey();
    const second = { projectKey: newProjectKey(), sessionId: first.sessionId };
    const firstEntries = messageEntries(2);
    const secondEntries = messageEntries(1, 5);
    await store.append(first, firstEntries);
    expect(await store.load(second)).toBeNull();
    await store.append(second, secondEntries);
    expect(await store.load(first)).toEqual(jsonRoundTrip(firstEntries));
    expect(await store.load(second)).toEqual(jsonRoundTrip(secondEntries));
  });

  context.test('sessions of one project are independent', [], async (store) => {
    const projectKey = newProjectKey();
    const first = newSessionKey(projectKey);
    const second = newSessionKey(projectKey);
    await store.append(first, messageEntries(1));
    await store.append(second, messageEntries(2, 1));
    expect(await store.load(first)).toHaveLength(1);
    expect(await store.load(second)).toHaveLength(2);
  });
}
