import { expect } from 'vitest';
import type { SpecContext } from '../context.js';
import { newSessionKey, subKey } from '../fixtures.js';

/**
 * `append(key, [])` is a no-op, also for a key never written: it must not create the session,
 * or an empty session would show up in listings and turn a later "new session" into a resume.
 */
export function registerEmptyAppend(context: SpecContext): void {
  context.test('append of an empty batch does not create the session', [], async (store) => {
    const key = newSessionKey();
    await store.append(key, []);
    expect(await store.load(key)).toBeNull();
  });

  context.test('append of an empty batch does not create a subkey', [], async (store) => {
    const key = newSessionKey();
    await store.append(subKey(key, 'subagents/agent-empty'), []);
    expect(await store.load(subKey(key, 'subagents/agent-empty'))).toBeNull();
  });

  context.test('append of an empty batch does not list the session', ['listSessions'], async (store) => {
    const key = newSessionKey();
    await store.append(key, []);
    expect(await store.listSessions!(key.projectKey)).toEqual([]);
  });

  context.test('append of an empty batch does not list a subkey', ['listSubkeys'], async (store) => {
    const key = newSessionKey();
    await store.append(subKey(key, 'subagents/agent-empty'), []);
    expect(await store.listSubkeys!(key)).toEqual([]);
  });
}
