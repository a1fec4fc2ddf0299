import { TranscriptCorruptError } from '@sdk/core/store';
import type { SessionStoreEntry } from '@sdk/core/store';

/**
 * Windows of a transcript parsed without parsing the rest: a turn needs only the entries from the
 * last compaction boundary on, and JSON-parsing a long session's whole file on every turn is most
 * of its load cost. Lines are located by their newlines; only the window's lines are parsed.
 *
 * Used for strict loads of a fully terminated file only. Entry indexes count non-blank lines, which
 * equals the entry count exactly when no line is corrupt — what a strict load guarantees for the
 * parsed part. (Lenient loads skip corrupt lines, so their indexes need the full parse.)
 */

/** Byte ranges of the non-blank lines of a buffer that ends with `\n`. */
export function lineRanges(buffer: Buffer): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let start = 0;
  for (;;) {
    const end = buffer.indexOf(0x0a, start);
    if (end === -1) break;
    if (end > start && !isBlank(buffer, start, end)) ranges.push([start, end]);
    start = end + 1;
  }
  return ranges;
}

function isBlank(buffer: Buffer, start: number, end: number): boolean {
  for (let index = start; index < end; index++) {
    const byte = buffer[index]!;
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0d) return false;
  }
  return true;
}

const BOUNDARY_MARK = Buffer.from('"compact_boundary"');

/** Index (among `ranges`) of the last `compact_boundary` system entry; 0 when there is none. */
export function lastBoundaryIndex(buffer: Buffer, ranges: ReadonlyArray<[number, number]>, file: string): number {
  // One backward search over the bytes; only lines holding the mark are parsed to confirm it.
  let index = ranges.length - 1;
  let position = buffer.length;
  while (index >= 0) {
    const at = buffer.lastIndexOf(BOUNDARY_MARK, position);
    if (at === -1) return 0;
    while (index >= 0 && ranges[index]![0] > at) index--;
    if (index < 0) return 0;
    const [start, end] = ranges[index]!;
    if (at < end) {
      const entry = parseLine(buffer, start, end, file, index);
      if (entry.type === 'system' && entry.subtype === 'compact_boundary') return index;
    }
    position = start - 1;
    if (position < 0) return 0;
    index--;
  }
  return 0;
}

/** Parses the lines `from` (inclusive) to `to` (exclusive); a corrupt one is a `TranscriptCorruptError`. */
export function parseLines(buffer: Buffer, ranges: ReadonlyArray<[number, number]>, from: number, to: number, file: string): SessionStoreEntry[] {
  const entries: SessionStoreEntry[] = [];
  for (let index = from; index < to; index++) {
    const [start, end] = ranges[index]!;
    entries.push(parseLine(buffer, start, end, file, index));
  }
  return entries;
}

function parseLine(buffer: Buffer, start: number, end: number, file: string, index: number): SessionStoreEntry {
  const text = buffer.toString('utf8', start, end);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw corrupt(file, index, error instanceof Error ? error.message : 'invalid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw corrupt(file, index, 'the line is valid JSON but not an object');
  return value as SessionStoreEntry;
}

function corrupt(file: string, index: number, reason: string): TranscriptCorruptError {
  // The line number among non-blank lines: exact when the file has no blank lines, as ours never do.
  return new TranscriptCorruptError(`Corrupt transcript line ${file}:${index + 1}: ${reason}`, { file, line: index + 1 });
}
