import { assertValidProjectKey, StoreCapabilityError } from '@sdk/core';
import type { ExtendedSessionStore, SessionListing } from '@sdk/core';
import { flag, positiveIntegerOption, stringOption, stringOptions, withStore } from '../command.js';
import type { Command } from '../command.js';
import { UsageError } from '../cli-errors.js';
import { copyTranscript } from '../copy-transcript.js';
import { ExitCode } from '../exit-codes.js';
import type { OpenedStore } from '../opened-store.js';
import { printJson } from '../output.js';
import { createProgress, finalCountLine } from '../progress.js';
import { redactStoreUrl } from '../store-url.js';

const DEFAULT_CONCURRENCY = 4;
const DEFAULT_BATCH_SIZE = 500;

type SessionToCopy = { projectKey: string } & SessionListing;
type Failure = { projectKey: string; sessionId: string; error: string };

/** The projects to copy: `--project` ones, else every project of the source. */
async function projectsToCopy(source: OpenedStore, named: readonly string[]): Promise<string[]> {
  for (const projectKey of named) assertValidProjectKey(projectKey);
  if (named.length > 0) return [...new Set(named)];
  if (!source.listProjects) {
    throw new UsageError(`migrate: ${source.displayUrl} cannot list its projects: name them with --project`, 'migrate');
  }
  return source.listProjects();
}

/**
 * Every session of the projects, oldest first: destinations stamp their own write time, so copying
 * in this order keeps "newest first" listings close to the source's order (exactly with
 * `--concurrency 1`, barring sessions written within the same millisecond).
 */
async function sessionsToCopy(source: OpenedStore, projects: readonly string[]): Promise<SessionToCopy[]> {
  const listSessions = source.store.listSessions?.bind(source.store);
  if (!listSessions) throw new StoreCapabilityError(`${source.displayUrl} cannot list sessions (no listSessions method)`, 'listSessions');
  const sessions: SessionToCopy[] = [];
  for (const projectKey of projects) {
    for (const listing of await listSessions(projectKey)) sessions.push({ projectKey, ...listing });
  }
  return sessions.sort((a, b) => a.mtime - b.mtime || (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
}

/**
 * Copies one session: its subkeys (subagent transcripts) first, its main transcript last, so a
 * session listed at the destination has its subagents. True when anything was appended, false
 * when the destination already held all of it.
 */
async function copySession(source: ExtendedSessionStore, destination: ExtendedSessionStore, session: SessionToCopy, batchSize: number): Promise<boolean> {
  const ref = { projectKey: session.projectKey, sessionId: session.sessionId };
  const subpaths = source.listSubkeys ? (await source.listSubkeys(ref)).sort() : [];
  let appended = 0;
  for (const subpath of [...subpaths, undefined]) {
    const key = subpath === undefined ? ref : { ...ref, subpath };
    const entries = await source.load(key);
    if (entries && entries.length > 0) appended += (await copyTranscript(destination, key, entries, batchSize)).appended;
  }
  return appended > 0;
}

/**
 * `migrate`: copies every session (with its subkeys) from one store to another. Resumable and
 * idempotent: the destination is the checkpoint (see `copyTranscript`), so a run that was
 * interrupted or killed is completed by running it again, and nothing is duplicated.
 */
export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'copy every session from one store to another (resumable, idempotent)',
  usage: ['migrate --from <url> --to <url> [--project <key>]... [--concurrency <n>] [--batch-size <n>] [--json]'],
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    project: { type: 'string', multiple: true },
    concurrency: { type: 'string' },
    'batch-size': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(context) {
    const from = stringOption(context.values, 'from');
    const to = stringOption(context.values, 'to');
    if (from === undefined || to === undefined) throw new UsageError('migrate: --from <url> and --to <url> are required', 'migrate');
    if (from === to) throw new UsageError(`migrate: --from and --to name the same store (${redactStoreUrl(from)})`, 'migrate');
    const concurrency = positiveIntegerOption(context.values, 'concurrency', DEFAULT_CONCURRENCY, 'migrate');
    const batchSize = positiveIntegerOption(context.values, 'batch-size', DEFAULT_BATCH_SIZE, 'migrate');
    const json = flag(context.values, 'json');
    const report = await withStore(from, (source) =>
      withStore(to, async (destination) => {
        const sessions = await sessionsToCopy(source, await projectsToCopy(source, stringOptions(context.values, 'project')));
        const progress = createProgress(context.io, sessions.length, 'migrating');
        const failures: Failure[] = [];
        let next = 0;
        const worker = async (): Promise<void> => {
          while (next < sessions.length && !context.signal.aborted) {
            const session = sessions[next++]!;
            try {
              progress.tick((await copySession(source.store, destination.store, session, batchSize)) ? 'migrated' : 'skipped');
            } catch (error) {
              const message = error instanceof Error ? error.message : String(error);
              failures.push({ projectKey: session.projectKey, sessionId: session.sessionId, error: message });
              progress.tick('failed');
              if (!json) context.io.stderr.write(`${context.io.stderr.isTTY === true ? '\r\x1b[2K' : ''}failed ${session.projectKey}/${session.sessionId}: ${message}\n`);
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(concurrency, sessions.length) }, worker));
        progress.stop();
        const done = progress.counts.migrated + progress.counts.skipped + progress.counts.failed;
        return { total: sessions.length, ...progress.counts, interrupted: done < sessions.length, failures };
      }),
    );
    if (json) {
      printJson(context.io, report);
    } else {
      const done = report.migrated + report.skipped + report.failed;
      context.io.stdout.write(`${finalCountLine(report)}${report.interrupted ? ` (interrupted after ${done} of ${report.total})` : ''}\n`);
    }
    if (report.interrupted) return ExitCode.interrupted;
    return report.failed > 0 ? ExitCode.failure : ExitCode.ok;
  },
};
