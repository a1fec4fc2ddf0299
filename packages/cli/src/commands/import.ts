import { basename } from 'node:path';
import { isUuid, projectKeyForDirectory, projectKeyForPath, assertValidProjectKey } from '@sdk/core';
import type { SessionStoreEntry } from '@sdk/core';
import { flag, STORE_OPTIONS, storeUrlOf, stringOption, withStore } from '../command.js';
import type { Command } from '../command.js';
import { UsageError } from '../cli-errors.js';
import { copyTranscript } from '../copy-transcript.js';
import { ExitCode } from '../exit-codes.js';
import { printJson } from '../output.js';
import { readTranscriptFile } from '../transcript-file.js';

const BATCH_SIZE = 500;

/** The session id the entries name (their `sessionId` field), else the file's name if it is a UUID. */
function sessionIdOf(entries: readonly SessionStoreEntry[], file: string): string | undefined {
  const named = entries.find((entry) => typeof entry.sessionId === 'string' && isUuid(entry.sessionId))?.sessionId;
  if (typeof named === 'string') return named;
  const stem = basename(file).replace(/\.jsonl$/i, '');
  return isUuid(stem) ? stem : undefined;
}

/** The project the transcript was recorded in: its `cwd`, keyed as Claude Code keys it. */
function projectKeyOf(entries: readonly SessionStoreEntry[]): string | undefined {
  const cwd = entries.find((entry) => typeof entry.cwd === 'string' && entry.cwd)?.cwd;
  return typeof cwd === 'string' ? projectKeyForPath(cwd) : undefined;
}

/**
 * `import`: a JSONL transcript into a store. Importing the same file again appends nothing, and an
 * import that was interrupted is completed (see `copyTranscript`).
 */
export const importCommand: Command = {
  name: 'import',
  summary: 'import a JSONL transcript into a session (resumable, idempotent)',
  usage: ['import <file.jsonl> [--session-id <uuid>] [--store <url>] [--project <key> | --dir <path>] [--json]'],
  options: { ...STORE_OPTIONS, 'session-id': { type: 'string' } },
  async run(context) {
    const file = context.positionals[0];
    if (file === undefined) throw new UsageError('import: missing <file.jsonl>', 'import');
    const requested = stringOption(context.values, 'session-id');
    if (requested !== undefined && !isUuid(requested)) throw new UsageError(`import: --session-id must be a UUID, got ${JSON.stringify(requested)}`, 'import');
    const project = stringOption(context.values, 'project');
    const dir = stringOption(context.values, 'dir');
    if (project !== undefined && dir !== undefined) throw new UsageError('give --project or --dir, not both', 'import');
    if (project !== undefined) assertValidProjectKey(project);
    let entries = await readTranscriptFile(file);
    if (entries.length === 0) throw new UsageError(`import: ${file} holds no entries`, 'import');
    const original = sessionIdOf(entries, file);
    const sessionId = requested ?? original;
    if (sessionId === undefined) throw new UsageError(`import: ${file} names no session id: pass --session-id`, 'import');
    if (original !== undefined && original !== sessionId) {
      // A transcript imported under another id must say so in its entries, or resuming it would
      // continue the original session's id.
      entries = entries.map((entry) => (entry.sessionId === original ? { ...entry, sessionId } : entry));
    }
    const projectKey = project ?? (dir === undefined ? undefined : projectKeyForDirectory(dir)) ?? projectKeyOf(entries) ?? projectKeyForDirectory();
    const result = await withStore(storeUrlOf(context), (opened) => copyTranscript(opened.store, { projectKey, sessionId }, entries, BATCH_SIZE));
    const summary = { projectKey, sessionId, entries: entries.length, appended: result.appended };
    if (flag(context.values, 'json')) printJson(context.io, summary);
    else context.io.stderr.write(`imported ${sessionId} into project ${projectKey}: ${result.appended} of ${entries.length} entries appended\n`);
    context.io.stdout.write(flag(context.values, 'json') ? '' : `${sessionId}\n`);
    return ExitCode.ok;
  },
};
