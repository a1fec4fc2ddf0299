import { expect } from 'vitest';
import type { SpecContext } from '../context.js';
import { jsonRoundTrip, messageEntries, newProjectKey, newSessionKey, subKey } from '../fixtures.js';

/** `delete` (9–11 of the official suite). */
export function registerDelete(context: SpecContext): void {
  context.test('delete of a main key makes load return null', ['delete'], async (store) => {
    const key = newSessionKey();
    await store.append(key, messageEntries(2));
    await store.delete!(key);
    expect(await store.load(key)).toBeNull();
  });

  context.test('delete of a key never written resolves', ['delete'], async (store) => {
    const key = newSessionKey();
    await expect(store.delete!(key)).resolves.toBeUndefined();
    await expect(store.delete!(subKey(key, 'subagents/agent-none'))).resolves.toBeUndefined();
    expect(await store.load(key)).toBeNull();
  });

  context.test('delete of a main key removes its subkeys', ['delete'], async (store) => {
    const key = newSessionKey();
    await store.append(key, messageEntries(1));
    await store.append(subKey(key, 'subagents/agent-a'), messageEntries(1));
    await store.append(subKey(key, 'subagents/nested/agent-b'), messageEntries(1));
    await store.delete!(key);
    expect(await store.load(subKey(key, 'subagents/agent-a'))).toBeNull();
    expect(await store.load(subKey(key, 'subagents/nested/agent-b'))).toBeNull();
  });

  context.test('delete of a main key leaves other sessions and projects alone', ['delete'], async (store) => {
    const projectKey = newProjectKey();
    const doomed = newSessionKey(projectKey);
    const sibling = newSessionKey(projectKey);
    const elsewhere = { projectKey: newProjectKey(), sessionId: doomed.sessionId };
    const siblingEntries = messageEntries(2);
    const elsewhereEntries = messageEntries(1);
    const siblingSub = messageEntries(1, 9);
    await store.append(doomed, messageEntries(1));
    await store.append(sibling, siblingEntries);
    await store.append(subKey(sibling, 'subagents/agent-s'), siblingSub);
    await store.append(elsewhere, elsewhereEntries);
    await store.delete!(doomed);
    expect(await store.load(sibling)).toEqual(jsonRoundTrip(siblingEntries));
    expect(await store.load(subKey(sibling, 'subagents/agent-s'))).toEqual(jsonRoundTrip(siblingSub));
    expect(await store.load(elsewhere)).toEqual(jsonRoundTrip(elsewhereEntries));
  });

  context.test('delete with a subpath removes only that subkey', ['delete'], async (store) => {
    const key = newSessionKey();
    const main = messageEntries(2);
    const kept = messageEntries(1, 5);
    await store.append(key, main);
    await store.append(subKey(key, 'subagents/agent-gone'), messageEntries(1));
    await store.append(subKey(key, 'subagents/agent-kept'), kept);
    await store.delete!(subKey(key, 'subagents/agent-gone'));
    expect(await store.load(subKey(key, 'subagents/agent-gone'))).toBeNull();
    expect(await store.load(key)).toEqual(jsonRoundTrip(main));
    expect(await store.load(subKey(key, 'subagents/agent-kept'))).toEqual(jsonRoundTrip(kept));
  });

  context.test('delete of a main key removes the session from listSessions', ['delete', 'listSessions'], async (store) => {
    const key = newSessionKey();
    const kept = newSessionKey(key.projectKey);
    await store.append(key, messageEntries(1));
    await store.append(kept, messageEntries(1));
    await store.delete!(key);
    expect((await store.listSessions!(key.projectKey)).map((session) => session.sessionId)).toEqual([kept.sessionId]);
  });

  context.test('delete of a main key removes its subkeys from listSubkeys', ['delete', 'listSubkeys'], async (store) => {
    const key = newSessionKey();
    await store.append(key, messageEntries(1));
    await store.append(subKey(key, 'subagents/agent-a'), messageEntries(1));
    await store.delete!(key);
    expect(await store.listSubkeys!(key)).toEqual([]);
  });

  context.test('a session can be written again after delete', ['delete'], async (store) => {
    const key = newSessionKey();
    await store.append(key, messageEntries(3));
    await store.delete!(key);
    const fresh = messageEntries(1, 7);
    await store.append(key, fresh);
    expect(await store.load(key)).toEqual(jsonRoundTrip(fresh));
  });
}
