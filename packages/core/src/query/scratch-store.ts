import type { SessionKey, SessionStore, SessionStoreEntry } from '../store/session-store.js';

/**
 * The store of a query with `persistSession: false`: a copy-on-write layer over the real store.
 * Reads fall through to the real store until a session is first written; from then on that
 * session lives in this process only, seeded with what the real store held. So a non-persistent
 * query can resume a stored session and run several turns on it, and the real store never sees a
 * write. Dropped with the query.
 *
 * Why not `InMemorySessionStore`: `@sdk/core` cannot depend on `@sdk/store-memory` (it depends on
 * core), and only `append`/`load` are needed here.
 */
export class ScratchSessionStore implements SessionStore {
  private readonly sessions = new Map<string, SessionStoreEntry[]>();

  constructor(private readonly backing: SessionStore | undefined) {}

  async append(key: SessionKey, entries: SessionStoreEntry[]): Promise<void> {
    const id = idOf(key);
    let stored = this.sessions.get(id);
    if (stored === undefined) {
      stored = (await this.loadBacking(key)) ?? [];
      this.sessions.set(id, stored);
    }
    stored.push(...entries.map((entry) => structuredClone(entry)));
  }

  async load(key: SessionKey): Promise<SessionStoreEntry[] | null> {
    const stored = this.sessions.get(idOf(key));
    if (stored !== undefined) return stored.map((entry) => structuredClone(entry));
    return this.loadBacking(key);
  }

  private async loadBacking(key: SessionKey): Promise<SessionStoreEntry[] | null> {
    return this.backing === undefined ? null : this.backing.load(key);
  }
}

function idOf(key: SessionKey): string {
  return JSON.stringify([key.projectKey, key.sessionId, key.subpath ?? null]);
}
