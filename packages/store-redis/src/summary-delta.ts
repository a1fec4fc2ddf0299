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

/**
 * The fields whose presence settles a summary: every set-once field (`cwd` included) and the first
 * prompt's lock. Once all are stored, no conditional field of any later batch can be written, so a
 * settled session's delta is only its last-wins fields and removals ({@link summaryDeltaOf} with
 * `settled`), which the append script accepts after checking these fields are all there.
 */
export const SETTLING_FIELDS: readonly string[] = [...SET_ONCE_FIELDS, 'cwd', 'firstPromptLocked'];

/**
 * Entry fields a settled session's delta takes, last wins, under their summary names: the fold's
 * last-wins fields. `summary-delta.test.ts` checks that these (with `type`, `tag` and `relocatedCwd`)
 * are exactly the fields the fold reads from an entry once the summary is settled.
 */
const LAST_WINS_FIELDS: ReadonlyArray<readonly [field: string, name: string]> = [
  ['customTitle', 'customTitle'],
  ['aiTitle', 'aiTitle'],
  ['lastPrompt', 'lastPrompt'],
  ['summary', 'summaryHint'],
  ['gitBranch', 'gitBranch'],
];

/** Every entry field {@link summaryDeltaOf} reads for a settled session. */
export const SETTLED_ENTRY_FIELDS: readonly string[] = [...LAST_WINS_FIELDS.map(([field]) => field), 'type', 'tag', 'relocatedCwd'];

/**
 * Computes the delta of `entries` for the main transcript of `key`; with `settled`, only its last-wins
 * fields and removals, for a session whose {@link SETTLING_FIELDS} are all stored.
 */
export function summaryDeltaOf(key: SessionKey, entries: readonly SessionStoreEntry[], settled = false): SummaryDelta {
  if (settled) return settledDeltaOf(entries);
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
 * The fold of a settled session, restricted to what can still change: the last-wins fields, the tag
 * and a relocation. Written out rather than folded from a settled summary: it runs on every append,
 * and there the fold took 3-5 µs (under 1 µs in a loop of folds alone), this a fraction of it.
 */
function settledDeltaOf(entries: readonly SessionStoreEntry[]): SummaryDelta {
  const lastWins: Record<string, string> = {};
  const remove: string[] = [];
  let tag: string | null | undefined;
  let cwd: string | undefined;
  for (const entry of entries) {
    for (const [field, name] of LAST_WINS_FIELDS) {
      const value = entry[field];
      if (typeof value === 'string') lastWins[name] = value;
    }
    if (entry.type === 'tag') tag = typeof entry.tag === 'string' && entry.tag !== '' ? entry.tag : null;
    if (entry.type === 'relocated' && typeof entry.relocatedCwd === 'string' && entry.relocatedCwd !== '') cwd = entry.relocatedCwd;
  }
  if (tag === null) remove.push('tag');
  else if (tag !== undefined) lastWins.tag = tag;
  if (cwd !== undefined) lastWins.cwd = cwd;
  for (const name in lastWins) lastWins[name] = JSON.stringify(lastWins[name]);
  return { setOnce: {}, lastWins, remove, unlessLocked: {} };
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
