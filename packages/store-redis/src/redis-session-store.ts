import {
  assertValidSessionId,
  assertValidProjectKey,
  assertValidSessionKey,
  assertValidSessionRef,
  EntryTooLargeError,
  SessionConflictError,
  SessionLeaseError,
  SessionNotFoundError,
  SessionStoreError,
  TranscriptCorruptError,
} from '@sdk/core/store';
import type {
  AcquireLeaseOptions,
  AppendCondition,
  AppendResult,
  ExtendedSessionStore,
  LeasedWindow,
  LeaseWaitOptions,
  LoadedWindow,
  LoadWindow,
  LoadOptions,
  SessionKey,
  SessionLease,
  SessionListing,
  SessionRef,
  SessionStoreEntry,
  SessionSummaryEntry,
} from '@sdk/core/store';
import { assertValidPrefix, DEFAULT_PREFIX, projectIndexKey, sessionKeys, subIdsKey, subLogKey } from './key-schema.js';
import { RedisConnection } from './redis-connection.js';
import type { RedisConnectionOptions } from './redis-connection.js';
import {
  ACQUIRE_LEASE,
  ACQUIRE_LEASE_AND_LOAD,
  APPEND,
  DELETE,
  EXPIRE,
  FORK_COPY,
  INDEX,
  LEASE_REMAINING,
  LIST_INDEX,
  LOAD_WINDOW,
  PRUNE_INDEX,
  READ_META,
  RENEW_LEASE,
} from './scripts.js';
import { settles, summaryDeltaOf } from './summary-delta.js';
import { WindowCache, type WindowReply } from './window-cache.js';
import type { SummaryDelta } from './summary-delta.js';

/**
 * What a store remembers of a session it wrote: when it last updated the session's index entry
 * (0 = not since it was remembered), and whether it saw the main transcript's summary settle (see
 * SETTLING_FIELDS: its appends then send only the last-wins fields, and the script checks the
 * session is still settled).
 */
type SessionMemo = { projectKey: string; indexedAt: number; settled: boolean };

/** Options of {@link RedisSessionStore}. */
export type RedisSessionStoreOptions = {
  /** Starts every key name; isolates tenants sharing a server. @default 'claude-sessions' */
  prefix?: string;
  /**
   * Sliding expiry: every append refreshes all keys of the session to this many ms, together.
   * Omit for sessions that never expire (unless {@link RedisSessionStore.expire} is called).
   */
  ttlMs?: number;
  /** Deadline of every call; past it the call fails with `StoreUnavailableError`. @default 5000 */
  commandTimeoutMs?: number;
  /** Largest accepted entry, as UTF-8 JSON. @default 16 MiB */
  maxEntryBytes?: number;
  /**
   * Parsed entries kept between read-only loads with the lease (`acquireLeaseAndLoad` with
   * `readOnly`, what the executor runs each turn), so a turn parses, and Redis sends, only the
   * entries appended since this process last loaded the session (checked on the server each time).
   * `false` turns it off. @default { maxSessions: 32, maxBytes: 8 MiB of JSON }
   */
  entryCache?: false | { maxSessions?: number; maxBytes?: number };
};

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_MAX_ENTRY_BYTES = 16 * 1024 * 1024;
const DEFAULT_CACHED_SESSIONS = 32;
const DEFAULT_CACHED_BYTES = 8 * 1024 * 1024;
/** Index members whose session is gone are kept this long, in case their session is being created. */
const PRUNE_GRACE_MS = 10_000;
const SUMMARY_FIELD = 's:';
/**
 * How long after updating a session's index entry this process skips updating it again. The index's
 * expiry is set this much beyond the session TTL, so it still outlives every session appended to
 * without an index update.
 */
const INDEX_REFRESH_MS = 30_000;
/** How long a lease found held stands in for a look at it, in ms. */
const FOUND_HELD_FRESH_MS = 250;
/** Lease keys remembered as found held; the oldest are forgotten first. */
const FOUND_HELD_CACHE_SIZE = 1000;
/** Sessions remembered (as recently indexed, as settled); the oldest are forgotten first. */
const MEMO_CACHE_SIZE = 10_000;

