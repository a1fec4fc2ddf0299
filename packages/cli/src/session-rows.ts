import type { SDKSessionInfo, SessionStoreEntry } from '@sdk/core';
import type { OpenedStore } from './opened-store.js';
import { projectPinnedStore } from './project-pinned-store.js';
import { sessionFunctions } from './session-functions.js';
import { sessionRowOf } from './session-row.js';
import type { SessionRow } from './session-row.js';

/** Sessions loaded at once for their token counts. */
const LOAD_CONCURRENCY = 8;

/**
 * The rows of the sessions of `projects`, newest first, as `list` prints them: the official
 * listing (which leaves out sidechain sessions and sessions with nothing to show), each session's
 * transcript loaded for its size, tokens and cost.
 */
export async function loadSessionRows(
  opened: OpenedStore,
  projects: readonly string[],
  limit = Number.POSITIVE_INFINITY,
  /** Sees each transcript once, while it is loaded: searching needs no second load. */
  visit?: (row: SessionRow, entries: readonly SessionStoreEntry[]) => void,
): Promise<SessionRow[]> {
  const listed: Array<{ projectKey: string; info: SDKSessionInfo }> = [];
  for (const projectKey of projects) {
    const sessionStore = projectPinnedStore(opened.store, projectKey);
    const infos = await sessionFunctions.listSessions({ sessionStore, ...(Number.isFinite(limit) && { limit }) });
    for (const info of infos) listed.push({ projectKey, info });
  }
  listed.sort((a, b) => b.info.lastModified - a.info.lastModified);
  const shown = Number.isFinite(limit) ? listed.slice(0, limit) : listed;
  const result: SessionRow[] = new Array<SessionRow>(shown.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < shown.length) {
      const index = next++;
      const { projectKey, info } = shown[index]!;
      const entries = (await opened.store.load({ projectKey, sessionId: info.sessionId })) ?? [];
      const row = sessionRowOf(projectKey, info, entries);
      result[index] = row;
      visit?.(row, entries);
    }
  };
  await Promise.all(Array.from({ length: Math.min(LOAD_CONCURRENCY, shown.length) }, worker));
  return result;
}

/** The row of one session whose main transcript is already loaded, as `show` prints it. */
export async function sessionRowFor(opened: OpenedStore, projectKey: string, sessionId: string, entries: readonly SessionStoreEntry[]): Promise<SessionRow> {
  const sessionStore = projectPinnedStore(opened.store, projectKey);
  const listing = (await sessionStore.listSessions?.(projectKey))?.find((candidate) => candidate.sessionId === sessionId);
  const info: SDKSessionInfo = (await sessionFunctions.getSessionInfo(sessionId, { sessionStore })) ?? {
    sessionId,
    summary: '',
    lastModified: listing?.mtime ?? Date.now(),
  };
  if (listing) info.lastModified = listing.mtime;
  return sessionRowOf(projectKey, info, entries);
}
