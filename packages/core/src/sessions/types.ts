import type { SessionStore } from '../store/session-store.js';

/**
 * The public types of the session functions, structurally identical to the official
 * `@anthropic-ai/claude-agent-sdk` ones so code written against either type-checks against both.
 */

/** Session metadata returned by `listSessions` and `getSessionInfo`. */
export type SDKSessionInfo = {
  /** Unique session identifier (UUID). */
  sessionId: string;
  /** Display title: custom title, auto-generated title, last prompt, summary, or first prompt. */
  summary: string;
  /** Last modified time in integer milliseconds since epoch. */
  lastModified: number;
  /** Size in bytes of the transcript as JSON Lines. Absent when read from a summary. */
  fileSize?: number;
  /** User-set session title (`renameSession`). */
  customTitle?: string;
  /** First meaningful user prompt in the session. */
  firstPrompt?: string;
  /** Git branch at the end of the session. */
  gitBranch?: string;
  /** Working directory of the session. */
  cwd?: string;
  /** User-set session tag (`tagSession`). */
  tag?: string;
  /** Creation time in integer milliseconds since epoch, from the first entry's timestamp. */
  createdAt?: number;
  /** Whether the session is archived. Never set when sessions are read from a store. */
  archived?: boolean;
};

/** A message from a session transcript, as returned by `getSessionMessages`. */
export type SessionMessage = {
  type: 'user' | 'assistant' | 'system';
  uuid: string;
  session_id: string;
  message: unknown;
  parent_tool_use_id: string | null;
  /**
   * agentId of the subagent that spawned this subagent, or null for a depth-1 subagent or the main
   * session. Sessions whose metadata lacks the field report null.
   */
  parent_agent_id: string | null;
};

/** Options of `listSessions`. */
export type ListSessionsOptions = {
  /** Project directory whose sessions are listed; the current directory when omitted. */
  dir?: string;
  /** Maximum number of sessions to return. */
  limit?: number;
  /** Number of sessions to skip from the start of the sorted result set. Defaults to 0. */
  offset?: number;
  /** Include sessions of the directory's git worktrees. Only applies to the local filesystem. */
  includeWorktrees?: boolean;
  /** Include programmatic/headless sessions. Only applies to the local filesystem. */
  includeProgrammatic?: boolean;
  /** List sessions from this store. Requires `listSessions` or `listSessionSummaries`. */
  sessionStore?: SessionStore;
};

/** Options of `getSessionInfo`. */
export type GetSessionInfoOptions = {
  /** Project directory path (same semantics as `listSessions({ dir })`). */
  dir?: string;
  /** Load session info from this store. */
  sessionStore?: SessionStore;
};

/** Options of `getSessionMessages`. */
export type GetSessionMessagesOptions = {
  /** Project directory to find the session in. */
  dir?: string;
  /** Maximum number of messages to return. */
  limit?: number;
  /** Number of messages to skip from the start. */
  offset?: number;
  /** Also return system messages (compact boundaries, informational notices). Default false. */
  includeSystemMessages?: boolean;
  /** Load session messages from this store. */
  sessionStore?: SessionStore;
};

/** Options of `listSubagents`. */
export type ListSubagentsOptions = {
  /** Project directory to find the session in. */
  dir?: string;
  /** List subagents from this store. Requires `listSubkeys`. */
  sessionStore?: SessionStore;
};

/** Options of `getSubagentMessages`. */
export type GetSubagentMessagesOptions = {
  /** Project directory to find the session in. */
  dir?: string;
  /** Maximum number of messages to return. */
  limit?: number;
  /** Number of messages to skip from the start. */
  offset?: number;
  /** Load subagent messages from this store. */
  sessionStore?: SessionStore;
};

/** Options shared by the session mutation functions. */
export type SessionMutationOptions = {
  /** Project directory path (same semantics as `listSessions({ dir })`). */
  dir?: string;
  /** Read and write session data through this store. */
  sessionStore?: SessionStore;
};

/** Options of `forkSession`. */
export type ForkSessionOptions = SessionMutationOptions & {
  /** Copy the transcript up to and including the entry with this `uuid`; the whole one if omitted. */
  upToMessageId?: string;
  /** Title of the fork. If omitted, the original title + " (fork)". */
  title?: string;
};

/** Result of `forkSession`. */
export type ForkSessionResult = {
  /** The new session's UUID, resumable like any other session. */
  sessionId: string;
};

/** Options of `importSessionToStore`. */
export type ImportSessionToStoreOptions = {
  /** Project directory path (same semantics as `listSessions({ dir })`). */
  dir?: string;
  /** Also import subagent transcripts. Default: true. */
  includeSubagents?: boolean;
  /** Maximum entries per `store.append()` call. Default: 500. */
  batchSize?: number;
};
