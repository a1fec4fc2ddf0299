import { SessionNotFoundError } from '@sdk/core';
import type { SessionStoreEntry } from '@sdk/core';
import { messageLines } from '../conversation-text.js';
import type { OpenedStore } from '../opened-store.js';
import { oneLine } from '../output.js';
import { projectPinnedStore } from '../project-pinned-store.js';
import { selectedProjects } from '../session-locator.js';
import { sessionFunctions } from '../session-functions.js';
import { loadSessionRows, sessionRowFor } from '../session-rows.js';
import type { SessionRow } from '../session-row.js';
import { sessionUsageOf } from '../session-stats.js';
import type { SessionUsage } from '../session-stats.js';
import { buildMessageTree } from './message-tree.js';
import type { MessageTree } from './message-tree.js';
import { callUsageByUuid, promptText, turnUsageOf } from './turn-usage.js';
import type { TurnUsage } from './turn-usage.js';

/** A project and how many sessions the official listing shows in it. */
export type ProjectSummary = { projectKey: string; sessions: number; lastModified: string | null };

/** A sub-transcript of a session: a subagent's (`subagents/agent-<id>`), or any other subkey. */
export type SubkeySummary = { subpath: string; agentId: string | null; prompt: string; entries: number; usage: SessionUsage };

/** One transcript, ready to draw: its entries, their tree, turns and per-call usage. */
export type TranscriptView = {
  projectKey: string;
  sessionId: string;
  /** Null for the main transcript. */
  subpath: string | null;
  entries: SessionStoreEntry[];
  tree: MessageTree;
  turns: TurnUsage[];
  callUsage: Map<string, SessionUsage>;
  usage: SessionUsage;
};

/** A session's main transcript with its listing row and its sub-transcripts. */
export type SessionView = TranscriptView & { session: SessionRow; subkeys: SubkeySummary[] };

/** Where a search matched in one entry. */
export type SearchMatch = { uuid: string | null; type: string; snippet: string };

/** A session with matches, the first few of them, and how many there were. */
export type SearchHit = { session: SessionRow; matchCount: number; matches: SearchMatch[] };

const AGENT_SUBPATH = /^subagents\/agent-(.+)$/;
const MATCHES_SHOWN = 3;
const SNIPPET_CONTEXT = 60;
/** Longer queries are cut: a substring search over every transcript should stay cheap. */
export const MAX_QUERY_LENGTH = 200;

/** The agent id of a subagent transcript's subpath, null for other subkeys. */
export function agentIdOf(subpath: string): string | null {
  return AGENT_SUBPATH.exec(subpath)?.[1] ?? null;
}

/** The searchable text of an entry: message text (tool calls and results included), titles, notices. */
function entryText(entry: SessionStoreEntry): string {
  if (entry.type === 'user' || entry.type === 'assistant') return messageLines(entry.message).join('\n');
  for (const field of ['customTitle', 'summary', 'content', 'lastPrompt'] as const) {
    const value = entry[field];
    if (typeof value === 'string') return value;
  }
  return '';
}

function transcriptView(projectKey: string, sessionId: string, subpath: string | null, entries: SessionStoreEntry[]): TranscriptView {
  return {
    projectKey,
    sessionId,
    subpath,
    entries,
    tree: buildMessageTree(entries),
    turns: turnUsageOf(entries),
    callUsage: callUsageByUuid(entries),
    usage: sessionUsageOf(entries),
  };
}

/**
 * What the inspector reads, and all it does with the store: listings and loads. Nothing here
 * writes, so no page or API request can change a session.
 */
export class InspectorData {
  constructor(private readonly opened: OpenedStore) {}

  /** Every project of the store (the current directory's when the store cannot list them). */
  async projects(): Promise<ProjectSummary[]> {
    const summaries: ProjectSummary[] = [];
    for (const projectKey of await selectedProjects(this.opened, {})) {
      // The listing alone, without loading transcripts: a store may hold thousands of sessions.
      const infos = await sessionFunctions.listSessions({ sessionStore: projectPinnedStore(this.opened.store, projectKey) });
      const newest = Math.max(...infos.map((info) => info.lastModified));
      summaries.push({ projectKey, sessions: infos.length, lastModified: infos.length === 0 ? null : new Date(newest).toISOString() });
    }
    return summaries;
  }

  /** A project's sessions, newest first, as `list` shows them. */
  sessions(projectKey: string): Promise<SessionRow[]> {
    return loadSessionRows(this.opened, [projectKey]);
  }

  /** A session's main transcript; `SessionNotFoundError` when it has none. */
  async session(projectKey: string, sessionId: string): Promise<SessionView> {
    const entries = await this.opened.store.load({ projectKey, sessionId });
    if (!entries || entries.length === 0) throw new SessionNotFoundError(`session ${sessionId} not found in project ${projectKey}`);
    const subkeys: SubkeySummary[] = [];
    for (const subpath of (await this.opened.store.listSubkeys?.({ projectKey, sessionId })) ?? []) {
      const subEntries = (await this.opened.store.load({ projectKey, sessionId, subpath })) ?? [];
      const prompt = subEntries.map(promptText).find((text) => text !== undefined) ?? '';
      subkeys.push({ subpath, agentId: agentIdOf(subpath), prompt: oneLine(prompt, 120), entries: subEntries.length, usage: sessionUsageOf(subEntries) });
    }
    return { ...transcriptView(projectKey, sessionId, null, entries), session: await sessionRowFor(this.opened, projectKey, sessionId, entries), subkeys };
  }

  /** A sub-transcript of a session (a subagent's); `SessionNotFoundError` when it does not exist. */
  async subkey(projectKey: string, sessionId: string, subpath: string): Promise<TranscriptView> {
    const entries = await this.opened.store.load({ projectKey, sessionId, subpath });
    if (!entries || entries.length === 0) throw new SessionNotFoundError(`transcript ${subpath} of session ${sessionId} not found in project ${projectKey}`);
    return transcriptView(projectKey, sessionId, subpath, entries);
  }

  /**
   * Sessions of a project whose main transcript contains `query` (case-insensitive substring of
   * the message text, tool calls and results included, and of titles), newest first.
   */
  async search(projectKey: string, query: string): Promise<SearchHit[]> {
    const needle = query.slice(0, MAX_QUERY_LENGTH).toLowerCase();
    if (needle.trim() === '') return [];
    const hits = new Map<string, SearchHit>();
    const rows = await loadSessionRows(this.opened, [projectKey], Number.POSITIVE_INFINITY, (row, entries) => {
      let hit: SearchHit | undefined;
      for (const entry of entries) {
        const text = entryText(entry);
        const at = text.toLowerCase().indexOf(needle);
        if (at < 0) continue;
        hit ??= { session: row, matchCount: 0, matches: [] };
        hit.matchCount++;
        if (hit.matches.length < MATCHES_SHOWN) {
          const start = Math.max(0, at - SNIPPET_CONTEXT);
          const end = Math.min(text.length, at + needle.length + SNIPPET_CONTEXT);
          const snippet = `${start > 0 ? '…' : ''}${text.slice(start, end)}${end < text.length ? '…' : ''}`.replace(/\s+/g, ' ');
          hit.matches.push({ uuid: typeof entry.uuid === 'string' ? entry.uuid : null, type: entry.type, snippet });
        }
      }
      if (hit) hits.set(row.sessionId, hit);
    });
    return rows.flatMap((row) => hits.get(row.sessionId) ?? []);
  }
}
