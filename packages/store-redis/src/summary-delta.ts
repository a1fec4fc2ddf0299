import { foldSessionSummary } from '@sdk/core/store';
import type { SessionKey, SessionStoreEntry } from '@sdk/core/store';

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

/** Computes the delta of `entries` for the main transcript of `key`. */
export function summaryDeltaOf(key: SessionKey, entries: readonly SessionStoreEntry[]): SummaryDelta {
  const folded = foldSessionSummary(undefined, key, [...entries]).data;
  const delta: SummaryDelta = { setOnce: {}, lastWins: {}, remove: [], unlessLocked: {} };
  // A relocation overwrites the working directory; otherwise the first one seen sticks.
  const relocated = entries.some(
    (entry) => entry.type === 'relocated' && typeof entry.relocatedCwd === 'string' && entry.relocatedCwd !== '',
  );
  const tagged = entries.some((entry) => entry.type === 'tag');
  for (const [field, value] of Object.entries(folded)) {
    if (value === undefined) continue;
    const text = JSON.stringify(value);
    if (SET_ONCE_FIELDS.has(field)) delta.setOnce[field] = text;
    else if (UNLESS_LOCKED_FIELDS.has(field)) delta.unlessLocked[field] = text;
    else if (field === 'cwd') (relocated ? delta.lastWins : delta.setOnce)[field] = text;
    else delta.lastWins[field] = text;
  }
  if (tagged && folded.tag === undefined) delta.remove.push('tag');
  return delta;
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
