import type { SessionStoreEntry } from '../store/session-store.js';
import type { SDKSessionInfo } from './types.js';
import { promptOfEntry } from '../store/first-prompt.js';
import { isRecord } from './is-record.js';

/**
 * Session metadata read from a transcript the way the official SDK reads it: the entries are
 * serialized as JSON Lines, and only the first and last 64 KiB are scanned, line by line, from
 * the end for last-wins fields and from the start for set-once ones. Reproducing this (rather than
 * folding every entry) keeps `getSessionInfo` and `listSessions` equal to the official output, also
 * for long sessions where a field sits in the unread middle.
 */

const WINDOW_BYTES = 65_536;
const GIT_BRANCH_TAIL_CHARACTERS = 8_192;

/** The scanned parts of a serialized transcript. */
export type TranscriptWindows = { mtime: number; size: number; head: string; tail: string };

/** Entries as the official SDK serializes them before reading: one JSON document per line. */
export function serializeTranscript(entries: readonly SessionStoreEntry[]): string {
  return entries.map((entry) => JSON.stringify(entry)).join('\n') + '\n';
}

/** The first and last 64 KiB of `text` (decoded as UTF-8, like a file read), its size and mtime. */
export function transcriptWindows(text: string, mtime: number): TranscriptWindows {
  const bytes = Buffer.from(text, 'utf8');
  const size = bytes.length;
  const head = bytes.subarray(0, WINDOW_BYTES).toString('utf8');
  const tail = size > WINDOW_BYTES ? bytes.subarray(size - WINDOW_BYTES).toString('utf8') : head;
  return { mtime, size, head, tail };
}

/** The timestamp of the last line, else the current time (the official rule for store reads). */
export function lastTimestampOf(text: string): number {
  const trimmed = text.trimEnd();
  const lastLine = trimmed.slice(trimmed.lastIndexOf('\n') + 1);
  try {
    const entry: unknown = JSON.parse(lastLine);
    if (isRecord(entry) && typeof entry.timestamp === 'string') {
      const ms = Date.parse(entry.timestamp);
      if (!Number.isNaN(ms)) return ms;
    }
  } catch {
    // A torn or empty last line: fall back to now, as the official reader does.
  }
  return Date.now();
}

/**
 * The listing of one session, or undefined for a sidechain session (its first line is a sidechain
 * entry) and for a session with nothing to show as its summary (metadata only).
 */
export function sessionInfoFromWindows(
  sessionId: string,
  windows: TranscriptWindows,
  cwdFallback?: string,
): SDKSessionInfo | undefined {
  const { head, tail, mtime, size } = windows;
  const newline = head.indexOf('\n');
  const firstLine = newline >= 0 ? head.slice(0, newline) : head;
  if (firstLine.includes('"isSidechain":true') || firstLine.includes('"isSidechain": true')) return undefined;
  const customTitle =
    lastFieldOfType(tail, 'custom-title', 'customTitle') ||
    lastFieldOfType(head, 'custom-title', 'customTitle') ||
    lastFieldOfType(tail, 'ai-title', 'aiTitle') ||
    lastFieldOfType(head, 'ai-title', 'aiTitle') ||
    undefined;
  const firstPrompt = firstPromptOfText(head) || undefined;
  const created = firstStringValue(head, 'timestamp');
  let createdAt: number | undefined;
  if (created) {
    const ms = Date.parse(created);
    if (!Number.isNaN(ms)) createdAt = ms;
  }
  const summary =
    customTitle ||
    lastField(tail, 'lastPrompt') ||
    lastField(tail, 'summary') ||
    firstPrompt ||
    mediaPlaceholder(head);
  if (!summary) return undefined;
  const gitBranch = lastStringValue(tail, 'gitBranch') || firstStringValue(head, 'gitBranch') || undefined;
  const cwd =
    lastFieldOfTypeStrict(tail, 'relocated', 'relocatedCwd') || firstStringValue(head, 'cwd') || cwdFallback || undefined;
  const tag = lastFieldOfType(tail, 'tag', 'tag') || undefined;
  return withoutUndefined({
    sessionId,
    summary,
    lastModified: mtime,
    fileSize: size,
    customTitle,
    firstPrompt,
    gitBranch,
    cwd,
    tag,
    createdAt,
  });
}

/**
 * The title a fork of a local transcript inherits, read as the official SDK reads it from the
 * file: the last custom title, else the last AI title, else the first prompt (head and tail only).
 */
export function inheritedTitleFromWindows(windows: TranscriptWindows): string | undefined {
  const { head, tail } = windows;
  return (
    lastFieldOfType(tail, 'custom-title', 'customTitle') ||
    lastFieldOfType(head, 'custom-title', 'customTitle') ||
    lastFieldOfType(tail, 'ai-title', 'aiTitle') ||
    lastFieldOfType(head, 'ai-title', 'aiTitle') ||
    firstPromptOfText(head) ||
    undefined
  );
}

/** Drops properties whose value is undefined (optional properties are absent, not undefined). */
export function withoutUndefined<T extends object>(value: { [K in keyof T]: T[K] | undefined }): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/** A top-level string field of one JSON line: `null` when the line does not parse. */
function fieldOfLine(line: string, field: string, type: string | undefined): string | undefined | null {
  try {
    const entry: unknown = JSON.parse(line);
    if (typeof entry === 'object' && entry !== null && (type === undefined || (entry as { type?: unknown }).type === type)) {
      const value = (entry as Record<string, unknown>)[field];
      if (typeof value === 'string') return value;
    }
    return undefined;
  } catch {
    return null;
  }
}