/**
 * A `SessionStore` on Redis (standalone or Cluster) through node-redis v5, with every extension:
 * conditional and idempotent appends, windowed loads, server-side fork, whole-session expiry and fenced
 * leases.
 *
 * Key scheme (`P` = prefix, `T` = `{P:projectKey:sessionId}`, one hash tag, so one Cluster slot per session):
 * - `T:log`              list    main transcript, one JSON entry per element
 * - `T:ids`              set     uuids stored in the main transcript (idempotent appends)
 * - `T:meta`             hash    `mtime` (server ms, main appends only), `last` (last uuid), `boundary`
 *                                (index of the last compact boundary), `s:<field>` summary fields as JSON,
 *                                `touched`; exists whenever any key of the session does
 * - `T:sub:<subpath>`    list    a subkey's transcript
 * - `T:subids:<subpath>` set     uuids stored under that subkey
 * - `T:subkeys`          set     the session's subpaths
 * - `T:submeta`          hash    `last:<subpath>`, `boundary:<subpath>`
 * - `T:lease`            hash    `holder`, `token` (fencing counter, kept after release), `expiresAt`
 * - `P:projectKey:sessions` zset  session ids of the project, scored by the server time of the last
 *                                append (another slot)
 *
 * Consistency of the project index: each append runs one script on the session's slot (transcript,
 * uuids, metadata, summary, expiry together). The index is updated in the same pipeline when this
 * process has not updated the session's entry for 30 s, and right after the script when the append
 * created the session; `delete` removes the entry after the session. The index may therefore name a
 * session that is not (yet, or any longer) there, and its scores lag; listings read each session's own
 * metadata, report only live sessions with their authoritative `mtime`, and prune stale members.
 */
export class RedisSessionStore implements ExtendedSessionStore {
  /** Appends never store a uuid twice under one key, so retrying an ambiguous append is safe. */
  readonly capabilities = { idempotentAppend: true } as const;

  private readonly connection: RedisConnection;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly ttlArgument: string;
  private readonly commandTimeoutMs: number;
  private readonly maxEntryBytes: number;
  private readonly entryCache: WindowCache | undefined;
  private copyAvailable: Promise<boolean> | undefined;
  /**
   * What this store remembers of the sessions it wrote, by session id: looked up on every append, so
   * keyed by a string the caller already has (a project's session under an id another project's
   * session had replaces its memo).
   */
  private readonly memos = new Map<string, SessionMemo>();
  /** Lease keys this store just found held, with the lease's end: a wait right after needs no look. */
  private readonly foundHeld = new Map<string, { expiresAt: number; at: number }>();

  constructor(connection: RedisConnectionOptions, options: RedisSessionStoreOptions = {}) {
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    assertValidPrefix(this.prefix);
    this.ttlMs = positiveInteger(options.ttlMs, 0, 'ttlMs');
    this.ttlArgument = String(this.ttlMs);
    this.maxEntryBytes = positiveInteger(options.maxEntryBytes, DEFAULT_MAX_ENTRY_BYTES, 'maxEntryBytes');
    this.commandTimeoutMs = positiveInteger(options.commandTimeoutMs, DEFAULT_TIMEOUT_MS, 'commandTimeoutMs');
    if (options.entryCache !== false) {
      this.entryCache = new WindowCache({
        maxSessions: positiveInteger(options.entryCache?.maxSessions, DEFAULT_CACHED_SESSIONS, 'entryCache.maxSessions'),
        maxBytes: positiveInteger(options.entryCache?.maxBytes, DEFAULT_CACHED_BYTES, 'entryCache.maxBytes'),
      });
    }
    this.connection = new RedisConnection(connection, this.commandTimeoutMs);
  }

  /** Closes the client the store created from a URL; a client passed in stays open. */
  close(): Promise<void> {
    return this.connection.close();
  }

  /** Appends `entries` in order, skipping uuids already stored under `key`. */
  async append(key: SessionKey, entries: SessionStoreEntry[]): Promise<void> {
    assertValidSessionKey(key);
    await this.write(key, entries, {});
  }

  /** Appends only if `condition` holds, checked in the same atomic step as the write. */
  async appendIf(key: SessionKey, entries: SessionStoreEntry[], condition: AppendCondition): Promise<AppendResult> {
    assertValidSessionKey(key);
    if (condition.lease) assertValidSessionRef(condition.lease.key);
    if (condition.lease && !sameSession(condition.lease.key, key)) {
      throw new SessionLeaseError('the lease belongs to another session', 'not-held');
    }
    return this.write(key, entries, condition);
  }

