/**
 * The SessionStore protocol, version 1.
 *
 * The required part (`append`, `load`) and the optional methods (`listSessions`,
 * `listSessionSummaries`, `delete`, `listSubkeys`) are exactly the official
 * `@anthropic-ai/claude-agent-sdk` `SessionStore`: a store written for the official SDK works here,
 * and every store of ours works as the official SDK's `sessionStore` option.
 *
 * On top of it, {@link SessionStoreExtensions} are optional methods a store may add. The executor
 * discovers each one with the `supports*` guards below and falls back when it is absent (see
 * docs/stores.md for the guarantee each fallback loses).
 *
 * This module imports nothing at runtime.
 */

/**
 * Identifies a session transcript (no `subpath`) or one of its sub-transcripts, such as a
 * subagent's (`subpath: 'subagents/agent-<id>'`).
 */
export type SessionKey = {
  /**
   * The scope sessions are listed in. The official default is the sanitized working directory
   * ({@link projectKeyForDirectory}); multi-tenant deployments use a tenant or project id.
   * Letters, digits, `-`, `_` and `.` (not leading), at most 255 characters.
   */
  projectKey: string;
  /** A UUID. */
  sessionId: string;
  /**
   * Undefined for the main transcript. Slash-separated segments of letters, digits, `-`, `_`,
   * `.` (not leading). The empty string is invalid: omit the field for the main transcript.
   */
  subpath?: string;
};

/** A session key without a subpath: the session as a whole. */
export type SessionRef = { projectKey: string; sessionId: string };

/**
 * One transcript entry: one line of a Claude Code JSONL transcript. Stores treat entries as opaque
 * JSON and must return them deep-equal to what was appended (byte equality is not required).
 */
export type SessionStoreEntry = {
  type: string;
  uuid?: string;
  timestamp?: string;
  [key: string]: unknown;
};

/**
 * Incrementally maintained metadata of a session, folded with {@link foldSessionSummary} on each
 * append. `mtime` is the store's write time (epoch ms), on the same clock as `listSessions`.
 */
export type SessionSummaryEntry = {
  sessionId: string;
  mtime: number;
  data: Record<string, unknown>;
};

/** A session of a project, as listed by {@link SessionStore.listSessions}. */
export type SessionListing = { sessionId: string; mtime: number };

/**
 * The official SDK's store protocol.
 *
 * Contracts every implementation keeps (the conformance kit in `@sdk/testing` checks them):
 * - `append` persists entries in call order; `append(key, [])` is a no-op; entries with a `uuid`
 *   already stored under the key SHOULD be skipped (our stores always do).
 * - `load` returns `null` for a key never written, else all entries in order.
 * - Keys are isolated: a subpath never appears in its session's `load`, nor in another project.
 * - `listSessions` lists main transcripts only, `mtime` in integer epoch milliseconds.
 * - `delete` of a main key removes the session with all its subkeys; with a subpath, only that one.
 * - `listSubkeys` returns the subpaths of one session (never the main transcript).
 */
export type SessionStore = {
  /** Persists `entries` after the key's existing ones, in call order. An empty array is a no-op that does not create the session. */
  append(key: SessionKey, entries: SessionStoreEntry[]): Promise<void>;
  /** Every entry of the key, in order; `null` for a key never written. */
  load(key: SessionKey): Promise<SessionStoreEntry[] | null>;
  /** The main transcripts of a project with their `mtime` (epoch ms); `[]` for an unknown project; never subpaths. */
  listSessions?(projectKey: string): Promise<SessionListing[]>;
  /** One summary per session of the project, maintained by `append` with `foldSessionSummary`. */
  listSessionSummaries?(projectKey: string): Promise<SessionSummaryEntry[]>;
  /** A main key deletes the session, its subkeys and its summary; a key with a subpath deletes only that subkey. */
  delete?(key: SessionKey): Promise<void>;
  /** The subpaths of one session (e.g. `subagents/agent-<id>`), never the main transcript. */
  listSubkeys?(key: SessionRef): Promise<string[]>;
};

// ---------------------------------------------------------------------------------------------
// Extensions

/**
 * The condition of {@link SessionStoreExtensions.appendIf}. Every field given must hold, checked
 * atomically with the write; otherwise nothing is written and the call rejects.
 */
