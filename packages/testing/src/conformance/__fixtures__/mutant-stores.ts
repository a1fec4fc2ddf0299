import type { AppendCondition, AppendResult, SessionKey, SessionListing, SessionStore, SessionStoreEntry } from '@sdk/core/store';
import { foldSessionSummary } from '@sdk/core/store';
import type { ConformanceGroup } from '../types.js';
import { ReferenceStore, storageKeyOf } from './reference-store.js';

/** A store with one contract broken, and the group of the kit that must catch it. */
export type Mutant = { name: string; catchingGroup: ConformanceGroup; create: () => SessionStore };

class ReversedLoad extends ReferenceStore {
  override async load(key: SessionKey): Promise<SessionStoreEntry[] | null> {
    return (await super.load(key))?.reverse() ?? null;
  }
}

class EmptyAppendCreates extends ReferenceStore {
  protected override write(key: SessionKey, entries: SessionStoreEntry[]): void {
    if (entries.length === 0 && !this.lines.has(storageKeyOf(key))) this.lines.set(storageKeyOf(key), []);
    super.write(key, entries);
  }
}

class ListsSubpaths extends ReferenceStore {
  protected override mainKeys(projectKey: string): string[] {
    return [...this.lines.keys()].filter((candidate) => candidate.startsWith(`${projectKey}/`)).map((candidate) => candidate.split('/').slice(0, 2).join('/'));
  }
}

class MtimeInSeconds extends ReferenceStore {
  override async listSessions(projectKey: string): Promise<SessionListing[]> {
    return (await super.listSessions(projectKey)).map((listing) => ({ ...listing, mtime: Math.floor(listing.mtime / 1000) }));
  }
}

class DeleteWithoutCascade extends ReferenceStore {
  override async delete(key: SessionKey): Promise<void> {
    this.validate(key);
    this.lines.delete(storageKeyOf(key));
    this.summaries.delete(storageKeyOf(key));
  }
}

class SubkeysIncludeMain extends ReferenceStore {
  override async listSubkeys(key: { projectKey: string; sessionId: string }): Promise<string[]> {
    const subkeys = await super.listSubkeys(key);
    return this.lines.has(storageKeyOf(key)) ? ['', ...subkeys] : subkeys;
  }
}

class SummariesFoldSubagents extends ReferenceStore {
  protected override write(key: SessionKey, entries: SessionStoreEntry[]): void {
    super.write(key, entries);
    if (key.subpath !== undefined && entries.length > 0) super.write({ projectKey: key.projectKey, sessionId: key.sessionId }, []);
    if (key.subpath !== undefined) {
      const main = storageKeyOf({ projectKey: key.projectKey, sessionId: key.sessionId });
      const summary = this.summaries.get(main);
      if (summary) this.summaries.set(main, { ...summary, data: { ...summary.data, customTitle: 'from a subagent' } });
    }
  }
}

class SummaryLostUpdate extends ReferenceStore {
  #calls = 0;
  override async append(key: SessionKey, entries: SessionStoreEntry[]): Promise<void> {
    const previous = this.summaries.get(storageKeyOf(key));
    const call = this.#calls++;
    await super.append(key, entries);
    if (key.subpath !== undefined || entries.length === 0) return;
    // Fold and write later than the read, earlier calls last: their stale folds win the race.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 50 - call)));
    const latest = this.summaries.get(storageKeyOf(key));
    this.summaries.set(storageKeyOf(key), foldSessionSummary(previous, key, entries, { mtime: latest?.mtime ?? 0 }));
  }
}

class NoKeyValidation extends ReferenceStore {
  protected override validate(): void {}
}

class ThrowsSynchronously extends ReferenceStore {
  override append(key: SessionKey, entries: SessionStoreEntry[]): Promise<void> {
    this.validate(key);
    return super.append(key, entries);
  }
}

class KeepsReferences extends ReferenceStore {
  readonly #objects = new Map<string, SessionStoreEntry[]>();
  override async append(key: SessionKey, entries: SessionStoreEntry[]): Promise<void> {
    await super.append(key, entries);
    if (entries.length > 0) this.#objects.set(storageKeyOf(key), [...(this.#objects.get(storageKeyOf(key)) ?? []), ...entries]);
  }
  override async load(key: SessionKey): Promise<SessionStoreEntry[] | null> {
    const loaded = await super.load(key);
    return loaded && (this.#objects.get(storageKeyOf(key)) ?? loaded);
  }
}

class IgnoresExpectedLength extends ReferenceStore {
  override async appendIf(key: SessionKey, entries: SessionStoreEntry[], condition: AppendCondition): Promise<AppendResult> {
    const { expectedLength: _ignored, ...rest } = condition;
    return super.appendIf(key, entries, rest);
  }
}

class NonAtomicAppendIf extends ReferenceStore {
  override async appendIf(key: SessionKey, entries: SessionStoreEntry[], condition: AppendCondition): Promise<AppendResult> {
    const length = (await this.load(key))?.length ?? 0;
    if (condition.expectedLength !== undefined && condition.expectedLength !== length) return super.appendIf(key, entries, condition);
    // The check and the write are apart: a racing writer slips in between.
    await new Promise((resolve) => setTimeout(resolve, 1));
    return super.appendIf(key, entries, {});
  }
}

class Latin1Content extends ReferenceStore {
  protected override serialize(entry: SessionStoreEntry): string {
    return Buffer.from(JSON.stringify(entry), 'latin1').toString('latin1');
  }
}

class TruncatesLargeEntries extends ReferenceStore {
  protected override serialize(entry: SessionStoreEntry): string {
    const line = JSON.stringify(entry);
    return line.length > 512 * 1024 ? JSON.stringify({ ...entry, message: 'truncated' }) : line;
  }
}

/** Every mutant; the kit must fail at least one test of `catchingGroup` for each. */
export const mutants: readonly Mutant[] = [
  { name: 'reversed load', catchingGroup: 'append-load', create: () => new ReversedLoad() },
  { name: 'empty append creates the session', catchingGroup: 'empty-append', create: () => new EmptyAppendCreates() },
  { name: 'listSessions lists subpaths', catchingGroup: 'listing', create: () => new ListsSubpaths() },
  { name: 'mtime in seconds', catchingGroup: 'listing', create: () => new MtimeInSeconds() },
  { name: 'delete does not cascade', catchingGroup: 'delete', create: () => new DeleteWithoutCascade() },
  { name: 'listSubkeys includes the main transcript', catchingGroup: 'subkeys', create: () => new SubkeysIncludeMain() },
  { name: 'summaries fold subagent appends', catchingGroup: 'summaries', create: () => new SummariesFoldSubagents() },
  { name: 'summary read-fold-write is not serialized', catchingGroup: 'summaries', create: () => new SummaryLostUpdate() },
  { name: 'no key validation', catchingGroup: 'hostile-keys', create: () => new NoKeyValidation() },
  { name: 'throws synchronously', catchingGroup: 'hostile-keys', create: () => new ThrowsSynchronously() },
  { name: 'keeps references', catchingGroup: 'defensive-copies', create: () => new KeepsReferences() },
  { name: 'appendIf ignores expectedLength', catchingGroup: 'conditional-append', create: () => new IgnoresExpectedLength() },
  { name: 'appendIf is not atomic', catchingGroup: 'concurrency', create: () => new NonAtomicAppendIf() },
  { name: 'latin1 content', catchingGroup: 'content', create: () => new Latin1Content() },
  { name: 'truncates large entries', catchingGroup: 'large', create: () => new TruncatesLargeEntries() },
];