  /** All entries of `key` in order, or `null` if it was never written. */
  async load(key: SessionKey): Promise<SessionStoreEntry[] | null> {
    assertValidSessionKey(key);
    const log = this.transcriptKeys(key).log;
    const reply = (await this.connection.send('load', log, true, ['LRANGE', log, '0', '-1'])) as string[];
    return reply.length === 0 ? null : parseEntries(reply, 0);
  }

  /** Part of a transcript, by index or from its last compact boundary. */
  async loadWindow(key: SessionKey, window: LoadWindow): Promise<LoadedWindow | null> {
    assertValidSessionKey(key);
    const keys = sessionKeys(this.prefix, key);
    const { log } = this.transcriptKeys(key);
    const info = key.subpath === undefined ? keys.meta : keys.subMeta;
    const boundaryField = key.subpath === undefined ? 'boundary' : `boundary:${key.subpath}`;
    const command = ['EVALSHA', LOAD_WINDOW.sha1, '2', log, info];
    pushWindow(command, window);
    command.push(boundaryField);
    return windowOf((await this.connection.evalsha(LOAD_WINDOW, command)) as WindowReply);
  }

  /** Main sessions of a project with their last-append time (server clock, epoch ms). */
  async listSessions(projectKey: string): Promise<SessionListing[]> {
    assertValidProjectKey(projectKey);
    const sessions = await this.liveSessions(projectKey, false);
    return sessions.map(({ sessionId, mtime }) => ({ sessionId, mtime }));
  }

  /** Summaries of a project's main sessions, as folded on append. */
  async listSessionSummaries(projectKey: string): Promise<SessionSummaryEntry[]> {
    assertValidProjectKey(projectKey);
    return this.liveSessions(projectKey, true);
  }

  /** Deletes a session with all its keys, or one subkey. */
  async delete(key: SessionKey): Promise<void> {
    assertValidSessionKey(key);
    const keys = sessionKeys(this.prefix, key);
    await this.connection.run(DELETE, [keys.meta], [keys.base, key.subpath ?? '']);
    if (key.subpath === undefined) this.entryCache?.forget(keys.log);
    if (key.subpath === undefined) {
      if (this.memoOf(key)) this.memos.delete(key.sessionId);
      const index = projectIndexKey(this.prefix, key.projectKey);
      await this.connection.send('delete', index, false, ['ZREM', index, key.sessionId]);
    }
  }

  /** The subpaths of a session. */
  async listSubkeys(key: SessionRef): Promise<string[]> {
    assertValidSessionRef(key);
    const { subkeys } = sessionKeys(this.prefix, key);
    return (await this.connection.send('listSubkeys', subkeys, true, ['SMEMBERS', subkeys])) as string[];
  }

  /**
   * Copies a main transcript to `targetSessionId`. Uses COPY in one script on a standalone server that
   * has it; on Cluster (source and target are in different slots), without COPY, or up to an entry,
   * reads the source once and creates the target with the append script (refusing an existing target).
   */
  async fork(source: SessionRef, targetSessionId: string, options: { upToUuid?: string } = {}): Promise<void> {
    assertValidSessionRef(source);
    assertValidSessionId(targetSessionId);
    const target: SessionRef = { projectKey: source.projectKey, sessionId: targetSessionId };
    if (targetSessionId === source.sessionId) {
      throw new SessionConflictError('a session cannot be forked onto itself');
    }
    if (options.upToUuid === undefined && (await this.canCopy())) {
      const from = sessionKeys(this.prefix, source);
      const to = sessionKeys(this.prefix, target);
      const reply = (await this.connection.run(
        FORK_COPY,
        [from.log, from.ids, from.meta, to.log, to.ids, to.meta],
        [to.base, String(this.ttlMs)],
      )) as [string, number?];
      if (reply[0] === 'missing') throw new SessionNotFoundError(`session ${source.sessionId} does not exist`);
      if (reply[0] === 'exists') throw new SessionConflictError(`session ${targetSessionId} exists already`);
      await this.index(target, this.indexExpiry());
      return;
    }
    let entries = await this.load(source);
    if (entries === null) throw new SessionNotFoundError(`session ${source.sessionId} does not exist`);
    if (options.upToUuid !== undefined) {
      const upTo = options.upToUuid;
      const at = entries.findIndex((entry) => entry.uuid === upTo);
      if (at < 0) throw new SessionNotFoundError(`session ${source.sessionId} has no entry ${upTo}`);
      entries = entries.slice(0, at + 1);
    }
    try {
      await this.write(target, entries, { expectedLength: 0 });
    } catch (error) {
      if (error instanceof SessionConflictError) throw new SessionConflictError(`session ${targetSessionId} exists already`);
      throw error;
    }
  }

