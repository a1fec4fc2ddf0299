import { expect } from 'vitest';
import type { ExtendedSessionStore, SessionRef } from '@sdk/core/store';
import type { SpecContext } from '../context.js';
import { eventually, jsonRoundTrip, messageEntries, newSessionKey, sleep, subKey } from '../fixtures.js';

/** Short enough to keep the kit quick, long enough for a remote store's round trips. */
const TTL_MS = 2000;
/** How long after the TTL a store may take to make the session vanish. */
const GRACE_MS = 3000;

async function isGone(store: ExtendedSessionStore, key: SessionRef): Promise<boolean> {
  return (await store.load(key)) === null && (await store.load(subKey(key, 'subagents/agent-e'))) === null;
}

/** `expire`: a session and everything under it vanish together after a TTL. */
export function registerExpiry(context: SpecContext): void {
  context.test(
    'an expired session vanishes with its subkeys and from listings',
    ['expire'],
    async (store) => {
      const key = newSessionKey();
      const kept = newSessionKey(key.projectKey);
      const keptEntries = messageEntries(1, 9);
      await store.append(key, messageEntries(2));
      await store.append(subKey(key, 'subagents/agent-e'), messageEntries(1));
      await store.append(kept, keptEntries);
      await store.expire!(key, TTL_MS);
      // Not before its time.
      expect(await store.load(key)).toHaveLength(2);
      expect(await eventually(() => isGone(store, key), TTL_MS + GRACE_MS)).toBe(true);
      if (store.listSessions) {
        expect((await store.listSessions(key.projectKey)).map((session) => session.sessionId)).toEqual([kept.sessionId]);
      }
      if (store.listSessionSummaries) {
        expect((await store.listSessionSummaries(key.projectKey)).map((summary) => summary.sessionId)).toEqual([kept.sessionId]);
      }
      if (store.listSubkeys) expect(await store.listSubkeys(key)).toEqual([]);
      expect(await store.load(kept)).toEqual(jsonRoundTrip(keptEntries));
    },
    { timeoutMs: TTL_MS + GRACE_MS + 10_000 },
  );

  context.test(
    'a subkey written after expire vanishes with the session',
    ['expire'],
    async (store) => {
      const key = newSessionKey();
      await store.append(key, messageEntries(1));
      await store.expire!(key, TTL_MS);
      await store.append(subKey(key, 'subagents/agent-e'), messageEntries(1));
      expect(await eventually(() => isGone(store, key), TTL_MS + GRACE_MS)).toBe(true);
    },
    { timeoutMs: TTL_MS + GRACE_MS + 10_000 },
  );

  context.test(
    'expire with null keeps the session',
    ['expire'],
    async (store) => {
      const key = newSessionKey();
      const entries = messageEntries(2);
      await store.append(key, entries);
      await store.expire!(key, TTL_MS);
      await store.expire!(key, null);
      await sleep(TTL_MS + 300);
      expect(await store.load(key)).toEqual(jsonRoundTrip(entries));
    },
    { timeoutMs: TTL_MS + 10_000 },
  );

  context.test('a session can be written again after it expired', ['expire'], async (store) => {
    const key = newSessionKey();
    await store.append(key, messageEntries(2));
    await store.expire!(key, 200);
    expect(await eventually(async () => (await store.load(key)) === null, 200 + GRACE_MS)).toBe(true);
    const fresh = messageEntries(1, 5);
    await store.append(key, fresh);
    expect(await store.load(key)).toEqual(jsonRoundTrip(fresh));
  }, { timeoutMs: GRACE_MS + 10_000 });
}
