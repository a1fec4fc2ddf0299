import { randomUUID } from 'node:crypto';
import { InvalidArgumentError, InvalidSessionKeyError, SessionNotFoundError, StoreCapabilityError } from '../errors.js';
import { isUuid } from '../store/keys.js';
import type { SessionStore, SessionStoreEntry } from '../store/session-store.js';
import { archiveMarkPath, writeArchiveMark } from './archive-marks.js';
import { forkEntries } from './fork-entries.js';
import { isRecord } from './is-record.js';
import { listLocalSessions } from './list-local-sessions.js';
import { listSessionsInStore } from './list-sessions.js';
import { projectScope } from './project-scope.js';
import { sanitizeUnicode } from './sanitize-unicode.js';
import { sessionInfoFromText } from './session-info.js';
import { sessionMessagesOf, subagentMessagesOf } from './session-messages.js';
import { inheritedTitleFromWindows, serializeTranscript, transcriptWindows } from './transcript-text.js';
import type {
  ForkSessionOptions,
  ForkSessionResult,
  GetSessionInfoOptions,
  GetSessionMessagesOptions,
  GetSubagentMessagesOptions,
  ImportSessionToStoreOptions,
  ListSessionsOptions,
  ListSubagentsOptions,
  SDKSessionInfo,
  SessionMessage,
  SessionMutationOptions,
} from './types.js';

/** The official session functions, with the official signatures. */
export type SessionFunctions = {
  /** Sessions of the project of `options.dir` (default: the current directory), newest first. */
  listSessions(options?: ListSessionsOptions): Promise<SDKSessionInfo[]>;
  /** One session's info; undefined when it does not exist, is a sidechain, or has no summary. */
  getSessionInfo(sessionId: string, options?: GetSessionInfoOptions): Promise<SDKSessionInfo | undefined>;
  /** The conversation of a session, oldest first; `[]` when the session does not exist. */
  getSessionMessages(sessionId: string, options?: GetSessionMessagesOptions): Promise<SessionMessage[]>;
  /** The agent ids of a session's subagent transcripts. */
  listSubagents(sessionId: string, options?: ListSubagentsOptions): Promise<string[]>;
  /** The conversation of one subagent; `[]` when it does not exist. */
  getSubagentMessages(sessionId: string, agentId: string, options?: GetSubagentMessagesOptions): Promise<SessionMessage[]>;
  /** Sets a session's title by appending a `custom-title` entry. */
  renameSession(sessionId: string, title: string, options?: SessionMutationOptions): Promise<void>;
  /** Sets (or, with null, clears) a session's tag by appending a `tag` entry. */
  tagSession(sessionId: string, tag: string | null, options?: SessionMutationOptions): Promise<void>;
  /** Deletes a session with its subagent transcripts; a no-op on a store without `delete`. */
  deleteSession(sessionId: string, options?: SessionMutationOptions): Promise<void>;
  /** Copies a session (or its start, up to `upToMessageId`) into a new session with fresh uuids. */
  forkSession(sessionId: string, options?: ForkSessionOptions): Promise<ForkSessionResult>;
  /** Copies a session (and its subagents) from the default store into `store`. */
  importSessionToStore(sessionId: string, store: SessionStore, options?: ImportSessionToStoreOptions): Promise<void>;
  /** Marks a local session archived (`listSessions` then reports `archived: true`); the transcript is untouched. */
  archiveSession(sessionId: string, options?: SessionMutationOptions): Promise<void>;
  /** Clears a local session's archive mark (`archived: false`). */
  unarchiveSession(sessionId: string, options?: SessionMutationOptions): Promise<void>;
};

const DEFAULT_IMPORT_BATCH_SIZE = 500;
const IMPORT_BATCH_CHARACTERS = 1_048_576;
const SUBAGENTS_PREFIX = 'subagents/';
const AGENT_PREFIX = 'agent-';