  /** Makes every key of a session expire together `ttlMs` from now; `null` removes the expiry. */
  async expire(key: SessionRef, ttlMs: number | null): Promise<void> {
    assertValidSessionRef(key);
    const ttl = ttlMs === null ? 0 : positiveInteger(ttlMs, 0, 'ttlMs');
    const keys = sessionKeys(this.prefix, key);
    const existed = await this.connection.run(EXPIRE, [keys.meta], [keys.base, String(ttl)]);
    // The index must outlive each of its sessions: extend it, never shorten it.
    if (existed === 1) await this.index(key, ttl === 0 ? 'persist' : String(ttl + INDEX_REFRESH_MS), false);
  }

  /** Takes the session's lease, with a fencing token above every earlier one. */
  async acquireLease(key: SessionRef, options: AcquireLeaseOptions): Promise<SessionLease> {
    assertValidSessionRef(key);
    const keys = sessionKeys(this.prefix, key);
    const command = ['EVALSHA', ACQUIRE_LEASE.sha1, '2', keys.lease, keys.meta];
    this.pushLease(command, options);
    const reply = (await this.connection.evalsha(ACQUIRE_LEASE, command)) as LeaseReply;
    return this.leaseOf(key, keys.lease, options.holder, reply);
  }

  /**
   * Takes the session's lease and loads a window of its main transcript in one script (one round
   * trip): the lease exactly as {@link acquireLease} takes it, the window as {@link loadWindow}
   * reads it. Rejects with `SessionLeaseError('held')`, having read nothing, while another holds it.
   * With `readOnly`, the entries come from the entry cache where the server confirms they are
   * current (see {@link RedisSessionStoreOptions.entryCache}), deep-frozen.
   */
  async acquireLeaseAndLoad(key: SessionRef, lease: AcquireLeaseOptions, window: LoadWindow, options?: LoadOptions): Promise<LeasedWindow> {
    assertValidSessionRef(key);
    const keys = sessionKeys(this.prefix, key);
    const command = ['EVALSHA', ACQUIRE_LEASE_AND_LOAD.sha1, '3', keys.lease, keys.meta, keys.log];
    this.pushLease(command, lease);
    pushWindow(command, window);
    const cache = options?.readOnly === true ? this.entryCache : undefined;
    const held = cache?.held(keys.log);
    if (held === undefined) command.push('', '', '', '');
    else command.push(String(held.start), String(held.end), held.sha1, held.born);
    const reply = (await this.connection.evalsha(ACQUIRE_LEASE_AND_LOAD, command)) as LeaseReply;
    const taken = this.leaseOf(key, keys.lease, lease.holder, reply);
    return { lease: taken, loaded: cache === undefined ? windowOf(reply[3]!) : cache.window(keys.log, held, reply[3]!, reply[4] ?? '', parseEntries) };
  }

  /** Extends a current lease by `ttlMs` from now. */
  async renewLease(lease: SessionLease, ttlMs: number): Promise<SessionLease> {
    assertValidSessionRef(lease.key);
    const ttl = positiveInteger(ttlMs, 0, 'ttlMs');
    if (ttl === 0) throw new SessionStoreError('renewLease needs a positive ttlMs');
    const keys = sessionKeys(this.prefix, lease.key);
    const reply = (await this.connection.run(RENEW_LEASE, [keys.lease], [String(lease.token), String(ttl)])) as [string, number | string];
    if (reply[0] !== 'ok') throw leaseError(lease, String(reply[1]));
    return { ...lease, expiresAt: Number(reply[1]) };
  }

