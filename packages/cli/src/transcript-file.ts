import { readFile } from 'node:fs/promises';
import { TranscriptCorruptError } from '@sdk/core';
import type { SessionStoreEntry } from '@sdk/core';
import { UsageError } from './cli-errors.js';

/** Entries as Claude Code writes a transcript file: one JSON document per line, each line ended. */
export function transcriptJsonl(entries: readonly SessionStoreEntry[]): string {
  return entries.map((entry) => `${JSON.stringify(entry)}\n`).join('');
}

/**
 * Reads a JSONL transcript. Blank lines are skipped; any other line that is not a JSON object
 * rejects with `TranscriptCorruptError` naming the line, so nothing half-parsed gets imported.
 */
export async function readTranscriptFile(path: string): Promise<SessionStoreEntry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`, 'import');
  }
  const entries: SessionStoreEntry[] = [];
  text.split('\n').forEach((line, index) => {
    if (!line.trim()) return;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch (error) {
      throw new TranscriptCorruptError(`${path}:${index + 1}: not JSON (${(error as Error).message})`, { file: path, line: index + 1 });
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry) || typeof (entry as { type?: unknown }).type !== 'string') {
      throw new TranscriptCorruptError(`${path}:${index + 1}: not a transcript entry (a JSON object with a "type")`, { file: path, line: index + 1 });
    }
    entries.push(entry as SessionStoreEntry);
  });
  return entries;
}