export type AppendCondition = {
  /** The log must hold exactly this many entries (what the caller loaded). */
  expectedLength?: number;
  /** The log's last entry carrying a `uuid` must have this one; `null` = no such entry yet. */
  expectedLastUuid?: string | null;
  /**
   * The writer's lease. The write is refused with `SessionLeaseError` unless this token is the
   * session's current lease and that lease has not expired.
   */
  lease?: SessionLease;
  /**
   * With `lease`: the caller's last write of its turn. The store may give the lease back in the
   * same step, once the entries are stored, and say so with `AppendResult.released`; a store that
   * does not leaves the lease held, and the caller releases it as usual. Saves the release's round
   * trip on a networked store.
   */
  releaseLease?: boolean;
};

/** What an append did. */
export type AppendResult = {
  /** Entries written (after skipping uuids already stored). */
  appended: number;
  /** Entries skipped because their `uuid` was already stored. */
  skipped: number;
  /** Length of the log after the write. */
  length: number;
  /** True when the store also released the condition's lease (`releaseLease`). */
  released?: boolean;
};

/** A window of a transcript, by entry index. */
export type LoadWindow =
  | { start: number; end?: number }
  /** From the last `compact_boundary` system entry (or the start if there is none). */
  | { fromLastCompactBoundary: true };

/** Options of {@link SessionStoreExtensions.loadWindow}. */
export type LoadOptions = {
  /**
   * The caller promises not to mutate the returned entries (the executor rebuilds a request from
   * them and drops them). A store that keeps entries as objects may then hand out its own,
   * deep-frozen ones instead of copies; a store that parses what it reads ignores the flag.
   */
  readOnly?: boolean;
};

/** The result of a windowed load. */
export type LoadedWindow = {
  entries: SessionStoreEntry[];
  /** Index in the whole log of `entries[0]`. */
  start: number;
  /** Length of the whole log. */
  length: number;
};

/**
 * A per-session lease held for the length of a turn. `token` is a fencing token: it grows with
 * every acquisition of the session's lease, so a store can refuse a stale holder's writes.
 */
export type SessionLease = {
  readonly key: SessionRef;
  readonly holder: string;
  readonly token: number;
  /** Store-clock epoch ms after which the lease is void unless renewed. */
  readonly expiresAt: number;
};

/** Options of {@link SessionStoreExtensions.acquireLease}. */
export type AcquireLeaseOptions = {
  /** Who asks (a worker id); shown in errors. */
  holder: string;
  /** How long the lease lasts without renewal. */
  ttlMs: number;
};

/** Optional capabilities a store may implement beyond the official protocol. */
export type SessionStoreExtensions = {
  /**
   * Static facts about the store that cannot be discovered by method presence.
   * `idempotentAppend`: `append` and `appendIf` never store an entry whose `uuid` is already
   * stored under the key, so retrying an append after an ambiguous failure is safe.
   */
  readonly capabilities?: { readonly idempotentAppend?: boolean };
  /**
   * Append only if `condition` holds, atomically. Rejects with `SessionConflictError` when the
   * length or last uuid differs, `SessionLeaseError` when the lease is not current.
   */
  appendIf?(key: SessionKey, entries: SessionStoreEntry[], condition: AppendCondition): Promise<AppendResult>;
  /** Load part of a transcript; `null` for a key never written. */
  loadWindow?(key: SessionKey, window: LoadWindow, options?: LoadOptions): Promise<LoadedWindow | null>;
  /**
   * Copy a session's main transcript, entries verbatim, to `targetSessionId` in the same project,
   * server-side. With `upToUuid`, copy up to and including that entry. Rejects with
   * `SessionNotFoundError` when the source (or the entry) does not exist, `SessionConflictError`
   * when the target exists.
   */
  fork?(source: SessionRef, targetSessionId: string, options?: { upToUuid?: string }): Promise<void>;
  /**
   * Make every key of a session (transcript, subkeys, metadata) expire together `ttlMs` from now;
   * `null` removes the expiry.
   */
  expire?(key: SessionRef, ttlMs: number | null): Promise<void>;
  /** Take the session's lease; rejects with `SessionLeaseError('held')` while another holds it. */
  acquireLease?(key: SessionRef, options: AcquireLeaseOptions): Promise<SessionLease>;
  /** Extend a current lease; rejects with `SessionLeaseError` if it is no longer current. */
  renewLease?(lease: SessionLease, ttlMs: number): Promise<SessionLease>;
  /** Give a lease back; a no-op when it is no longer current. */
  releaseLease?(lease: SessionLease): Promise<void>;
  /**
   * Wait for the session's lease to be free: resolves soon after it is released or expires (at once
   * if it is free), and at the latest after `timeoutMs`; rejects with `signal.reason` when `signal`
   * aborts. The lease may be taken again by the time it resolves: the caller tries, and may wait
   * again. Lets a worker whose turn found the session busy start when the other turn ends, instead
   * of polling.
   */
  waitForLeaseRelease?(key: SessionRef, options: LeaseWaitOptions): Promise<void>;
  /**
   * Take the session's lease and load a window of its main transcript in one atomic step: what
   * `acquireLease(key, lease)` then `loadWindow(key, window, options)` return, with no write of
   * another holder possible in between, and in one round trip on a networked store (a turn's first
   * two calls). The lease is taken exactly as `acquireLease` takes it (same fencing tokens, same
   * errors): rejects with `SessionLeaseError('held')` while another holds the lease, having taken and
   * loaded nothing. `loaded` is `null` for a session never written (the lease is taken all the same).
   * A store offering it must also offer `acquireLease`/`renewLease`/`releaseLease` and `loadWindow`.
   */
  acquireLeaseAndLoad?(key: SessionRef, lease: AcquireLeaseOptions, window: LoadWindow, options?: LoadOptions): Promise<LeasedWindow>;
};