  /** Gives a lease back; a no-op when it is no longer current. */
  async releaseLease(lease: SessionLease): Promise<void> {
    assertValidSessionRef(lease.key);
    const keys = sessionKeys(this.prefix, lease.key);
    await this.connection.run(RENEW_LEASE, [keys.lease, keys.wake], [String(lease.token), '0']);
  }

  /**
   * Resolves once the session's lease is free (at once if it is), released or expired, and at the
   * latest after `timeoutMs`; rejects with `signal.reason` when `signal` aborts. Of the workers
   * waiting for one session, a release wakes one, the longest waiting: each blocks (BLPOP) on the
   * session's wake list on a connection of its own, duplicated from the store's client (at most 8
   * per store, unref'd while idle, closed by `close()`). On Cluster it polls the lease instead, every
   * 25 ms growing to 200 ms. The lease may be taken again by the time this resolves: the caller
   * tries, and waits again if it must.
   */
  async waitForLeaseRelease(key: SessionRef, options: LeaseWaitOptions): Promise<void> {
    assertValidSessionRef(key);
    const timeoutMs = positiveInteger(options.timeoutMs, 0, 'timeoutMs');
    if (timeoutMs === 0) throw new SessionStoreError('waitForLeaseRelease needs a positive timeoutMs');
    const signal = options.signal;
    signal?.throwIfAborted();
    const keys = sessionKeys(this.prefix, key);
    const deadline = Date.now() + timeoutMs;
    // The usual caller has just found the lease held (acquireLease): that answer stands in for the
    // first look, since a release since then has left its wake element for BLPOP to take.
    const found = this.foundHeld.get(keys.lease);
    this.foundHeld.delete(keys.lease);
    for (let poll = 0; ; poll++) {
      // A release after this look leaves its wake element behind for a moment: BLPOP below takes it.
      const remaining =
        poll === 0 && found !== undefined && Date.now() - found.at <= FOUND_HELD_FRESH_MS && found.expiresAt > Date.now()
          ? found.expiresAt - Date.now()
          : Number(await this.connection.run(LEASE_REMAINING, [keys.lease], []));
      const left = deadline - Date.now();
      if (remaining <= 0 || left <= 0) return;
      // Never past the lease's own end (a holder that crashed releases nothing), never below 1 ms
      // (BLPOP 0 blocks for ever).
      const wait = Math.max(1, Math.min(left, remaining));
      const woken = await abortable(
        this.connection.blocking(['BLPOP', keys.wake, (wait / 1000).toFixed(3)], wait + this.commandTimeoutMs).catch(() => undefined),
        signal,
      );
      if (woken !== undefined) return;
      // No connection to block on (Cluster, the pool at its limit, a failed call): poll.
      await abortable(delay(Math.min(wait, 25 * 2 ** Math.min(poll, 3))), signal);
    }
  }

  /** Validates a lease request and pushes ACQUIRE_LEASE's arguments: holder, lease ttl, store ttl. */
  private pushLease(command: string[], options: AcquireLeaseOptions): void {
    const ttl = positiveInteger(options.ttlMs, 0, 'ttlMs');
    if (ttl === 0) throw new SessionStoreError('acquireLease needs a positive ttlMs');
    if (typeof options.holder !== 'string' || options.holder === '') {
      throw new SessionStoreError('acquireLease needs a non-empty holder');
    }
    command.push(options.holder, String(ttl), this.ttlArgument);
  }

  /** The lease an acquire script replied with; a lease found held is remembered (see waitForLeaseRelease) and thrown. */
  private leaseOf(key: SessionRef, leaseKey: string, holder: string, reply: LeaseReply): SessionLease {
    if (reply[0] === 'held') {
      this.foundHeld.delete(leaseKey);
      this.foundHeld.set(leaseKey, { expiresAt: reply[2], at: Date.now() });
      if (this.foundHeld.size > FOUND_HELD_CACHE_SIZE) this.foundHeld.delete(this.foundHeld.keys().next().value!);
      throw new SessionLeaseError(`session ${key.sessionId} is leased by ${String(reply[1])} until ${new Date(reply[2]).toISOString()}`, 'held');
    }
    return { key: { projectKey: key.projectKey, sessionId: key.sessionId }, holder, token: Number(reply[1]), expiresAt: reply[2] };
  }

