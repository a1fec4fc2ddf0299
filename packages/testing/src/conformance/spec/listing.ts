import { expect } from 'vitest';
import type { SpecContext } from '../context.js';
import { messageEntries, newProjectKey, newSessionKey, subKey } from '../fixtures.js';

/** `listSessions` (7–8 of the official suite). */
export function registerListing(context: SpecContext): void {
  context.test('listSessions returns the ids of the project with integer epoch-ms mtimes', ['listSessions'], async (store) => {
    const projectKey = newProjectKey();
    const first = newSessionKey(projectKey);
    const second = newSessionKey(projectKey);
    const before = Date.now();
    await store.append(first, messageEntries(1));
    await store.append(second, messageEntries(2));
    const listed = await store.listSessions!(projectKey);
    expect(listed.map((session) => session.sessionId).sort()).toEqual([first.sessionId, second.sessionId].sort());
    for (const { mtime } of listed) {
      expect(Number.isInteger(mtime)).toBe(true);
      expect(mtime).toBeGreaterThan(1e12);
      // Not a unit or clock error: within a minute of this process's clock.
      expect(Math.abs(mtime - before)).toBeLessThan(60_000);
    }
  });

  context.test('listSessions of an unknown project returns an empty array', ['listSessions'], async (store) => {
    await store.append(newSessionKey(), messageEntries(1));
    expect(await store.listSessions!(newProjectKey())).toEqual([]);
  });

  context.test('listSessions does not list other projects', ['listSessions'], async (store) => {
    const mine = newSessionKey();
    const other = newSessionKey();
    await store.append(mine, messageEntries(1));
    await store.append(other, messageEntries(1));
    expect((await store.listSessions!(mine.projectKey)).map((session) => session.sessionId)).toEqual([mine.sessionId]);
  });

  context.test('listSessions excludes subpaths', ['listSessions'], async (store) => {
    const key = newSessionKey();
    await store.append(key, messageEntries(1));
    await store.append(subKey(key, 'subagents/agent-x1'), messageEntries(2));
    await store.append(subKey(key, 'subagents/agent-x2'), messageEntries(1));
    expect((await store.listSessions!(key.projectKey)).map((session) => session.sessionId)).toEqual([key.sessionId]);
  });

  context.test('listSessions does not list a session that has only subkeys', ['listSessions'], async (store) => {
    const key = newSessionKey();
    await store.append(subKey(key, 'subagents/agent-orphan'), messageEntries(1));
    expect(await store.listSessions!(key.projectKey)).toEqual([]);
  });

  context.test('listSessions mtime does not go back after a later append', ['listSessions'], async (store) => {
    const key = newSessionKey();
    await store.append(key, messageEntries(1));
    const [first] = await store.listSessions!(key.projectKey);
    await store.append(key, messageEntries(1, 1));
    const [second] = await store.listSessions!(key.projectKey);
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(second!.mtime).toBeGreaterThanOrEqual(first!.mtime);
  });
}