function invalidSessionId(sessionId: unknown, operation: string): InvalidSessionKeyError {
  return new InvalidSessionKeyError(`${operation}: invalid sessionId ${JSON.stringify(sessionId)} (must be a UUID)`, 'sessionId');
}

/** How {@link createSessionFunctions} finds the store of a call that passes no `sessionStore`. */
export type SessionFunctionsOptions = {
  /**
   * Returns the store used when a call passes no `sessionStore` (and the source of
   * `importSessionToStore`). Called on every such use, so it can create the store lazily.
   * Without it, such calls reject with `InvalidArgumentError`.
   */
  defaultStore?: () => SessionStore;
  /**
   * The default store holds the local Claude Code transcripts (`~/.claude/projects`): read it as
   * the official SDK reads local files, not as it reads a `sessionStore`. Listings then read each
   * transcript (never a folded summary) and report its size, `lastModified` is the store's
   * `listSessions` mtime (the file's), metadata lines are appended bare and only to a session that
   * exists, and deleting a missing session is an error.
   */
  defaultStoreIsLocal?: boolean;
  /**
   * Every project key of the default store. With it, a call on the default store without `dir`
   * searches all projects, as the official SDK searches every folder of `~/.claude/projects`;
   * without it, such a call uses the current directory's project.
   */
  defaultStoreProjectKeys?: () => Promise<string[]>;
  /**
   * The `projects` folder of the local Claude configuration (`~/.claude/projects`), where the
   * archive marks live beside the transcripts. Without it, `archiveSession` and
   * `unarchiveSession` reject with `StoreCapabilityError`.
   */
  localProjectsRoot?: () => string;
};

/** Where a call reads: the store, the project the session is in, and what was loaded to find it. */
type Located = { store: SessionStore; projectKey: string; entries: SessionStoreEntry[] | null };

/**
 * Creates the session functions. Each one works on `options.sessionStore` when a call passes one,
 * else on the configured default store. `@sdk/compat` configures the file store of `~/.claude`
 * (with `defaultStoreIsLocal`), which makes these the official functions.
 *
 * The project key is derived from `options.dir`, or the current directory when it is omitted,
 * exactly as the official SDK does when it is given a store.
 */
