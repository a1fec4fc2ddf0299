import { SessionConflictError, supportsIdempotentAppend } from '@sdk/core';
import type { SessionKey, SessionStore, SessionStoreEntry } from '@sdk/core';

/** What {@link copyTranscript} did. */
export type CopyResult = {
  /** Entries appended now. */
  appended: number;
  /** Entries the destination already held (from an earlier, perhaps interrupted, copy). */
  present: number;
};

/** Batches stay below this many characters of JSON, so no backend call is huge. */
const BATCH_CHARACTERS = 1_048_576;

/**
 * Two entries are the same if they carry the same uuid and type, else if their JSON is the same
 * with keys sorted (a store must return entries deep-equal, not byte-equal: PostgreSQL `jsonb`
 * reorders keys).
 */
function sameEntry(a: SessionStoreEntry, b: SessionStoreEntry): boolean {
  if (typeof a.uuid === 'string' && typeof b.uuid === 'string') return a.uuid === b.uuid && a.type === b.type;
  return canonicalJson(a) === canonicalJson(b);
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    typeof item === 'object' && item !== null && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

function isPrefix(prefix: readonly SessionStoreEntry[], of: readonly SessionStoreEntry[]): boolean {
  if (prefix.length > of.length) return false;
  return prefix.every((entry, index) => sameEntry(entry, of[index]!));
}

/** `entries` without repeated uuids (first wins): what a store that skips known uuids ends up holding. */
function withoutRepeatedUuids(entries: readonly SessionStoreEntry[]): SessionStoreEntry[] {
  const seen = new Set<string>();
  return entries.filter((entry) => {
    if (typeof entry.uuid !== 'string') return true;
    if (seen.has(entry.uuid)) return false;
    seen.add(entry.uuid);
    return true;
  });
}

/**
 * Makes the transcript at `key` in `destination` hold `source`, appending only what is missing.
 *
 * Resumable and idempotent without any checkpoint: the destination itself says how far an earlier
 * copy got. Its entries must be a prefix of the source (appends are atomic per batch, so an
 * interrupted copy leaves a prefix); the rest is appended in order, in batches. A destination that
 * already holds everything is left untouched, so running a copy twice writes nothing the second
 * time. A source that repeats a uuid is compared as the destination stores it: without the
 * repeats when the destination declares idempotent appends (every `@sdk` store does), else as is.
 *
 * Rejects with `SessionConflictError` when the destination holds something else: it is never
 * overwritten.
 */
export async function copyTranscript(
  destination: SessionStore,
  key: SessionKey,
  source: readonly SessionStoreEntry[],
  batchSize: number,
): Promise<CopyResult> {
  const present = (await destination.load(key)) ?? [];
  const deduplicated = withoutRepeatedUuids(source);
  const candidates = supportsIdempotentAppend(destination) ? [deduplicated, source] : [source, deduplicated];
  const target = candidates.find((candidate) => isPrefix(present, candidate));
  if (target === undefined) {
    const where = `${key.projectKey}/${key.sessionId}${key.subpath === undefined ? '' : `/${key.subpath}`}`;
    throw new SessionConflictError(
      `the destination's ${where} holds ${present.length} entries that are not a prefix of the source's ${source.length}: not overwritten`,
      { expectedLength: source.length, actualLength: present.length },
    );
  }
  const missing = target.slice(present.length);
  let batch: SessionStoreEntry[] = [];
  let characters = 0;
  for (const entry of missing) {
    batch.push(entry);
    characters += JSON.stringify(entry).length;
    if (batch.length >= batchSize || characters >= BATCH_CHARACTERS) {
      await destination.append(key, batch);
      batch = [];
      characters = 0;
    }
  }
  if (batch.length > 0) await destination.append(key, batch);
  return { appended: missing.length, present: present.length };
}
