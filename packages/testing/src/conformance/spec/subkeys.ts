import { expect } from 'vitest';
import type { SpecContext } from '../context.js';
import { messageEntries, newSessionKey, subKey } from '../fixtures.js';

/** `listSubkeys` (12–13 of the official suite). */
export function registerSubkeys(context: SpecContext): void {
  context.test('listSubkeys returns the subpaths of the session', ['listSubkeys'], async (store) => {
    const key = newSessionKey();
    await store.append(key, messageEntries(1));
    await store.append(subKey(key, 'subagents/agent-a'), messageEntries(1));
    await store.append(subKey(key, 'subagents/agent-b'), messageEntries(2));
    await store.append(subKey(key, 'subagents/workflows/run-1/agent-c'), messageEntries(1));
    expect((await store.listSubkeys!(key)).sort()).toEqual(
      ['subagents/agent-a', 'subagents/agent-b', 'subagents/workflows/run-1/agent-c'].sort(),
    );
  });

  context.test('listSubkeys excludes the main transcript', ['listSubkeys'], async (store) => {
    const key = newSessionKey();
    await store.append(key, messageEntries(2));
    expect(await store.listSubkeys!(key)).toEqual([]);
  });

  context.test('listSubkeys of an unknown session returns an empty array', ['listSubkeys'], async (store) => {
    expect(await store.listSubkeys!(newSessionKey())).toEqual([]);
  });

  context.test('listSubkeys does not list other sessions or projects', ['listSubkeys'], async (store) => {
    const key = newSessionKey();
    const sibling = newSessionKey(key.projectKey);
    const elsewhere = { projectKey: `${key.projectKey}-other`, sessionId: key.sessionId };
    await store.append(subKey(key, 'subagents/agent-mine'), messageEntries(1));
    await store.append(subKey(sibling, 'subagents/agent-sibling'), messageEntries(1));
    await store.append(subKey(elsewhere, 'subagents/agent-elsewhere'), messageEntries(1));
    expect(await store.listSubkeys!(key)).toEqual(['subagents/agent-mine']);
  });

  context.test('listSubkeys lists each subpath once however often it was appended to', ['listSubkeys'], async (store) => {
    const key = newSessionKey();
    for (let batch = 0; batch < 3; batch++) await store.append(subKey(key, 'subagents/agent-a'), messageEntries(1, batch));
    expect(await store.listSubkeys!(key)).toEqual(['subagents/agent-a']);
  });
}
