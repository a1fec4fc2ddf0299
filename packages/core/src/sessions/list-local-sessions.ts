import { StoreCapabilityError } from '../errors.js';
import type { SessionStore } from '../store/session-store.js';
import { archiveMarkPath, archivedState, readArchiveMark } from './archive-marks.js';
import { loadTranscriptText, sessionInfoFromText } from './session-info.js';
import type { SDKSessionInfo } from './types.js';


/** A project to list: its key, and the directory a session without `cwd` reports. */
export type LocalProject = { projectKey: string; directory: string | undefined };

type Candidate = { sessionId: string; mtime: number; project: LocalProject };

/** Transcripts read at once, as in the official SDK. */
const READ_BATCH = 32;

const newestFirst = (a: { sessionId: string; time: number }, b: { sessionId: string; time: number }): number =>
  b.time !== a.time ? b.time - a.time : b.sessionId < a.sessionId ? -1 : b.sessionId > a.sessionId ? 1 : 0;

/**
 * `listSessions` over a store that holds the local Claude Code transcripts, as the official SDK
 * lists `~/.claude/projects`: every listed transcript is read (never a summary), with the store's
 * mtime as `lastModified`. Without pagination all sessions are read, a session id found in two
 * projects keeps its newest copy, and the result is sorted newest first. With `limit` or
 * `offset`, transcripts are read newest first and `offset` skips sessions that are shown, not
 * transcripts (a sidechain or metadata-only transcript does not count) — both as the official SDK.
 */
export async function listLocalSessions(
  store: SessionStore,
  projects: readonly LocalProject[],
  page: { limit: number | undefined; offset: number },
  /** The `<config>/projects` folder: sessions report their archive mark from it. */
  projectsRoot?: string,
): Promise<SDKSessionInfo[]> {
  const listSessions = store.listSessions?.bind(store);
  if (!listSessions) {
    throw new StoreCapabilityError('the default store cannot list sessions: it has no listSessions() method', 'listSessions');
  }
  const candidates: Candidate[] = [];
  for (const project of projects) {
    for (const listing of await listSessions(project.projectKey)) candidates.push({ ...listing, project });
  }
  const read = async (candidate: Candidate): Promise<SDKSessionInfo | undefined> => {
    try {
      const text = await loadTranscriptText(store, candidate.project.projectKey, candidate.sessionId);
      if (text === null) return undefined;
      const info = sessionInfoFromText(candidate.sessionId, text, { mtime: candidate.mtime, cwdFallback: candidate.project.directory });
      if (info === undefined || projectsRoot === undefined) return info;
      const mark = await readArchiveMark(archiveMarkPath(projectsRoot, { projectKey: candidate.project.projectKey, sessionId: candidate.sessionId }));
      const archived = archivedState(mark, info.lastModified);
      if (archived !== undefined) info.archived = archived;
      return info;
    } catch {
      // A transcript the store cannot read is left out, as the official SDK leaves out a file it
      // cannot read; one broken session does not hide the others.
      return undefined;
    }
  };

  const paginated = (page.limit !== undefined && page.limit > 0) || page.offset > 0;
  if (!paginated) {
    const newest = new Map<string, SDKSessionInfo>();
    for (let start = 0; start < candidates.length; start += READ_BATCH) {
      for (const info of await Promise.all(candidates.slice(start, start + READ_BATCH).map(read))) {
        if (!info) continue;
        const known = newest.get(info.sessionId);
        if (!known || info.lastModified > known.lastModified) newest.set(info.sessionId, info);
      }
    }
    return [...newest.values()].sort((a, b) =>
      newestFirst({ sessionId: a.sessionId, time: a.lastModified }, { sessionId: b.sessionId, time: b.lastModified }),
    );
  }

  candidates.sort((a, b) => newestFirst({ sessionId: a.sessionId, time: a.mtime }, { sessionId: b.sessionId, time: b.mtime }));
  const limit = page.limit !== undefined && page.limit > 0 ? page.limit : Number.POSITIVE_INFINITY;
  const shown: SDKSessionInfo[] = [];
  const seen = new Set<string>();
  let skipped = 0;
  for (let start = 0; start < candidates.length && shown.length < limit; start += READ_BATCH) {
    for (const info of await Promise.all(candidates.slice(start, start + READ_BATCH).map(read))) {
      if (shown.length >= limit) break;
      if (!info || seen.has(info.sessionId)) continue;
      seen.add(info.sessionId);
      if (skipped < page.offset) {
        skipped++;
        continue;
      }
      shown.push(info);
    }
  }
  return shown;
}
