import { promptOfEntry } from './first-prompt.js';
import type { SessionKey, SessionStoreEntry, SessionSummaryEntry } from './session-store.js';

/**
 * Summary folding, identical to the official SDK's `foldSessionSummary` so that summaries written
 * by either SDK read the same.
 */

/** Entry fields copied last-wins into the summary, under these summary names. */
const LAST_WINS_FIELDS: Readonly<Record<string, string>> = {
  customTitle: 'customTitle',
  aiTitle: 'aiTitle',
  lastPrompt: 'lastPrompt',
  summary: 'summaryHint',
  gitBranch: 'gitBranch',
};
const LAST_WINS_ENTRIES = Object.entries(LAST_WINS_FIELDS);

function timestampMs(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Folds appended entries into a session's summary. Pure: the store persists the result.
 *
 * Set-once fields (`isSidechain`, `createdAt`, `cwd`, `firstPrompt`) freeze on first sight;
 * last-wins fields (`customTitle`, `aiTitle`, `lastPrompt`, `summaryHint`, `gitBranch`, `tag`)
 * overwrite on every appearance; a `tag` entry with an empty tag clears it. `mtime` is never taken
 * from entries: pass the store's write time as `options.mtime` (else the previous one is kept).
 */
export function foldSessionSummary(
  previous: SessionSummaryEntry | undefined,
  key: SessionKey,
  entries: SessionStoreEntry[],
  options?: { mtime?: number },
): SessionSummaryEntry {
  const mtime = options?.mtime ?? previous?.mtime ?? 0;
  const summary: SessionSummaryEntry = previous
    ? { sessionId: previous.sessionId, mtime, data: { ...previous.data } }
    : { sessionId: key.sessionId, mtime, data: {} };
  const data = summary.data;
  for (const entry of entries) {
    if (data.isSidechain === undefined) data.isSidechain = entry.isSidechain === true;
    if (data.createdAt === undefined) {
      const created = timestampMs(entry.timestamp);
      if (created !== undefined) data.createdAt = created;
    }
    if (data.cwd === undefined && typeof entry.cwd === 'string' && entry.cwd) data.cwd = entry.cwd;
    if (data.firstPromptLocked !== true) {
      const state = { commandFallback: typeof data.commandFallback === 'string' ? data.commandFallback : '' };
      const prompt = promptOfEntry(entry, state);
      if (state.commandFallback && !data.commandFallback) data.commandFallback = state.commandFallback;
      if (prompt !== undefined) {
        data.firstPrompt = prompt;
        data.firstPromptLocked = true;
      }
    }
    for (const [field, target] of LAST_WINS_ENTRIES) {
      const value = entry[field];
      if (typeof value === 'string') data[target] = value;
    }
    if (entry.type === 'tag') {
      if (typeof entry.tag === 'string' && entry.tag) data.tag = entry.tag;
      else delete data.tag;
    }
    if (entry.type === 'relocated' && typeof entry.relocatedCwd === 'string' && entry.relocatedCwd) {
      data.cwd = entry.relocatedCwd;
    }
  }
  return summary;
}
