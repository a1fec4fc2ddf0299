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

/** Text that is harness markup rather than something the user typed. */
const MARKUP_PROMPT = /^(?:\s*<[a-z][\w-]*[\s>]|\[Request interrupted by user[^\]]*\])/;
const COMMAND_NAME = /<command-name>(.*?)<\/command-name>/;
const BASH_INPUT = /<bash-input>([\s\S]*?)<\/bash-input>/;
const FIRST_PROMPT_MAX = 200;

/**
 * The first prompt a user typed in `entry`, as the official SDK shows it in listings (one line,
 * at most 200 characters plus an ellipsis). Slash commands are remembered in `state` as a fallback.
 */
export function firstPromptOf(entry: SessionStoreEntry, state: { commandFallback: string }): string | undefined {
  if (entry.type !== 'user' || entry.isMeta === true || entry.isCompactSummary === true) return undefined;
  const message = entry.message as { content?: unknown } | undefined;
  if (!message) return undefined;
  const texts: string[] = [];
  if (typeof message.content === 'string') texts.push(message.content);
  else if (Array.isArray(message.content)) {
    for (const block of message.content as unknown[]) {
      if (!block || typeof block !== 'object') continue;
      const { type, text } = block as { type?: unknown; text?: unknown };
      if (type === 'tool_result') return undefined;
      if (type === 'text' && typeof text === 'string') texts.push(text);
    }
  }
  for (const raw of texts) {
    let text = raw.replaceAll('\n', ' ').trim();
    if (!text) continue;
    const command = COMMAND_NAME.exec(text);
    if (command?.[1] !== undefined) {
      if (!state.commandFallback) state.commandFallback = command[1];
      continue;
    }
    const bash = BASH_INPUT.exec(text);
    if (bash?.[1] !== undefined) return `! ${bash[1].trim()}`;
    if (MARKUP_PROMPT.test(text)) continue;
    if (text.length > FIRST_PROMPT_MAX) text = truncateUtf16(text, FIRST_PROMPT_MAX).trim() + '…';
    return text;
  }
  return undefined;
}

/** Cuts to `length` code units without splitting a surrogate pair. */
function truncateUtf16(text: string, length: number): string {
  const cut = text.slice(0, length);
  const last = cut.charCodeAt(length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

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
    const created = timestampMs(entry.timestamp);
    if (data.isSidechain === undefined) data.isSidechain = entry.isSidechain === true;
    if (data.createdAt === undefined && created !== undefined) data.createdAt = created;
    if (data.cwd === undefined && typeof entry.cwd === 'string' && entry.cwd) data.cwd = entry.cwd;
    if (data.firstPromptLocked !== true) {
      const state = { commandFallback: typeof data.commandFallback === 'string' ? data.commandFallback : '' };
      const prompt = firstPromptOf(entry, state);
      if (state.commandFallback && !data.commandFallback) data.commandFallback = state.commandFallback;
      if (prompt !== undefined) {
        data.firstPrompt = prompt;
        data.firstPromptLocked = true;
      }
    }
    for (const [field, target] of Object.entries(LAST_WINS_FIELDS)) {
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