  private async write(key: SessionKey, entries: SessionStoreEntry[], condition: AppendCondition): Promise<AppendResult> {
    if (!Array.isArray(entries)) throw new SessionStoreError('entries must be an array');
    const keys = sessionKeys(this.prefix, key);
    const subpath = key.subpath;
    const main = subpath === undefined;
    // The command is built once, in the order the append script reads it (see APPEND in scripts.ts).
    const lease = condition.lease;
    const release = lease !== undefined && condition.releaseLease === true;
    const head = [
      'EVALSHA',
      APPEND.sha1,
      release ? '5' : lease ? '4' : '3',
      main ? keys.log : subLogKey(keys, subpath),
      main ? keys.ids : subIdsKey(keys, subpath),
      keys.meta,
    ];
    if (lease) head.push(keys.lease);
    if (release) head.push(keys.wake);
    head.push(
      subpath ?? '',
      this.ttlArgument,
      condition.expectedLength === undefined ? '' : String(nonNegativeInteger(condition.expectedLength, 'expectedLength')),
      condition.expectedLastUuid === undefined ? 'n' : condition.expectedLastUuid === null ? 'z' : `u${condition.expectedLastUuid}`,
      lease ? `${release ? 'r' : ''}${lease.token}` : '',
    );
    const body: string[] = [String(entries.length)];
    for (let index = 0; index < entries.length; index++) this.encodeInto(body, entries[index]!, index);
    let deltaFor = '*';
    let subset = entries;
    let settled = main && this.memoOf(key)?.settled === true;
    for (;;) {
      const command = head.concat(deltaFor);
      const delta = main && subset.length > 0 ? summaryDeltaOf(key, subset, settled) : undefined;
      if (delta) pushDelta(command, delta, settled);
      else command.push('', '0', '0');
      for (const argument of body) command.push(argument);
      const script = this.connection.evalsha(APPEND, command);
      // When due, the index update travels in the same pipeline as the append: one round trip on a
      // single server. Otherwise only a session this append created needs it, after the script.
      const indexedAt = this.memoOf(key)?.indexedAt ?? 0;
      const indexing = entries.length > 0 && (main || this.ttlMs > 0) && Date.now() - indexedAt >= INDEX_REFRESH_MS;
      const reply = (indexing ? (await Promise.all([script, this.index(key, this.indexExpiry(), main)]))[0] : await script) as
        | number
        | [string, ...(string | number)[]];
      // The script's short reply (every entry appended, no lease released) is its `ok` reply's length.
      const result = typeof reply === 'number' ? ['ok', entries.length, 0, reply] : reply;
      switch (result[0]) {
        case 'ok': {
          const appended = Number(result[1]);
          const length = Number(result[3]);
          if (appended > 0 && !settled && delta && settles(delta)) this.remember(key).settled = true;
          if (main && !indexing && appended > 0 && length === appended) await this.index(key, this.indexExpiry());
          return result[5] === 1 ? { appended, skipped: Number(result[2]), length, released: true } : { appended, skipped: Number(result[2]), length };
        }
        case 'unsettled': {
          // Deleted and written again elsewhere, or expired: this session is not the one remembered.
          const current = this.memoOf(key);
          if (current) current.settled = false;
          settled = false;
          continue;
        }
        case 'refold': {
          deltaFor = String(result[1]);
          const fresh = new Set(deltaFor.split(',').map(Number));
          subset = entries.filter((_, index) => fresh.has(index + 1));
          continue;
        }
        case 'conflict': {
          const actualLastUuid = result[3] === 1 ? String(result[2]) : null;
          const details: ConstructorParameters<typeof SessionConflictError>[1] = { actualLength: Number(result[1]), actualLastUuid };
          if (condition.expectedLength !== undefined) details.expectedLength = condition.expectedLength;
          if (condition.expectedLastUuid !== undefined) details.expectedLastUuid = condition.expectedLastUuid;
          throw new SessionConflictError(
            `session ${key.sessionId} changed: ${Number(result[1])} entries, last uuid ${actualLastUuid ?? 'none'}`,
            details,
          );
        }
        case 'lease':
          throw leaseError(condition.lease!, String(result[1]));
        default:
          throw new SessionStoreError(`unexpected reply from the append script: ${JSON.stringify(result)}`);
      }
    }
  }

