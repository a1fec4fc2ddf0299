import type { SDKSessionInfo, SessionStoreEntry } from '@sdk/core';
import { sessionUsageOf, transcriptBytesOf } from './session-stats.js';

/**
 * One session as `list --json` prints it (and `show --json` under `session`). Every key is always
 * present, `null` when the session has no such value, so scripts can rely on the shape.
 */
export type SessionRow = {
  projectKey: string;
  sessionId: string;
  /** The official listing's summary: custom title, AI title, last prompt, summary, or first prompt. */
  title: string;
  customTitle: string | null;
  tag: string | null;
  gitBranch: string | null;
  firstPrompt: string | null;
  /** ISO 8601, from the first entry's timestamp. */
  createdAt: string | null;
  /** ISO 8601: the store's last write (the file's mtime for file stores). */
  lastModified: string;
  /** Main-transcript entries. */
  entries: number;
  /** Size of the main transcript as JSON Lines. */
  bytes: number;
  tokens: { input: number; output: number; cacheRead: number; cacheCreation: number; total: number };
  /** USD at `@sdk/core`'s bundled list prices. */
  costUsd: number;
};

/** The row of a session from its official info and its main transcript. */
export function sessionRowOf(projectKey: string, info: SDKSessionInfo, entries: readonly SessionStoreEntry[]): SessionRow {
  const usage = sessionUsageOf(entries);
  return {
    projectKey,
    sessionId: info.sessionId,
    title: info.summary,
    customTitle: info.customTitle ?? null,
    tag: info.tag ?? null,
    gitBranch: info.gitBranch ?? null,
    firstPrompt: info.firstPrompt ?? null,
    createdAt: info.createdAt === undefined ? null : new Date(info.createdAt).toISOString(),
    lastModified: new Date(info.lastModified).toISOString(),
    entries: entries.length,
    bytes: transcriptBytesOf(entries),
    tokens: {
      input: usage.inputTokens,
      output: usage.outputTokens,
      cacheRead: usage.cacheReadInputTokens,
      cacheCreation: usage.cacheCreationInputTokens,
      total: usage.totalTokens,
    },
    costUsd: Math.round(usage.costUsd * 1e6) / 1e6,
  };
}