/** The result of {@link SessionStoreExtensions.acquireLeaseAndLoad}. */
export type LeasedWindow = {
  /** The lease taken; the caller releases it (or writes with it) as if `acquireLease` had returned it. */
  lease: SessionLease;
  /** The window loaded under that lease; `null` for a session never written. */
  loaded: LoadedWindow | null;
};

/** Options of {@link SessionStoreExtensions.waitForLeaseRelease}. */
export type LeaseWaitOptions = {
  /** The longest wait, in ms. */
  timeoutMs: number;
  /** Ends the wait early, rejecting with its reason. */
  signal?: AbortSignal;
};

/** A store with the official protocol and any of our extensions. */
export type ExtendedSessionStore = SessionStore & SessionStoreExtensions;

type With<K extends keyof ExtendedSessionStore> = ExtendedSessionStore & Required<Pick<ExtendedSessionStore, K>>;

const has = (store: object, method: string): boolean =>
  typeof (store as Record<string, unknown>)[method] === 'function';

/** The store can append conditionally (multi-worker safety). */
export function supportsConditionalAppend(store: SessionStore): store is With<'appendIf'> {
  return has(store, 'appendIf');
}

/** The store never stores a uuid twice under one key. */
export function supportsIdempotentAppend(store: SessionStore): boolean {
  return (store as ExtendedSessionStore).capabilities?.idempotentAppend === true;
}

/** The store can load part of a transcript. */
export function supportsWindowedLoad(store: SessionStore): store is With<'loadWindow'> {
  return has(store, 'loadWindow');
}

/** The store can fork server-side. */
export function supportsFork(store: SessionStore): store is With<'fork'> {
  return has(store, 'fork');
}

/** The store can expire a session as a whole. */
export function supportsExpiry(store: SessionStore): store is With<'expire'> {
  return has(store, 'expire');
}

/** The store has fenced per-session leases. */
export function supportsLeases(store: SessionStore): store is With<'acquireLease' | 'renewLease' | 'releaseLease'> {
  return has(store, 'acquireLease') && has(store, 'renewLease') && has(store, 'releaseLease');
}

/**
 * The store can take a lease and load a window in one step (see
 * {@link SessionStoreExtensions.acquireLeaseAndLoad}); it has leases and windowed loads too.
 */
export function supportsLeaseAndLoad(store: SessionStore): store is With<'acquireLeaseAndLoad' | 'acquireLease' | 'renewLease' | 'releaseLease' | 'loadWindow'> {
  return has(store, 'acquireLeaseAndLoad') && supportsLeases(store) && supportsWindowedLoad(store);
}

/** The store can wait for a session's lease to be released (see {@link SessionStoreExtensions.waitForLeaseRelease}). */
export function supportsLeaseWait(store: SessionStore): store is With<'waitForLeaseRelease'> {
  return has(store, 'waitForLeaseRelease');
}