  /** Validates one entry and pushes its uuid, boundary flag and JSON onto `out`. */
  private encodeInto(out: string[], entry: SessionStoreEntry, index: number): void {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry) || typeof entry.type !== 'string') {
      throw new SessionStoreError(`entry ${index} must be an object with a string 'type'`);
    }
    let json: string;
    try {
      json = JSON.stringify(entry);
    } catch (error) {
      throw new SessionStoreError(`entry ${index} cannot be serialized as JSON`, { cause: error });
    }
    // A UTF-16 code unit takes at most 3 bytes in UTF-8: count the bytes only when that bound is over.
    const bytes = json.length * 3 <= this.maxEntryBytes ? 0 : Buffer.byteLength(json);
    if (bytes > this.maxEntryBytes) {
      throw new EntryTooLargeError(`entry ${index} is ${bytes} bytes, over the limit of ${this.maxEntryBytes}`);
    }
    if (entry.uuid !== undefined && typeof entry.uuid !== 'string') {
      throw new SessionStoreError(`entry ${index} has a uuid that is not a string`);
    }
    out.push(entry.uuid ?? '', entry.type === 'system' && entry.subtype === 'compact_boundary' ? '1' : '0', json);
  }

  private memoOf(key: SessionRef): SessionMemo | undefined {
    const memo = this.memos.get(key.sessionId);
    return memo?.projectKey === key.projectKey ? memo : undefined;
  }

  /** The session's memo, made the newest (a new one if there was none); past the limit the oldest is forgotten. */
  private remember(key: SessionRef): SessionMemo {
    const memo = this.memoOf(key) ?? { projectKey: key.projectKey, indexedAt: 0, settled: false };
    this.memos.delete(key.sessionId);
    this.memos.set(key.sessionId, memo);
    if (this.memos.size > MEMO_CACHE_SIZE) this.memos.delete(this.memos.keys().next().value!);
    return memo;
  }

  private transcriptKeys(key: SessionKey): { log: string; ids: string } {
    const keys = sessionKeys(this.prefix, key);
    if (key.subpath === undefined) return { log: keys.log, ids: keys.ids };
    return { log: subLogKey(keys, key.subpath), ids: subIdsKey(keys, key.subpath) };
  }

  private async index(key: SessionRef, expiry: string, addMember = true): Promise<void> {
    const index = projectIndexKey(this.prefix, key.projectKey);
    await this.connection.run(INDEX, [index], [addMember ? key.sessionId : '', expiry]);
    this.remember(key).indexedAt = Date.now();
  }

  /** The index's expiry argument: the session TTL plus the refresh period, or none. */
  private indexExpiry(): string {
    return this.ttlMs > 0 ? String(this.ttlMs + INDEX_REFRESH_MS) : '';
  }

  private async liveSessions(projectKey: string, withData: boolean): Promise<SessionSummaryEntry[]> {
    const index = projectIndexKey(this.prefix, projectKey);
    const members = (await this.connection.run(LIST_INDEX, [index], [])) as string[];
    const pairs: Array<[string, string]> = [];
    for (let at = 0; at + 1 < members.length; at += 2) pairs.push([members[at]!, members[at + 1]!]);
    const metas = await Promise.all(
      pairs.map(async ([sessionId]) => {
        const { meta } = sessionKeys(this.prefix, { projectKey, sessionId });
        if (withData) return (await this.connection.run(READ_META, [meta], [])) as string[];
        const mtime = (await this.connection.send('listSessions', meta, true, ['HGET', meta, 'mtime'])) as string | null;
        return mtime === null ? [] : ['mtime', mtime];
      }),
    );
    const live: SessionSummaryEntry[] = [];
    const stale: string[] = [];
    pairs.forEach(([sessionId, score], at) => {
      const summary = summaryOf(sessionId, metas[at]!);
      if (summary) live.push(summary);
      else stale.push(sessionId, score);
    });
    if (stale.length > 0) await this.connection.run(PRUNE_INDEX, [index], [String(PRUNE_GRACE_MS), ...stale]);
    return live;
  }

  private canCopy(): Promise<boolean> {
    this.copyAvailable ??= this.detectCopy().catch((error: unknown) => {
      this.copyAvailable = undefined;
      throw error;
    });
    return this.copyAvailable;
  }

  /** COPY exists from Redis 6.2 on, unless renamed away; Cluster cannot copy across slots. */
  private async detectCopy(): Promise<boolean> {
    if (this.connection.isCluster) return false;
    const reply = (await this.connection.send('fork', undefined, true, ['COMMAND', 'INFO', 'COPY'])) as unknown[];
    return Array.isArray(reply) && reply[0] !== null && reply[0] !== undefined;
  }
}

