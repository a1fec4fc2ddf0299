import type { SessionStore, SessionSummaryEntry } from '../store/session-store.js';
import type { SDKSessionInfo } from './types.js';
import { lastTimestampOf, serializeTranscript, sessionInfoFromWindows, transcriptWindows, withoutUndefined } from './transcript-text.js';

/** A main transcript serialized as JSON Lines, or null when the store has nothing under the key. */
export async function loadTranscriptText(store: SessionStore, projectKey: string, sessionId: string): Promise<string | null> {
  const entries = await store.load({ projectKey, sessionId });
  if (!entries || entries.length === 0) return null;
  return serializeTranscript(entries);
}

/**
 * The info of one session read from its transcript. `mtime` defaults to the last entry's
 * timestamp (the official rule for a single-session read from a store).
 */
export function sessionInfoFromText(
  sessionId: string,
  text: string,
  options: { mtime?: number; cwdFallback?: string | undefined } = {},
): SDKSessionInfo | undefined {
  return sessionInfoFromWindows(sessionId, transcriptWindows(text, options.mtime ?? lastTimestampOf(text)), options.cwdFallback);
}

function stringField(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * The info of a session from its folded summary ({@link foldSessionSummary}), without loading
 * the transcript. Undefined for a sidechain session and one with nothing to show as its summary.
 */
export function sessionInfoFromSummary(summary: SessionSummaryEntry, cwdFallback: string | undefined): SDKSessionInfo | undefined {
  const data = summary.data;
  if (data.isSidechain === true) return undefined;
  const firstPrompt = stringField(data.firstPromptLocked === true ? data.firstPrompt : data.commandFallback) || undefined;
  const customTitle = stringField(data.customTitle) || stringField(data.aiTitle) || undefined;
  const title = customTitle || stringField(data.lastPrompt) || stringField(data.summaryHint) || firstPrompt;
  if (!title) return undefined;
  return withoutUndefined<SDKSessionInfo>({
    sessionId: summary.sessionId,
    summary: title,
    lastModified: summary.mtime,
    fileSize: undefined,
    customTitle,
    firstPrompt,
    gitBranch: stringField(data.gitBranch) || undefined,
    cwd: stringField(data.cwd) || cwdFallback || undefined,
    tag: stringField(data.tag) || undefined,
    createdAt: typeof data.createdAt === 'number' ? data.createdAt : undefined,
    archived: undefined,
  });
}