export function createSessionFunctions(configuration: SessionFunctionsOptions = {}): SessionFunctions {
  const resolveDefaultStore = configuration.defaultStore;
  const storeOf = (options: { sessionStore?: SessionStore } | undefined): SessionStore => {
    if (options?.sessionStore) return options.sessionStore;
    if (resolveDefaultStore) return resolveDefaultStore();
    throw new InvalidArgumentError('no sessionStore was given and no default store is configured', 'sessionStore');
  };
  /** True when the call reads the default store and that store holds local transcript files. */
  const readsLocalFiles = (options: { sessionStore?: SessionStore } | undefined): boolean =>
    !options?.sessionStore && configuration.defaultStoreIsLocal === true;
  /** The projects a call without `dir` searches on the default store; undefined: only its own. */
  const allProjects = async (options: { dir?: string; sessionStore?: SessionStore } | undefined): Promise<string[] | undefined> =>
    options?.dir === undefined && !options?.sessionStore && configuration.defaultStoreProjectKeys
      ? configuration.defaultStoreProjectKeys()
      : undefined;

  /**
   * Loads the session's main transcript from the project of `options.dir`; without `dir` on a
   * default store that lists its projects, from the first project that has it (the current
   * directory's first).
   */
  async function locate(sessionId: string, options: { dir?: string; sessionStore?: SessionStore } | undefined): Promise<Located> {
    const store = storeOf(options);
    const own = projectScope(options?.dir).projectKey;
    const projects = await allProjects(options);
    for (const projectKey of projects === undefined ? [own] : [own, ...projects.filter((key) => key !== own)]) {
      const entries = await store.load({ projectKey, sessionId });
      if (entries && entries.length > 0) return { store, projectKey, entries };
    }
    return { store, projectKey: own, entries: null };
  }

  async function listSessions(options?: ListSessionsOptions): Promise<SDKSessionInfo[]> {
    const scope = projectScope(options?.dir);
    const store = storeOf(options);
    const page = { limit: options?.limit, offset: options?.offset ?? 0 };
    if (!readsLocalFiles(options)) return listSessionsInStore(store, scope, page);
    const projects = await allProjects(options);
    return listLocalSessions(
      store,
      projects === undefined ? [scope] : projects.map((projectKey) => ({ projectKey, directory: undefined })),
      page,
      configuration.localProjectsRoot?.(),
    );
  }

  async function getSessionInfo(sessionId: string, options?: GetSessionInfoOptions): Promise<SDKSessionInfo | undefined> {
    if (!isUuid(sessionId)) return undefined;
    const { store, projectKey, entries } = await locate(sessionId, options);
    if (!entries) return undefined;
    const text = serializeTranscript(entries);
    if (readsLocalFiles(options) && store.listSessions) {
      const listing = (await store.listSessions(projectKey)).find((candidate) => candidate.sessionId === sessionId);
      if (listing) return sessionInfoFromText(sessionId, text, { mtime: listing.mtime });
    }
    return sessionInfoFromText(sessionId, text);
  }

  async function getSessionMessages(sessionId: string, options?: GetSessionMessagesOptions): Promise<SessionMessage[]> {
    if (!isUuid(sessionId)) return [];
    const { entries } = await locate(sessionId, options);
    if (!entries) return [];
    return sessionMessagesOf(entries, {
      limit: options?.limit,
      offset: options?.offset,
      includeSystemMessages: options?.includeSystemMessages,
    });
  }

  /** The project of a session for sub-transcript reads: located only when all projects are searched. */
  async function projectOfSession(sessionId: string, options: { dir?: string; sessionStore?: SessionStore } | undefined): Promise<string> {
    if ((await allProjects(options)) === undefined) return projectScope(options?.dir).projectKey;
    return (await locate(sessionId, options)).projectKey;
  }

  async function listSubagents(sessionId: string, options?: ListSubagentsOptions): Promise<string[]> {
    if (!isUuid(sessionId)) return [];
    const store = storeOf(options);
    if (!store.listSubkeys) {
      throw new StoreCapabilityError(
        'sessionStore.listSubkeys is not implemented -- cannot list subagents. Provide a store with a listSubkeys() method.',
        'listSubkeys',
      );
    }
    const subkeys = await store.listSubkeys({ projectKey: await projectOfSession(sessionId, options), sessionId });
    const agentIds = new Set<string>();
    for (const subkey of subkeys) {
      if (!subkey.startsWith(SUBAGENTS_PREFIX)) continue;
      const name = subkey.split('/').at(-1) ?? '';
      if (name.startsWith(AGENT_PREFIX)) agentIds.add(name.slice(AGENT_PREFIX.length));
    }
    return [...agentIds];
  }

  async function getSubagentMessages(
    sessionId: string,
    agentId: string,
    options?: GetSubagentMessagesOptions,
  ): Promise<SessionMessage[]> {
    if (!isUuid(sessionId) || !agentId) return [];
    const store = storeOf(options);
    const projectKey = await projectOfSession(sessionId, options);
    let subpath = `${SUBAGENTS_PREFIX}${AGENT_PREFIX}${agentId}`;
    if (store.listSubkeys) {
      // Nested subagents live deeper under subagents/; the file name identifies the agent.
      const name = `${AGENT_PREFIX}${agentId}`;
      const found = (await store.listSubkeys({ projectKey, sessionId })).find(
        (subkey) => subkey.startsWith(SUBAGENTS_PREFIX) && subkey.split('/').at(-1) === name,
      );
      if (!found) return [];
      subpath = found;
    }
    const entries = await store.load({ projectKey, sessionId, subpath });
    if (!entries || entries.length === 0) return [];
    const metadata = entries.findLast((entry) => isRecord(entry) && entry.type === 'agent_metadata');
    const transcript = entries.filter((entry) => !isRecord(entry) || entry.type !== 'agent_metadata');
    if (transcript.length === 0) return [];
    const toolUseId = typeof metadata?.toolUseId === 'string' ? metadata.toolUseId : undefined;
    const parentAgentId = typeof metadata?.parentAgentId === 'string' ? metadata.parentAgentId : undefined;
    return subagentMessagesOf(transcript, { limit: options?.limit, offset: options?.offset }, toolUseId, parentAgentId);
  }

  /**
   * Appends one metadata entry. A store gets it with a fresh `uuid` and `timestamp`, as the
   * official SDK appends to a store; local files get the bare entry, and only to a session that
   * exists, as the official SDK appends to a local transcript.
   */
  async function appendMetadata(sessionId: string, options: SessionMutationOptions | undefined, entry: SessionStoreEntry): Promise<void> {
    if (readsLocalFiles(options)) {
      const { store, projectKey, entries } = await locate(sessionId, options);
      if (!entries) throw sessionNotFound(sessionId, options);
      await store.append({ projectKey, sessionId }, [entry]);
      return;
    }
    const key = { projectKey: projectScope(options?.dir).projectKey, sessionId };
    await storeOf(options).append(key, [{ ...entry, uuid: randomUUID(), timestamp: new Date().toISOString() }]);
  }

  async function renameSession(sessionId: string, title: string, options?: SessionMutationOptions): Promise<void> {
    if (!isUuid(sessionId)) throw invalidSessionId(sessionId, 'renameSession');
    const trimmed = typeof title === 'string' ? title.trim() : '';
    if (!trimmed) throw new InvalidArgumentError('title must be non-empty', 'title');
    await appendMetadata(sessionId, options, { type: 'custom-title', customTitle: trimmed, sessionId });
  }

  async function tagSession(sessionId: string, tag: string | null, options?: SessionMutationOptions): Promise<void> {
    if (!isUuid(sessionId)) throw invalidSessionId(sessionId, 'tagSession');
    let value = '';
    if (tag !== null) {
      value = typeof tag === 'string' ? sanitizeUnicode(tag).trim() : '';
      if (!value) throw new InvalidArgumentError('tag must be non-empty (use null to clear)', 'tag');
    }
    await appendMetadata(sessionId, options, { type: 'tag', tag: value, sessionId });
  }

  async function deleteSession(sessionId: string, options?: SessionMutationOptions): Promise<void> {
    if (!isUuid(sessionId)) throw invalidSessionId(sessionId, 'deleteSession');
    // Deleting a missing local session is an error; a store without delete (WORM, append-only)
    // makes this a no-op, per the official store contract.
    if (readsLocalFiles(options)) {
      const { store, projectKey, entries } = await locate(sessionId, options);
      if (!entries) throw sessionNotFound(sessionId, options);
      await store.delete?.({ projectKey, sessionId });
      return;
    }
    const store = storeOf(options);
    if (!store.delete) return;
    await store.delete({ projectKey: projectScope(options?.dir).projectKey, sessionId });
  }

  async function forkSession(sessionId: string, options?: ForkSessionOptions): Promise<ForkSessionResult> {
    if (!isUuid(sessionId)) throw invalidSessionId(sessionId, 'forkSession');
    const { store, projectKey, entries } = await locate(sessionId, options);
    if (!entries) throw sessionNotFound(sessionId, options);
    const forkSessionId = randomUUID();
    const forkOptions = { upToMessageId: options?.upToMessageId, title: options?.title };
    const fork = readsLocalFiles(options)
      ? forkEntries(entries, sessionId, forkOptions, forkSessionId, () =>
          inheritedTitleFromWindows(transcriptWindows(serializeTranscript(entries), 0)),
        )
      : forkEntries(entries, sessionId, forkOptions, forkSessionId);
    await store.append({ projectKey, sessionId: forkSessionId }, fork);
    return { sessionId: forkSessionId };
  }

  async function importSessionToStore(
    sessionId: string,
    store: SessionStore,
    options?: ImportSessionToStoreOptions,
  ): Promise<void> {
    if (!isUuid(sessionId)) throw invalidSessionId(sessionId, 'importSessionToStore');
    if (!resolveDefaultStore) {
      throw new InvalidArgumentError('importSessionToStore needs a default (source) store to copy from', 'sessionStore');
    }
    const batchSize = options?.batchSize && options.batchSize > 0 ? options.batchSize : DEFAULT_IMPORT_BATCH_SIZE;
    // The source may be in any project (without dir); the copy goes to the directory's project.
    const { store: source, projectKey: sourceProjectKey, entries } = await locate(sessionId, { ...(options?.dir !== undefined && { dir: options.dir }) });
    if (!entries) throw sessionNotFound(sessionId, options);
    const projectKey = projectScope(options?.dir).projectKey;
    await appendInBatches(store, { projectKey, sessionId }, entries, batchSize);
    if (options?.includeSubagents === false || !source.listSubkeys) return;
    for (const subpath of await source.listSubkeys({ projectKey: sourceProjectKey, sessionId })) {
      const subEntries = await source.load({ projectKey: sourceProjectKey, sessionId, subpath });
      if (subEntries && subEntries.length > 0) {
        await appendInBatches(store, { projectKey, sessionId, subpath }, subEntries, batchSize);
      }
    }
  }

  /** Writes the archive mark of a local session, which must exist. */
  async function markArchived(operation: string, sessionId: string, archived: boolean, options: SessionMutationOptions | undefined): Promise<void> {
    if (!isUuid(sessionId)) throw invalidSessionId(sessionId, operation);
    if (options?.sessionStore) {
      throw new InvalidArgumentError(`${operation}: not available with sessionStore (the mark is kept in a file beside the local transcript)`, 'sessionStore');
    }
    const root = configuration.localProjectsRoot?.();
    if (root === undefined || configuration.defaultStoreIsLocal !== true) {
      throw new StoreCapabilityError(`${operation}: the default store holds no local transcripts to mark`, 'archiveSession');
    }
    const { projectKey, entries } = await locate(sessionId, options);
    if (!entries) throw new SessionNotFoundError(`${operation}: session ${sessionId} not found`);
    await writeArchiveMark(archiveMarkPath(root, { projectKey, sessionId }), archived, new Date());
  }

  return {
    archiveSession: (sessionId, options) => markArchived('archiveSession', sessionId, true, options),
    unarchiveSession: (sessionId, options) => markArchived('unarchiveSession', sessionId, false, options),
    listSessions,
    getSessionInfo,
    getSessionMessages,
    listSubagents,
    getSubagentMessages,
    renameSession,
    tagSession,
    deleteSession,
    forkSession,
    importSessionToStore,
  };
}

/** The official wording: the project directory when `dir` was given, else every project. */
function sessionNotFound(sessionId: string, options: { dir?: string } | undefined): SessionNotFoundError {
  return new SessionNotFoundError(
    options?.dir === undefined ? `Session ${sessionId} not found` : `Session ${sessionId} not found in project directory for ${options.dir}`,
  );
}

/** Appends in batches of at most `batchSize` entries and about 1 MiB, so no backend call is huge. */
async function appendInBatches(
  store: SessionStore,
  key: { projectKey: string; sessionId: string; subpath?: string },
  entries: readonly SessionStoreEntry[],
  batchSize: number,
): Promise<void> {
  let batch: SessionStoreEntry[] = [];
  let characters = 0;
  for (const entry of entries) {
    batch.push(entry);
    characters += JSON.stringify(entry).length;
    if (batch.length >= batchSize || characters >= IMPORT_BATCH_CHARACTERS) {
      await store.append(key, batch);
      batch = [];
      characters = 0;
    }
  }
  if (batch.length > 0) await store.append(key, batch);
}
