import { SessionNotFoundError, StoreCapabilityError, StoreUnavailableError } from '../errors.js';
import type { SessionStore, SessionStoreEntry } from '../store/session-store.js';
import type { Options } from './options.js';

/** Which session a query's first turn runs on, and where in it. */
export type SessionStart = {
  sessionId: string;
  /** The entry the first turn continues from (`resumeSessionAt`); later turns follow the new leaf. */
  resumeAt?: string;
};

/** What {@link startSession} needs besides the options. */
export type SessionStartContext = {
  store: SessionStore;
  projectKey: string;
  generateId: () => string;
  /** Bound of each store read (official `loadTimeoutMs`). */
  loadTimeoutMs: number;
};

const CHAIN_TYPES = new Set(['user', 'assistant', 'attachment', 'system']);

/**
 * Resolves the session options into the session the first turn runs on:
 * - `resume`: that session (it must exist);
 * - `continue`: the project's most recently written session (`listSessions` mtime), else a new one;
 * - with `forkSession`: the resumed session's conversation entries are first copied to a new id
 *   (`sessionId`, else a fresh uuid) as the CLI copies them (transcript-format.md §6: same uuids,
 *   `sessionId` rewritten, metadata lines left behind); the source is not touched;
 * - otherwise a new session: `sessionId` or a fresh uuid.
 */
export async function startSession(options: Options, context: SessionStartContext): Promise<SessionStart> {
  const resumed = options.resume ?? (options.continue === true ? await newestSession(context) : undefined);
  if (resumed === undefined) return { sessionId: options.sessionId ?? context.generateId() };
  const entries = await withTimeout(context.store.load({ projectKey: context.projectKey, sessionId: resumed }), context.loadTimeoutMs, 'load');
  if (entries === null || entries.length === 0) {
    throw new SessionNotFoundError(`No conversation found with session ID: ${resumed} (project ${context.projectKey})`);
  }
  const resumeAt = options.resumeSessionAt;
  if (resumeAt !== undefined && !entries.some((entry) => entry.uuid === resumeAt)) {
    throw new SessionNotFoundError(`resumeSessionAt: entry ${resumeAt} is not in session ${resumed}`);
  }
  const start = (sessionId: string): SessionStart => (resumeAt === undefined ? { sessionId } : { sessionId, resumeAt });
  if (options.forkSession !== true) return start(resumed);
  const forkId = options.sessionId ?? context.generateId();
  await context.store.append({ projectKey: context.projectKey, sessionId: forkId }, forkCopy(entries, forkId));
  return start(forkId);
}

/** The conversation entries of a session, re-addressed to `sessionId` with their uuids kept. */
export function forkCopy(entries: readonly SessionStoreEntry[], sessionId: string): SessionStoreEntry[] {
  return entries
    .filter((entry) => CHAIN_TYPES.has(entry.type) && typeof entry.uuid === 'string' && entry.isSidechain !== true)
    .map((entry) => ({ ...structuredClone(entry), sessionId }));
}

async function newestSession(context: SessionStartContext): Promise<string | undefined> {
  const { store } = context;
  if (typeof store.listSessions !== 'function') {
    throw new StoreCapabilityError('Options.continue with sessionStore requires store.listSessions to be implemented', 'listSessions');
  }
  const sessions = await withTimeout(store.listSessions(context.projectKey), context.loadTimeoutMs, 'listSessions');
  let newest: { sessionId: string; mtime: number } | undefined;
  for (const session of sessions) if (newest === undefined || session.mtime > newest.mtime) newest = session;
  return newest?.sessionId;
}

async function withTimeout<T>(operation: Promise<T>, milliseconds: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreUnavailableError(`sessionStore.${name}() did not answer within ${milliseconds} ms (loadTimeoutMs)`)), milliseconds);
  });
  try {
    return await Promise.race([operation, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
