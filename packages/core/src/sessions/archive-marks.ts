import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { assertValidSessionRef } from '../store/keys.js';
import type { SessionRef } from '../store/session-store.js';

/**
 * The official archive mark: `projects/<projectKey>/<sessionId>/archived.json` beside the local
 * transcript, `{"archived": true|false, "at": <ISO time>, "by": "sdk"}` (checked against the
 * official SDK 0.3.332). The transcript itself is never touched.
 */
export type ArchiveMark = { archived: boolean; at: string; by: string };

const MARK_FILE = 'archived.json';

/** Where a session's mark lives under `projectsRoot` (`<config>/projects`); keys are validated first. */
export function archiveMarkPath(projectsRoot: string, session: SessionRef): string {
  assertValidSessionRef(session);
  return join(projectsRoot, session.projectKey, session.sessionId, MARK_FILE);
}

/** The session's mark; `undefined` when it was never archived (or the mark is unreadable). */
export async function readArchiveMark(path: string): Promise<ArchiveMark | undefined> {
  try {
    const mark = JSON.parse(await readFile(path, 'utf8')) as Partial<ArchiveMark>;
    return typeof mark.archived === 'boolean' && typeof mark.at === 'string' ? { archived: mark.archived, at: mark.at, by: String(mark.by ?? 'sdk') } : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the mark atomically (temp file + rename), creating the session's folder if needed. */
export async function writeArchiveMark(path: string, archived: boolean, now: Date): Promise<void> {
  const folder = dirname(path);
  await mkdir(folder, { recursive: true });
  const temporary = join(folder, `.${MARK_FILE}.${randomUUID()}.tmp`);
  try {
    await writeFile(temporary, JSON.stringify({ archived, at: now.toISOString(), by: 'sdk' }), { flag: 'wx' });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * What `listSessions` reports: `undefined` for a session never archived; `false` once unarchived,
 * or when the transcript changed after the mark (a prompt sent since unarchives it, officially).
 */
export function archivedState(mark: ArchiveMark | undefined, lastModified: number): boolean | undefined {
  if (mark === undefined) return undefined;
  return mark.archived && lastModified <= Date.parse(mark.at);
}
