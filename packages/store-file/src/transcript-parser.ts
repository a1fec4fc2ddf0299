import { TranscriptCorruptError } from '@sdk/core/store';
import type { SessionStoreEntry } from '@sdk/core/store';

/** A line that is not a JSON object, reported (lenient loads) or thrown (strict loads). */
export type CorruptLine = {
  /** The transcript file. */
  file: string;
  /** 1-based line number in the file. */
  line: number;
  /** Why the line was rejected. */
  reason: string;
};

/** What follows a transcript's last `\n`. */
export type TranscriptTail =
  /** Nothing: the file ends with a newline (or is empty). */
  | 'none'
  /** A whole JSON object whose newline never made it to disk: kept, and terminated on the next append. */
  | 'entry'
  /** Part of a line (a crash mid-write): ignored, and truncated on the next append. */
  | 'torn';

export type ParsedTranscript = {
  entries: SessionStoreEntry[];
  /** The verbatim text of each entry's line, when asked for (forks copy lines verbatim). */
  lines: string[] | undefined;
  /** Length in bytes of the newline-terminated part. */
  terminatedBytes: number;
  tail: TranscriptTail;
  corrupt: CorruptLine[];
};

export type ParseOptions = {
  file: string;
  /** Line number of the buffer's first line (for a buffer that starts mid-file). */
  firstLine?: number;
  /** Throw `TranscriptCorruptError` at the first corrupt line instead of skipping it. */
  strict: boolean;
  keepLines?: boolean;
};

function parseObject(line: string): SessionStoreEntry | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return error instanceof Error ? error.message : 'invalid JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the line is valid JSON but not an object';
  return value as SessionStoreEntry;
}

/**
 * Parses JSONL transcript bytes: one entry per `\n`-terminated line, blank lines ignored, unknown
 * entry types and fields kept as they are.
 */
export function parseTranscript(buffer: Buffer, options: ParseOptions): ParsedTranscript {
  const terminatedBytes = buffer.lastIndexOf(0x0a) + 1;
  const rows = buffer.toString('utf8').split('\n');
  const last = rows.pop() ?? '';
  const firstLine = options.firstLine ?? 1;
  const entries: SessionStoreEntry[] = [];
  const lines: string[] | undefined = options.keepLines ? [] : undefined;
  const corrupt: CorruptLine[] = [];
  for (let index = 0; index < rows.length; index++) {
    const row = rows[index]!;
    if (row.length === 0) continue;
    const parsed = parseObject(row);
    if (typeof parsed === 'string') {
      if (row.trim().length === 0) continue;
      const problem: CorruptLine = { file: options.file, line: firstLine + index, reason: parsed };
      if (options.strict) {
        throw new TranscriptCorruptError(`Corrupt transcript line ${problem.file}:${problem.line}: ${problem.reason}`, {
          file: problem.file,
          line: problem.line,
        });
      }
      corrupt.push(problem);
      continue;
    }
    entries.push(parsed);
    lines?.push(row);
  }
  let tail: TranscriptTail = 'none';
  if (last.length > 0) {
    const parsed = last.trim().length === 0 ? 'blank' : parseObject(last);
    if (typeof parsed === 'string') {
      tail = 'torn';
    } else {
      tail = 'entry';
      entries.push(parsed);
      lines?.push(last);
    }
  }
  return { entries, lines, terminatedBytes, tail, corrupt };
}