type LineSearch = { type?: string; tolerateTornLines: boolean };

/** Scans lines from the end for the last one that has `field` as a string (of `type`, if given). */
function lastFieldSearch(text: string, field: string, search: LineSearch): string | undefined {
  const typeMarkers =
    search.type === undefined
      ? undefined
      : search.tolerateTornLines
        ? [`"type":"${search.type}"`, `"type": "${search.type}"`]
        : [`"type":"${search.type}"`];
  const fieldMarker = `"${field}":`;
  let end = text.length;
  while (end > 0) {
    const start = text.lastIndexOf('\n', end - 1);
    const line = text.slice(start + 1, end);
    end = start;
    if (line.includes(fieldMarker) && (typeMarkers === undefined || typeMarkers.some((marker) => line.includes(marker)))) {
      let value = fieldOfLine(line, field, search.type);
      if (value === null && search.tolerateTornLines) {
        // A line torn by a crash followed by a complete entry: read the entry that starts inside it.
        const at = line.lastIndexOf(`{${typeMarkers?.[0] ?? ''}`);
        value = at > 0 && !':,['.includes(line.charAt(at - 1)) ? fieldOfLine(line.slice(at), field, search.type) : null;
      }
      if (typeof value === 'string') return value;
    }
    if (start < 0) break;
  }
  return undefined;
}

function lastFieldOfType(text: string, type: string, field: string): string | undefined {
  return lastFieldSearch(text, field, { type, tolerateTornLines: true });
}

function lastFieldOfTypeStrict(text: string, type: string, field: string): string | undefined {
  return lastFieldSearch(text, field, { type, tolerateTornLines: false });
}

function lastField(text: string, field: string): string | undefined {
  return lastFieldSearch(text, field, { tolerateTornLines: false });
}

/** Decodes the raw text of a JSON string value. */
function decodeJsonString(raw: string): string {
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

/** End index of a JSON string whose content starts at `start` (the closing quote), or -1. */
function closingQuote(text: string, start: number): number {
  let index = start;
  while (index < text.length) {
    if (text[index] === '\\') {
      index += 2;
      continue;
    }
    if (text[index] === '"') return index;
    index++;
  }
  return -1;
}

/** The first `"field":"…"` string value anywhere in `text` (compact spelling first). */
function firstStringValue(text: string, field: string): string | undefined {
  for (const marker of [`"${field}":"`, `"${field}": "`]) {
    const at = text.indexOf(marker);
    if (at < 0) continue;
    const start = at + marker.length;
    const end = closingQuote(text, start);
    if (end >= 0) return decodeJsonString(text.slice(start, end));
  }
  return undefined;
}

/** The last `"field":"…"` string value in `text` at or after `from`. */
function lastStringValueFrom(text: string, markers: readonly string[], from: number): string | undefined {
  let value: string | undefined;
  let valueAt = -1;
  for (const marker of markers) {
    let searchFrom = from;
    for (;;) {
      const at = text.indexOf(marker, searchFrom);
      if (at < 0) break;
      const start = at + marker.length;
      const end = closingQuote(text, start);
      if (end >= 0 && at > valueAt) {
        value = text.slice(start, end);
        valueAt = at;
      }
      searchFrom = (end >= 0 ? end : text.length) + 1;
    }
  }
  return value === undefined ? undefined : decodeJsonString(value);
}

/**
 * The last `"field":"…"` value in `text`. Looks first for one that follows another field of the
 * same object in the last 8 KiB (the common case, cheap), then over the whole text.
 */
function lastStringValue(text: string, field: string): string | undefined {
  const compact = `"${field}":"`;
  const markers = [compact, `"${field}": "`];
  const at = text.indexOf(`",${compact}`, text.length - GIT_BRANCH_TAIL_CHARACTERS);
  const nearEnd =
    at > 0 && text[at - 1] !== '\\' && !text.slice(0, at + 1).endsWith(compact)
      ? lastStringValueFrom(text, markers, at + 2)
      : undefined;
  return nearEnd ?? lastStringValueFrom(text, markers, 0);
}

/** The first prompt in `text`, line by line; the first slash command when there is none. */
function firstPromptOfText(text: string): string {
  const state = { commandFallback: '' };
  for (const line of userPromptLines(text)) {
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    const prompt = promptOfEntry(entry, state);
    if (prompt !== undefined) return prompt;
  }
  return state.commandFallback;
}

/** "Image" or "Document" when the first prompts hold only such a block, else the empty string. */
function mediaPlaceholder(text: string): string {
  for (const line of userLines(text, false)) {
    if (line.includes('"type":"image"') || line.includes('"type": "image"')) return 'Image';
    if (line.includes('"type":"document"') || line.includes('"type": "document"')) return 'Document';
  }
  return '';
}

function* userPromptLines(text: string): Generator<string> {
  yield* userLines(text, true);
}

/** Lines that look like user prompts: no tool result, not meta (and not a compaction summary). */
function* userLines(text: string, skipCompactSummaries: boolean): Generator<string> {
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    const line = newline >= 0 ? text.slice(start, newline) : text.slice(start);
    start = newline >= 0 ? newline + 1 : text.length;
    if (!line.includes('"type":"user"') && !line.includes('"type": "user"')) continue;
    if (line.includes('"tool_result"')) continue;
    if (line.includes('"isMeta":true') || line.includes('"isMeta": true')) continue;
    if (skipCompactSummaries && (line.includes('"isCompactSummary":true') || line.includes('"isCompactSummary": true'))) continue;
    yield line;
  }
}
