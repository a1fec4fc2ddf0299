import { EntryTooLargeError, SessionStoreError, TranscriptCorruptError } from '@sdk/core/store';
import type { SessionStoreEntry } from '@sdk/core/store';

/** One entry as it is written: its JSON in exactly one of `jsonb` and `text`. */
export type EncodedEntry = {
  uuid: string | null;
  boundary: boolean;
  /** The JSON, for the `entry jsonb` column; null when jsonb cannot hold it. */
  jsonb: string | null;
  /** The JSON, for the `entry_text` column; set only when jsonb cannot hold it. */
  text: string | null;
};

/**
 * PostgreSQL's jsonb refuses `\u0000` (text cannot hold NUL) and unpaired surrogate escapes, both
 * of which `JSON.stringify` writes. A match (also a false one, after an escaped backslash) sends
 * the value to the text column, which keeps any JSON.
 */
const JSONB_UNSAFE = /\\u(?:0000|d[89ab][0-9a-f]{2}|d[c-f][0-9a-f]{2})/i;

/** Splits JSON between the jsonb column and its text fallback. */
export function jsonColumns(json: string): { jsonb: string | null; text: string | null } {
  return JSONB_UNSAFE.test(json) ? { jsonb: null, text: json } : { jsonb: json, text: null };
}

/**
 * Validates and serializes a batch before anything is written: every entry an object with a string
 * `type`, a string `uuid` if any, JSON-serializable, at most `maxEntryBytes` as UTF-8.
 */
export function encodeEntries(entries: readonly SessionStoreEntry[], maxEntryBytes: number): EncodedEntry[] {
  if (!Array.isArray(entries)) throw new SessionStoreError('entries must be an array');
  return entries.map((entry: SessionStoreEntry, index): EncodedEntry => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry) || typeof entry.type !== 'string') {
      throw new SessionStoreError(`entry ${index} must be an object with a string 'type'; nothing was appended`);
    }
    // PostgreSQL text cannot hold NUL, so such a uuid could never be stored or looked up.
    if (entry.uuid !== undefined && (typeof entry.uuid !== 'string' || entry.uuid.includes('\u0000'))) {
      throw new SessionStoreError(`entry ${index} has a uuid that is not a string without NUL characters; nothing was appended`);
    }
    let json: string;
    try {
      json = JSON.stringify(entry, rejectNonJson);
    } catch (error) {
      throw new SessionStoreError(`entry ${index} cannot be serialized as JSON; nothing was appended`, { cause: error });
    }
    // A UTF-16 code unit takes at most 3 bytes in UTF-8: count the bytes only when that bound is over.
    const bytes = json.length * 3 <= maxEntryBytes ? 0 : Buffer.byteLength(json);
    if (bytes > maxEntryBytes) {
      throw new EntryTooLargeError(`entry ${index} is ${bytes} bytes, over the limit of ${maxEntryBytes}; nothing was appended`);
    }
    return {
      uuid: entry.uuid ?? null,
      boundary: entry.type === 'system' && entry.subtype === 'compact_boundary',
      ...jsonColumns(json),
    };
  });
}

/** Parses one stored entry; `index` is its position in the transcript, for the error. */
export function parseEntry(json: string, index: number): SessionStoreEntry {
  let entry: unknown;
  try {
    entry = JSON.parse(json);
  } catch (error) {
    throw new TranscriptCorruptError(`entry ${index} is not valid JSON`, { index }, { cause: error });
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new TranscriptCorruptError(`entry ${index} is not an object`, { index });
  }
  return entry as SessionStoreEntry;
}

/** Functions, symbols and bigints would vanish or throw later: refuse them with the batch. */
function rejectNonJson(this: unknown, _key: string, value: unknown): unknown {
  const type = typeof value;
  if (type === 'function' || type === 'symbol' || type === 'bigint') throw new TypeError(`a ${type} is not a JSON value`);
  return value;
}
