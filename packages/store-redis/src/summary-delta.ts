import { foldSessionSummary } from '@sdk/core/store';
import type { SessionKey, SessionStoreEntry, SessionSummaryEntry } from '@sdk/core/store';

/**
 * A batch's effect on a session summary, as hash operations the append script applies atomically.
 *
 * Folding needs the previous summary, which lives on the server. Reading it first would cost a round
 * trip and a compare-and-set retry loop under concurrent appends. Instead the fold of one batch is
 * split by how `foldSessionSummary` treats each field, so the server can merge it into any previous
 * summary without the client seeing it:
 * - `setOnce`: written only where the field is absent (`HSETNX`);
 * - `lastWins`: always written (`HSET`);
 * - `remove`: deleted (`HDEL`), for a cleared tag;
 * - `unlessLocked`: written only while no first prompt has been locked in (`HSETNX`, guarded).
 * Values are JSON texts, so the server stores them without interpreting them.
 * `summary-delta.test.ts` checks that merging deltas equals folding, batch after batch.
 */
export type SummaryDelta = {
  setOnce: Record<string, string>;
  lastWins: Record<string, string>;
  remove: string[];
  unlessLocked: Record<string, string>;
};

const SET_ONCE_FIELDS = new Set(['isSidechain', 'createdAt']);
const UNLESS_LOCKED_FIELDS = new Set(['firstPrompt', 'firstPromptLocked', 'commandFallback']);

/**
 * The fields whose presence settles a summary: every set-once field (`cwd` included) and the first
 * prompt's lock. Once all are stored, no conditional field of any later batch can be written, so a
 * settled session's delta is only its last-wins fields and removals ({@link summaryDeltaOf} with
 * `settled`), which the append script accepts after checking these fields are all there.
 */
export const SETTLING_FIELDS: readonly string[] = [...SET_ONCE_FIELDS, 'cwd', 'firstPromptLocked'];

/**
 * What the fold starts from for a settled session: its set-once fields present and the first prompt
 * locked, so the fold skips them (the prompt search included) and computes only what a settled
 * session's delta carries. The values are never sent.
 */
const SETTLED: SessionSummaryEntry = { sessionId: '', mtime: 0, data: { isSidechain: false, createdAt: 0, cwd: '', firstPromptLocked: true } };

/**
 * Computes the delta of `entries` for the main transcript of `key`; with `settled`, only its last-wins
 * fields and removals, for a session whose {@link SETTLING_FIELDS} are all stored.
 */
export function summaryDeltaOf(key: SessionKey, entries: readonly SessionStoreEntry[], settled = false): SummaryDelta {
  const folded = foldSessionSummary(settled ? SETTLED : undefined, key, [...entries]).data;
  const delta: SummaryDelta = { setOnce: {}, lastWins: {}, remove: [], unlessLocked: {} };
  // A relocation overwrites the working directory; otherwise the first one seen sticks.
  const relocated = entries.some(
    (entry) => entry.type === 'relocated' && typeof entry.relocatedCwd === 'string' && entry.relocatedCwd !== '',
  );
  const tagged = entries.some((entry) => entry.type === 'tag');
  for (const field in folded) {
    const value = folded[field];
    if (value === undefined) continue;
    if (SET_ONCE_FIELDS.has(field)) {
      if (!settled) delta.setOnce[field] = JSON.stringify(value);
    } else if (UNLESS_LOCKED_FIELDS.has(field)) {
      if (!settled) delta.unlessLocked[field] = JSON.stringify(value);
    } else if (field === 'cwd') {
      if (relocated) delta.lastWins[field] = JSON.stringify(value);
      else if (!settled) delta.setOnce[field] = JSON.stringify(value);
    } else delta.lastWins[field] = JSON.stringify(value);
  }
  if (tagged && folded.tag === undefined) delta.remove.push('tag');
  return delta;
}

/** True when a session to which `delta` was applied is settled (see {@link SETTLING_FIELDS}). */
export function settles(delta: SummaryDelta): boolean {
  return SETTLING_FIELDS.every((field) => field in delta.setOnce || field in delta.unlessLocked || field in delta.lastWins);
}

/**
 * Applies `delta` to `previous` exactly as the append script does on the server. The store does not
 * call it; it specifies the script's merge in TypeScript so the tests can compare it with the fold.
 */
export function applySummaryDelta(previous: Record<string, string>, delta: SummaryDelta): Record<string, string> {
  const next = { ...previous };
  for (const [field, value] of Object.entries(delta.setOnce)) if (!(field in next)) next[field] = value;
  for (const [field, value] of Object.entries(delta.lastWins)) next[field] = value;
  for (const field of delta.remove) delete next[field];
  if (!('firstPromptLocked' in next)) {
    for (const [field, value] of Object.entries(delta.unlessLocked)) if (!(field in next)) next[field] = value;
  }
  return next;
}
