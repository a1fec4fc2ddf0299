import { StoreCapabilityError } from '../errors.js';
import type { SessionListing, SessionStore } from '../store/session-store.js';
import type { SDKSessionInfo } from './types.js';
import { loadTranscriptText, sessionInfoFromSummary, sessionInfoFromText } from './session-info.js';
import { paginate } from './session-messages.js';

/**
 * `listSessions` over a store, newest first, as the official SDK lists a store: from
 * `listSessionSummaries` when the store keeps summaries (cross-checked against `listSessions`,
 * which wins when it is newer or when a summary is missing), else by loading each listed session.
 * Pagination applies before sessions without a usable summary are dropped, as in the official SDK.
 */
export async function listSessionsInStore(
  store: SessionStore,
  scope: { projectKey: string; directory: string },
  page: { limit: number | undefined; offset: number },
): Promise<SDKSessionInfo[]> {
  if (store.listSessionSummaries) return listFromSummaries(store, store.listSessionSummaries.bind(store), scope, page);
  if (!store.listSessions) {
    throw new StoreCapabilityError(
      'sessionStore.listSessions is not implemented -- cannot list sessions. Provide a store with a listSessions() method.',
      'listSessions',
    );
  }
  const listed = (await store.listSessions(scope.projectKey)).slice().sort((a, b) => b.mtime - a.mtime);
  return readListed(store, paginate(listed, page.limit, page.offset), scope);
}

type Candidate = { sessionId: string; mtime: number; info?: SDKSessionInfo | null };

async function listFromSummaries(
  store: SessionStore,
  listSessionSummaries: NonNullable<SessionStore['listSessionSummaries']>,
  scope: { projectKey: string; directory: string },
  page: { limit: number | undefined; offset: number },
): Promise<SDKSessionInfo[]> {
  const summaries = await listSessionSummaries(scope.projectKey);
  const listed = store.listSessions
    ? new Map((await store.listSessions(scope.projectKey)).map((listing) => [listing.sessionId, listing]))
    : undefined;
  const candidates: Candidate[] = [];
  for (const summary of summaries) {
    const listing = listed?.get(summary.sessionId);
    // A summary the listing does not know belongs to a deleted session.
    if (listed && !listing) continue;
    const stale = listing !== undefined && summary.mtime < listing.mtime;
    candidates.push(
      stale
        ? { sessionId: summary.sessionId, mtime: listing.mtime }
        : { sessionId: summary.sessionId, mtime: summary.mtime, info: sessionInfoFromSummary(summary, scope.directory) ?? null },
    );
  }
  if (listed) {
    const summarized = new Set(summaries.map((summary) => summary.sessionId));
    for (const [sessionId, listing] of listed) if (!summarized.has(sessionId)) candidates.push({ sessionId, mtime: listing.mtime });
  }
  candidates.sort((a, b) => b.mtime - a.mtime);
  const shown = paginate(candidates, page.limit, page.offset);
  const unread = shown.filter((candidate) => candidate.info === undefined);
  if (unread.length > 0) {
    const read = new Map((await readListed(store, unread, scope)).map((info) => [info.sessionId, info]));
    for (const candidate of unread) candidate.info = read.get(candidate.sessionId) ?? null;
  }
  return shown.flatMap((candidate) => (candidate.info ? [candidate.info] : []));
}

/**
 * Loads each listed session and reads its info, with the listing's mtime. A session whose load
 * fails still appears, with an empty summary, so one broken session does not hide the others.
 */
async function readListed(
  store: SessionStore,
  listed: readonly SessionListing[],
  scope: { projectKey: string; directory: string },
): Promise<SDKSessionInfo[]> {
  const results = await Promise.allSettled(
    listed.map(async (listing) => {
      const text = await loadTranscriptText(store, scope.projectKey, listing.sessionId);
      if (text === null) return undefined;
      const info = sessionInfoFromText(listing.sessionId, text, { mtime: listing.mtime, cwdFallback: scope.directory });
      return info ? { ...info, lastModified: listing.mtime } : undefined;
    }),
  );
  return results.flatMap((result, index) => {
    if (result.status === 'fulfilled') return result.value ? [result.value] : [];
    const listing = listed[index] as SessionListing;
    return [{ sessionId: listing.sessionId, summary: '', lastModified: listing.mtime }];
  });
}
