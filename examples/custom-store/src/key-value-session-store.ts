import type { SessionKey, SessionListing, SessionStore, SessionStoreEntry } from '@sdk/core/store';
import { assertValidProjectKey, assertValidSessionKey } from '@sdk/core/store';

/** One transcript as a key-value backend would hold it: serialized lines and a write time. */
type StoredTranscript = { lines: string[]; mtime: number };

/**
 * A third-party `SessionStore` over a key-value map: the required `append` and `load`, plus
 * `listSessions` and `delete`. Swap the `Map` for any key-value backend (a KV service, an object
 * store) and keep the rest.
 *
 * Each transcript lives under `<projectKey>/<sessionId>` or `<projectKey>/<sessionId>/<subpath>`.
 * That layout is unambiguous only because keys are validated first: a valid project key and
 * session id contain no `/`.
 */
export class KeyValueSessionStore implements SessionStore {
  readonly #transcripts = new Map<string, StoredTranscript>();
  #lastMtime = 0;

  async append(key: SessionKey, entries: SessionStoreEntry[]): Promise<void> {
    assertValidSessionKey(key);
    // An empty batch must not create the session, or it would be listed and resumed.
    if (entries.length === 0) return;
    // Serializing copies the entries, so callers cannot change what was stored.
    const lines = entries.map((entry) => JSON.stringify(entry));
    const storageKey = storageKeyOf(key);
    const transcript = this.#transcripts.get(storageKey) ?? { lines: [], mtime: 0 };
    transcript.lines.push(...lines);
    // Strictly increasing, so two writes in the same millisecond still order.
    this.#lastMtime = Math.max(Date.now(), this.#lastMtime + 1);
    transcript.mtime = this.#lastMtime;
    this.#transcripts.set(storageKey, transcript);
  }

  async load(key: SessionKey): Promise<SessionStoreEntry[] | null> {
    assertValidSessionKey(key);
    const transcript = this.#transcripts.get(storageKeyOf(key));
    return transcript ? transcript.lines.map((line) => JSON.parse(line) as SessionStoreEntry) : null;
  }

  async listSessions(projectKey: string): Promise<SessionListing[]> {
    assertValidProjectKey(projectKey);
    const prefix = `${projectKey}/`;
    const sessions: SessionListing[] = [];
    for (const [storageKey, transcript] of this.#transcripts) {
      if (!storageKey.startsWith(prefix)) continue;
      const sessionId = storageKey.slice(prefix.length);
      // Main transcripts only: a subpath key has another `/` after the session id.
      if (!sessionId.includes('/')) sessions.push({ sessionId, mtime: transcript.mtime });
    }
    return sessions;
  }

  async delete(key: SessionKey): Promise<void> {
    assertValidSessionKey(key);
    const storageKey = storageKeyOf(key);
    this.#transcripts.delete(storageKey);
    if (key.subpath !== undefined) return;
    // Deleting a session deletes its subagent transcripts too.
    for (const candidate of [...this.#transcripts.keys()]) {
      if (candidate.startsWith(`${storageKey}/`)) this.#transcripts.delete(candidate);
    }
  }
}

function storageKeyOf(key: SessionKey): string {
  const session = `${key.projectKey}/${key.sessionId}`;
  return key.subpath === undefined ? session : `${session}/${key.subpath}`;
}
