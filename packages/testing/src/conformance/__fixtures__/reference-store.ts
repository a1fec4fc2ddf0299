import type {
  AppendCondition,
  AppendResult,
  SessionKey,
  SessionListing,
  SessionRef,
  SessionStore,
  SessionStoreEntry,
  SessionSummaryEntry,
} from '@sdk/core/store';
import { assertValidProjectKey, assertValidSessionKey, assertValidSessionRef, foldSessionSummary, SessionConflictError } from '@sdk/core/store';

/**
 * A small, correct store for the kit's own tests: the official protocol plus `appendIf`. The
 * mutants in `mutant-stores.ts` each break one contract of it, and the kit must notice.
 */
export class ReferenceStore implements SessionStore {
  protected readonly lines = new Map<string, string[]>();
  protected readonly mtimes = new Map<string, number>();
  protected readonly summaries = new Map<string, SessionSummaryEntry>();
  #lastMtime = 0;

  async append(key: SessionKey, entries: SessionStoreEntry[]): Promise<void> {
    this.validate(key);
    this.write(key, entries);
  }

  async load(key: SessionKey): Promise<SessionStoreEntry[] | null> {
    this.validate(key);
    return this.lines.get(storageKeyOf(key))?.map((line) => JSON.parse(line) as SessionStoreEntry) ?? null;
  }

  async listSessions(projectKey: string): Promise<SessionListing[]> {
    assertValidProjectKey(projectKey);
    return this.mainKeys(projectKey).map((storageKey) => ({ sessionId: storageKey.slice(projectKey.length + 1), mtime: this.mtimes.get(storageKey) ?? 0 }));
  }

  async listSessionSummaries(projectKey: string): Promise<SessionSummaryEntry[]> {
    assertValidProjectKey(projectKey);
    return [...this.summaries].filter(([storageKey]) => storageKey.startsWith(`${projectKey}/`)).map(([, summary]) => structuredClone(summary));
  }

  async delete(key: SessionKey): Promise<void> {
    this.validate(key);
    const storageKey = storageKeyOf(key);
    this.lines.delete(storageKey);
    if (key.subpath !== undefined) return;
    this.summaries.delete(storageKey);
    for (const candidate of [...this.lines.keys()]) if (candidate.startsWith(`${storageKey}/`)) this.lines.delete(candidate);
  }

  async listSubkeys(key: SessionRef): Promise<string[]> {
    assertValidSessionRef(key);
    const prefix = `${storageKeyOf(key)}/`;
    return [...this.lines.keys()].filter((candidate) => candidate.startsWith(prefix)).map((candidate) => candidate.slice(prefix.length));
  }

  async appendIf(key: SessionKey, entries: SessionStoreEntry[], condition: AppendCondition): Promise<AppendResult> {
    this.validate(key);
    const stored = this.lines.get(storageKeyOf(key)) ?? [];
    const lastUuid = stored.map((line) => (JSON.parse(line) as SessionStoreEntry).uuid).findLast((uuid) => uuid !== undefined) ?? null;
    if (condition.expectedLength !== undefined && condition.expectedLength !== stored.length) throw new SessionConflictError('length differs');
    if (condition.expectedLastUuid !== undefined && condition.expectedLastUuid !== lastUuid) throw new SessionConflictError('last uuid differs');
    const length = stored.length;
    this.write(key, entries);
    return { appended: entries.length, skipped: 0, length: length + entries.length };
  }

  protected validate(key: SessionKey): void {
    assertValidSessionKey(key);
  }

  protected write(key: SessionKey, entries: SessionStoreEntry[]): void {
    if (entries.length === 0) return;
    const storageKey = storageKeyOf(key);
    const stored = this.lines.get(storageKey) ?? [];
    stored.push(...entries.map((entry) => this.serialize(entry)));
    this.lines.set(storageKey, stored);
    this.#lastMtime = Math.max(Date.now(), this.#lastMtime + 1);
    this.mtimes.set(storageKey, this.#lastMtime);
    if (key.subpath === undefined) {
      this.summaries.set(storageKey, foldSessionSummary(this.summaries.get(storageKey), key, entries, { mtime: this.#lastMtime }));
    }
  }

  protected serialize(entry: SessionStoreEntry): string {
    return JSON.stringify(entry);
  }

  protected mainKeys(projectKey: string): string[] {
    return [...this.lines.keys()].filter((candidate) => candidate.startsWith(`${projectKey}/`) && candidate.split('/').length === 2);
  }
}

export function storageKeyOf(key: SessionKey): string {
  const session = `${key.projectKey}/${key.sessionId}`;
  return key.subpath === undefined ? session : `${session}/${key.subpath}`;
}
