import { assertValidProjectKey, isUuid, projectKeyForDirectory, SessionNotFoundError } from '@sdk/core';
import type { SessionStoreEntry } from '@sdk/core';
import { UsageError } from './cli-errors.js';
import type { OpenedStore } from './opened-store.js';

/** How a command was told which project to use: `--project <key>`, `--dir <path>`, or neither. */
export type ProjectSelection = { project?: string | undefined; dir?: string | undefined };

/** A session found in a store, with its main transcript. */
export type LocatedSession = { projectKey: string; sessionId: string; entries: SessionStoreEntry[] };

/**
 * The projects a command works on: the one named by `--project`, the one of `--dir` (derived as
 * the official SDK derives it from a working directory), else every project of the store, else
 * (for a store that cannot enumerate projects) the current directory's.
 */
export async function selectedProjects(opened: OpenedStore, selection: ProjectSelection): Promise<string[]> {
  if (selection.project !== undefined && selection.dir !== undefined) throw new UsageError('give --project or --dir, not both');
  if (selection.project !== undefined) {
    assertValidProjectKey(selection.project);
    return [selection.project];
  }
  if (selection.dir !== undefined) return [projectKeyForDirectory(selection.dir)];
  if (opened.listProjects) return opened.listProjects();
  return [projectKeyForDirectory()];
}

/** Rejects with `UsageError` unless `sessionId` is a UUID. */
export function assertSessionIdArgument(sessionId: string | undefined, command: string): asserts sessionId is string {
  if (sessionId === undefined) throw new UsageError(`${command}: missing <sessionId>`, command);
  if (!isUuid(sessionId)) throw new UsageError(`${command}: invalid session id ${JSON.stringify(sessionId)} (must be a UUID)`, command);
}

/**
 * Finds a session's main transcript in the selected projects. Rejects with `SessionNotFoundError`
 * when no project has it, and with `UsageError` when several do (name one with `--project`):
 * acting on the wrong copy of a session would be worse than asking.
 */
export async function locateSession(opened: OpenedStore, sessionId: string, selection: ProjectSelection): Promise<LocatedSession> {
  const found: LocatedSession[] = [];
  for (const projectKey of await selectedProjects(opened, selection)) {
    const entries = await opened.store.load({ projectKey, sessionId });
    if (entries && entries.length > 0) found.push({ projectKey, sessionId, entries });
  }
  const [first, second] = found;
  if (first === undefined) {
    const where = selection.project ?? (selection.dir === undefined ? undefined : projectKeyForDirectory(selection.dir));
    throw new SessionNotFoundError(`session ${sessionId} not found in ${opened.displayUrl}${where === undefined ? '' : ` (project ${where})`}`);
  }
  if (second !== undefined) {
    throw new UsageError(
      `session ${sessionId} exists in several projects (${found.map((session) => session.projectKey).join(', ')}): choose one with --project`,
    );
  }
  return first;
}