/** `promise`, or a rejection with `signal.reason` as soon as `signal` aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function summaryOf(sessionId: string, fields: readonly string[]): SessionSummaryEntry | undefined {
  let mtime: number | undefined;
  const data: Record<string, unknown> = {};
  for (let at = 0; at + 1 < fields.length; at += 2) {
    const field = fields[at]!;
    const value = fields[at + 1]!;
    if (field === 'mtime') mtime = Number(value);
    else if (field.startsWith(SUMMARY_FIELD)) data[field.slice(SUMMARY_FIELD.length)] = JSON.parse(value) as unknown;
  }
  return mtime === undefined ? undefined : { sessionId, mtime, data };
}

/** An acquire script's reply: {'ok', token, expiresAt[, window, born]} | {'held', holder, expiresAt}. */
type LeaseReply = [string, number | string, number, WindowReply?, string?];

/** Validates `window` and pushes LOAD_WINDOW's mode, start and end arguments. */
function pushWindow(command: string[], window: LoadWindow): void {
  if ('fromLastCompactBoundary' in window) {
    command.push('boundary', '0', '');
    return;
  }
  const start = nonNegativeInteger(window.start, 'window.start');
  command.push('range', String(start), window.end === undefined ? '' : String(nonNegativeInteger(window.end, 'window.end')));
}

function windowOf(reply: WindowReply): LoadedWindow | null {
  if (reply[0] < 0) return null;
  const start = reply[1] ?? 0;
  return { entries: parseEntries(reply[2] ?? [], start), start, length: reply[0] };
}

function parseEntries(lines: readonly string[], start: number): SessionStoreEntry[] {
  return lines.map((line, offset) => {
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch (error) {
      throw new TranscriptCorruptError(`entry ${start + offset} is not valid JSON`, { index: start + offset }, { cause: error });
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new TranscriptCorruptError(`entry ${start + offset} is not an object`, { index: start + offset });
    }
    return entry as SessionStoreEntry;
  });
}

function leaseError(lease: SessionLease, reason: string): SessionLeaseError {
  const known = reason === 'expired' || reason === 'superseded' || reason === 'not-held' ? reason : 'not-held';
  return new SessionLeaseError(`lease ${lease.token} of ${lease.holder} on session ${lease.key.sessionId} is ${known}`, known);
}

/**
 * Pushes `delta` as the append script reads it: the conditional fields' groups as one string ('='
 * for a settled session's delta, which has none), the
 * last-wins and removal counts, the conditional names then their values, the last-wins pairs, the
 * removed names; names carry the hash's `s:` prefix so the script passes them on untouched.
 */
function pushDelta(out: string[], delta: SummaryDelta, settled: boolean): void {
  let groups = settled ? '=' : '';
  const names: string[] = [];
  const values: string[] = [];
  for (const field in delta.setOnce) {
    groups += 'o';
    names.push(SUMMARY_FIELD + field);
    values.push(delta.setOnce[field]!);
  }
  for (const field in delta.unlessLocked) {
    groups += 'u';
    names.push(SUMMARY_FIELD + field);
    values.push(delta.unlessLocked[field]!);
  }
  let lastWins = 0;
  const start = out.length;
  out.push(groups, '', String(delta.remove.length));
  for (const name of names) out.push(name);
  for (const value of values) out.push(value);
  for (const field in delta.lastWins) {
    out.push(SUMMARY_FIELD + field, delta.lastWins[field]!);
    lastWins++;
  }
  out[start + 1] = String(lastWins);
  for (const field of delta.remove) out.push(SUMMARY_FIELD + field);
}

function sameSession(a: SessionRef, b: SessionRef): boolean {
  return a.projectKey === b.projectKey && a.sessionId === b.sessionId;
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) throw new SessionStoreError(`${name} must be a positive integer, got ${String(value)}`);
  return value;
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new SessionStoreError(`${name} must be a non-negative integer, got ${String(value)}`);
  return value;
}

