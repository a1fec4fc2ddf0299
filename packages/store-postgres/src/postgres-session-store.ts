import {
  assertValidProjectKey,
  assertValidSessionId,
  assertValidSessionKey,
  assertValidSessionRef,
  foldSessionSummary,
  SessionConflictError,
  SessionLeaseError,
  SessionNotFoundError,
  SessionStoreError,
} from '@sdk/core/store';
import type {
  AcquireLeaseOptions,
  AppendCondition,
  AppendResult,
  ExtendedSessionStore,
  LoadedWindow,
  LoadWindow,
  SessionKey,
  SessionLease,
  SessionListing,
  SessionRef,
  SessionStoreEntry,
  SessionSummaryEntry,
} from '@sdk/core/store';
import type { Pool, QueryResultRow } from 'pg';
import { encodeEntries, jsonColumns, parseEntry } from './entry-codec.js';
import { PostgresConnection } from './pg-connection.js';
import type { PostgresConnectionOptions, Transaction } from './pg-connection.js';
import { assertValidSchemaName, DEFAULT_SCHEMA } from './schema-name.js';
import { statements } from './sql.js';
import type { Statements } from './sql.js';

/** Options of {@link PostgresSessionStore}. */
export type PostgresSessionStoreOptions = {
  /** The schema {@link migrate} created the tables in. @default 'claude_sessions' */
  schema?: string;
  /**
   * Sliding expiry: every append sets the session's `expires_at` this many ms ahead. Omit for
   * sessions that never expire (unless {@link PostgresSessionStore.expire} is called).
   */
  ttlMs?: number;
  /**
   * Deadline of every statement (and, for a pool the store creates, of getting a connection); past
   * it the call fails with `StoreUnavailableError`. @default 5000
   */
  queryTimeoutMs?: number;
  /** Largest accepted entry, as UTF-8 JSON. @default 16 MiB */
  maxEntryBytes?: number;
  /**
   * Prepare statements by name on each connection, so each is parsed and planned once. Turn off
   * behind a pooler that cannot keep named statements (PgBouncer in transaction mode before 1.21).
   * @default true
   */
  preparedStatements?: boolean;
};

const DEFAULT_TIMEOUT_MS = 5000;
const DEFAULT_MAX_ENTRY_BYTES = 16 * 1024 * 1024;

/** What `transcriptState` reads. bigint columns arrive as strings. */
type SessionState = {
  expired: boolean;
  summary: string | null;
  id: string | null;
  length: string | null;
  last_uuid: string | null;
  last_boundary: string | null;
  existing: string[] | null;
};

type LeaseRow = { holder: string; token: string; expires_at: string; live: boolean };

/** PostgreSQL's unique-violation code, and how often a write that hit one is run again. */
const UNIQUE_VIOLATION = '23505';
const MAX_WRITE_ATTEMPTS = 4;

/**
 * A `SessionStore` on PostgreSQL through node-postgres (`pg`), with every extension: idempotent and
 * conditional appends, windowed loads, server-side fork, whole-session expiry and fenced leases.
 * Entries are `jsonb` rows numbered per transcript, so transcripts can be queried with SQL.
 *
 * The tables must exist: call {@link migrate} once (a deploy step, or at startup) before using the
 * store. Neither importing the package nor constructing a store touches the database.
 *
 * Every write to a session runs in one transaction that first locks the session's row
 * (`SELECT ... FOR UPDATE`): writers of one session queue there, then check their condition (length,
 * last uuid, lease) and skip stored uuids against the state they see under the lock, and write entries,
 * transcript state and summary together. Writers of different sessions never wait for each other.
 * Unique constraints on (transcript, seq) and (transcript, uuid) back the lock up: a write that
 * would break them fails instead of corrupting the transcript.
 */
export class PostgresSessionStore implements ExtendedSessionStore {
  /** Appends never store a uuid twice under one key, so retrying an ambiguous append is safe. */
  readonly capabilities = { idempotentAppend: true } as const;

  private readonly connection: PostgresConnection;
  private readonly sql: Statements;
  private readonly ttlMs: number;
  private readonly maxEntryBytes: number;

  constructor(connection: PostgresConnectionOptions, options: PostgresSessionStoreOptions = {}) {
    const schema = options.schema ?? DEFAULT_SCHEMA;
    assertValidSchemaName(schema);
    this.ttlMs = positiveInteger(options.ttlMs, 0, 'ttlMs');
    this.maxEntryBytes = positiveInteger(options.maxEntryBytes, DEFAULT_MAX_ENTRY_BYTES, 'maxEntryBytes');
    const timeoutMs = positiveInteger(options.queryTimeoutMs, DEFAULT_TIMEOUT_MS, 'queryTimeoutMs');
    this.sql = statements(schema);
    this.connection = new PostgresConnection(connection, timeoutMs, schema, options.preparedStatements ?? true);
  }

  /** The pool the store runs on: yours, or the one it created. */
  get pool(): Pool {
    return this.connection.pool;
  }

  /** Ends the pool the store created from a connection string; a pool passed in stays open. */
  close(): Promise<void> {
    return this.connection.close();
  }

  /** Appends `entries` in order, skipping uuids already stored under `key`. */
  async append(key: SessionKey, entries: SessionStoreEntry[]): Promise<void> {
    assertValidSessionKey(key);
    const encoded = encodeEntries(entries, this.maxEntryBytes);
    if (encoded.length === 0) return;
    await this.write(key, entries, encoded, {});
  }

  /** Appends only if `condition` holds, checked under the session's row lock with the write. */
  async appendIf(key: SessionKey, entries: SessionStoreEntry[], condition: AppendCondition): Promise<AppendResult> {
    assertValidSessionKey(key);
    if (condition.lease) {
      assertValidSessionRef(condition.lease.key);
      if (!sameSession(condition.lease.key, key)) throw new SessionLeaseError('the lease belongs to another session', 'not-held');
    }
    if (condition.expectedLength !== undefined) nonNegativeInteger(condition.expectedLength, 'expectedLength');
    return this.write(key, entries, encodeEntries(entries, this.maxEntryBytes), condition);
  }

  /** All entries of `key` in order, or `null` if it was never written (or expired). */
  async load(key: SessionKey): Promise<SessionStoreEntry[] | null> {
    assertValidSessionKey(key);
    const rows = await this.connection.query<{ json: string }>('load', {
      text: this.sql.load,
      values: [key.projectKey, key.sessionId, key.subpath ?? ''],
    });
    return rows.length === 0 ? null : rows.map((row, index) => parseEntry(row.json, index));
  }

  /** Part of a transcript, by index or from its last compact boundary. */
  async loadWindow(key: SessionKey, window: LoadWindow): Promise<LoadedWindow | null> {
    assertValidSessionKey(key);
    const fromBoundary = 'fromLastCompactBoundary' in window;
    const start = fromBoundary ? 0 : nonNegativeInteger(window.start, 'window.start');
    const end = fromBoundary || window.end === undefined ? null : nonNegativeInteger(window.end, 'window.end');
    const rows = await this.connection.query<{ length: string; start: string; json: string | null }>('loadWindow', {
      text: this.sql.loadWindow,
      values: [key.projectKey, key.sessionId, key.subpath ?? '', fromBoundary, start, end],
    });
    const first = rows[0];
    if (first === undefined) return null;
    const from = Number(first.start);
    const entries: SessionStoreEntry[] = [];
    for (const row of rows) if (row.json !== null) entries.push(parseEntry(row.json, from + entries.length));
    return { entries, start: from, length: Number(first.length) };
  }

  /** Main sessions of a project with their last-append time (server clock, epoch ms). */
  async listSessions(projectKey: string): Promise<SessionListing[]> {
    assertValidProjectKey(projectKey);
    const rows = await this.connection.query<{ session_id: string; mtime: string }>('listSessions', {
      text: this.sql.listSessions,
      values: [projectKey],
    });
    return rows.map((row) => ({ sessionId: row.session_id, mtime: Number(row.mtime) }));
  }

  /** Summaries of a project's main sessions, as folded on append. */
  async listSessionSummaries(projectKey: string): Promise<SessionSummaryEntry[]> {
    assertValidProjectKey(projectKey);
    const rows = await this.connection.query<{ session_id: string; mtime: string; summary: string | null }>('listSessionSummaries', {
      text: this.sql.listSummaries,
      values: [projectKey],
    });
    return rows.map((row) => ({ sessionId: row.session_id, mtime: Number(row.mtime), data: parseSummary(row.summary) }));
  }

  /** Deletes a session with all its transcripts, or one subkey. */
  async delete(key: SessionKey): Promise<void> {
    assertValidSessionKey(key);
    const subpath = key.subpath;
    if (subpath === undefined) {
      await this.connection.query('delete', { text: this.sql.deleteSession, values: [key.projectKey, key.sessionId] });
      return;
    }
    // Under the session's lock, so no writer sees the session row vanish between its steps.
    await this.connection.transaction(
      'delete',
      async (run) => {
        await run({ text: this.sql.deleteTranscript, values: [key.projectKey, key.sessionId, subpath] });
        await run({ text: this.sql.deleteSessionIfEmpty, values: [key.projectKey, key.sessionId] });
      },
      this.sql.lockSessionInline(key.projectKey, key.sessionId),
    );
  }

  /** The subpaths of a session, sorted. */
  async listSubkeys(key: SessionRef): Promise<string[]> {
    assertValidSessionRef(key);
    const rows = await this.connection.query<{ subpath: string }>('listSubkeys', {
      text: this.sql.listSubkeys,
      values: [key.projectKey, key.sessionId],
    });
    return rows.map((row) => row.subpath);
  }

  /**
   * Copies a main transcript to `targetSessionId` with `INSERT ... SELECT`: entries never leave the
   * server. With `upToUuid` the copied prefix is read once to fold the fork's summary.
   */
  async fork(source: SessionRef, targetSessionId: string, options: { upToUuid?: string } = {}): Promise<void> {
    assertValidSessionRef(source);
    assertValidSessionId(targetSessionId);
    if (targetSessionId === source.sessionId) throw new SessionConflictError('a session cannot be forked onto itself');
    const target: SessionRef = { projectKey: source.projectKey, sessionId: targetSessionId };
    await this.connection.transaction('fork', async (run, _discard, [, locked = []]) => {
      const state = await this.lockedState(run, target, '', [], locked);
      if (state.id !== null) throw new SessionConflictError(`cannot fork onto session ${targetSessionId}: it already exists`);
      const [from] = await run<{ id: string; length: string; last_uuid: string | null; last_boundary: string | null; summary: string | null; upto: string | null }>({
        text: this.sql.forkSource,
        values: [source.projectKey, source.sessionId, options.upToUuid ?? null],
      });
      if (from === undefined) throw new SessionNotFoundError(`cannot fork session ${source.sessionId}: it does not exist`);
      let count = Number(from.length);
      let lastUuid = from.last_uuid;
      let lastBoundary = from.last_boundary === null ? null : Number(from.last_boundary);
      let summary = from.summary;
      if (options.upToUuid !== undefined) {
        if (from.upto === null) throw new SessionNotFoundError(`cannot fork session ${source.sessionId} at ${options.upToUuid}: no such entry`);
        count = Number(from.upto) + 1;
        const rows = await run<{ json: string }>({ text: this.sql.entriesBelow, values: [from.id, count] });
        const entries = rows.map((row, index) => parseEntry(row.json, index));
        lastUuid = options.upToUuid;
        const boundary = entries.findLastIndex((entry) => entry.type === 'system' && entry.subtype === 'compact_boundary');
        lastBoundary = boundary < 0 ? null : boundary;
        summary = JSON.stringify(foldSessionSummary(undefined, target, entries).data);
      }
      const copied = await run({
        text: `${this.sql.forkCopy} RETURNING 1`,
        values: [target.projectKey, target.sessionId, count, lastUuid, lastBoundary, from.id, count],
      });
      // Entries below `count` never change; fewer rows means the source was deleted meanwhile.
      if (copied.length !== count) throw new SessionNotFoundError(`cannot fork session ${source.sessionId}: it was deleted during the fork`);
      const columns = summary === null ? { jsonb: null, text: null } : jsonColumns(summary);
      await run({ text: this.sql.forkFinish, values: [target.projectKey, target.sessionId, columns.jsonb, columns.text, this.ttlMs] });
    }, this.sql.lockAndReadInline(target.projectKey, target.sessionId, '', [], false));
  }

  /** Makes the session with all its transcripts expire `ttlMs` from now; `null` removes the expiry. */
  async expire(key: SessionRef, ttlMs: number | null): Promise<void> {
    assertValidSessionRef(key);
    const ttl = ttlMs === null ? null : nonNegativeInteger(ttlMs, 'ttlMs');
    await this.connection.query('expire', { text: this.sql.expire, values: [key.projectKey, key.sessionId, ttl] });
  }

  /** Takes the session's lease, with a fencing token above every earlier one. */
  async acquireLease(key: SessionRef, options: AcquireLeaseOptions): Promise<SessionLease> {
    assertValidSessionRef(key);
    const ttl = positiveInteger(options.ttlMs, 0, 'ttlMs');
    if (ttl === 0) throw new SessionStoreError('acquireLease needs a positive ttlMs');
    if (typeof options.holder !== 'string' || options.holder === '') throw new SessionStoreError('acquireLease needs a non-empty holder');
    const [taken] = await this.connection.query<{ token: string; expires_at: string }>('acquireLease', {
      text: this.sql.acquireLease,
      values: [key.projectKey, key.sessionId, options.holder, ttl],
    });
    if (taken === undefined) {
      const [current] = await this.connection.query<LeaseRow>('acquireLease', { text: this.sql.readLease, values: [key.projectKey, key.sessionId] });
      const until = current === undefined ? 'now' : new Date(Number(current.expires_at)).toISOString();
      throw new SessionLeaseError(`session ${key.sessionId} is leased by ${current?.holder ?? 'another holder'} until ${until}`, 'held');
    }
    return {
      key: { projectKey: key.projectKey, sessionId: key.sessionId },
      holder: options.holder,
      token: Number(taken.token),
      expiresAt: Number(taken.expires_at),
    };
  }

  /** Extends a current lease by `ttlMs` from now. */
  async renewLease(lease: SessionLease, ttlMs: number): Promise<SessionLease> {
    assertValidSessionRef(lease.key);
    const ttl = positiveInteger(ttlMs, 0, 'ttlMs');
    if (ttl === 0) throw new SessionStoreError('renewLease needs a positive ttlMs');
    const [renewed] = await this.connection.query<{ expires_at: string }>('renewLease', {
      text: this.sql.renewLease,
      values: [lease.key.projectKey, lease.key.sessionId, lease.token, ttl],
    });
    if (renewed !== undefined) return { ...lease, expiresAt: Number(renewed.expires_at) };
    const [current] = await this.connection.query<LeaseRow>('renewLease', {
      text: this.sql.readLease,
      values: [lease.key.projectKey, lease.key.sessionId],
    });
    throw leaseError(lease, current);
  }

  /** Gives a lease back; a no-op when it is no longer current. */
  async releaseLease(lease: SessionLease): Promise<void> {
    assertValidSessionRef(lease.key);
    await this.connection.query('releaseLease', { text: this.sql.releaseLease, values: [lease.key.projectKey, lease.key.sessionId, lease.token] });
  }

  /** Round trip of `SELECT 1` through the store's pool: a health check, and the benchmarks' floor. */
  async ping(): Promise<void> {
    await this.connection.query('ping', { text: this.sql.ping });
  }

  /**
   * One append, retried when two first writers of a transcript raced past each other to the same
   * sequence number (a unique violation: the transaction rolled back whole, so running it again
   * from a fresh read is safe, and idempotent by uuid).
   */
  private async write(
    key: SessionKey,
    entries: SessionStoreEntry[],
    encoded: ReturnType<typeof encodeEntries>,
    condition: AppendCondition,
  ): Promise<AppendResult> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.writeOnce(key, entries, encoded, condition);
      } catch (error) {
        const code = (error as { cause?: { code?: unknown } }).cause?.code;
        if (code !== UNIQUE_VIOLATION || attempt >= MAX_WRITE_ATTEMPTS) throw error;
      }
    }
  }

  private writeOnce(
    key: SessionKey,
    entries: SessionStoreEntry[],
    encoded: ReturnType<typeof encodeEntries>,
    condition: AppendCondition,
  ): Promise<AppendResult> {
    const main = key.subpath === undefined;
    const uuids = encoded.flatMap((entry) => (entry.uuid === null ? [] : [entry.uuid]));
    const lease = condition.lease;
    const lock = this.sql.lockAndReadInline(key.projectKey, key.sessionId, key.subpath ?? '', uuids, lease !== undefined);
    return this.connection.transaction(main ? 'append' : 'append (subkey)', async (run, discard, [, locked = [], leases = []]) => {
      const state = await this.lockedState(run, key, key.subpath ?? '', uuids, locked);
      if (lease) assertCurrentLease(lease, leases[0] as LeaseRow | undefined);
      const length = Number(state.length ?? 0);
      const lastUuid = state.last_uuid;
      // Skip uuids stored already, and repeats within the batch.
      const seen = new Set(state.existing ?? []);
      const fresh: number[] = [];
      encoded.forEach((entry, index) => {
        if (entry.uuid !== null) {
          if (seen.has(entry.uuid)) return;
          seen.add(entry.uuid);
        }
        fresh.push(index);
      });
      // A batch stored whole is a retry that landed: report it as such, whatever the length is now
      // (as the Redis store does). Otherwise the condition decides.
      if (fresh.length > 0 || entries.length === 0) assertCondition(key, condition, length, lastUuid);
      if (fresh.length === 0) {
        discard();
        return { appended: 0, skipped: entries.length, length };
      }
      let newLastUuid = lastUuid;
      let newBoundary = state.last_boundary === null ? null : Number(state.last_boundary);
      fresh.forEach((index, offset) => {
        const entry = encoded[index]!;
        if (entry.uuid !== null) newLastUuid = entry.uuid;
        if (entry.boundary) newBoundary = length + offset;
      });
      let summary: { jsonb: string | null; text: string | null } = { jsonb: null, text: null };
      if (main) {
        const previous = state.summary === null ? undefined : { sessionId: key.sessionId, mtime: 0, data: parseSummary(state.summary) };
        const folded = foldSessionSummary(previous, key, fresh.map((index) => entries[index]!));
        summary = jsonColumns(JSON.stringify(folded.data));
      }
      const chosen = fresh.map((index) => encoded[index]!);
      await run({
        text: this.sql.write,
        values: [
          key.projectKey,
          key.sessionId,
          key.subpath ?? '',
          length + chosen.length,
          newLastUuid,
          newBoundary,
          length,
          chosen.map((entry) => entry.uuid),
          chosen.map((entry) => entry.jsonb),
          chosen.map((entry) => entry.text),
          main,
          summary.jsonb,
          summary.text,
          this.ttlMs,
        ],
      });
      return { appended: chosen.length, skipped: entries.length - chosen.length, length: length + chosen.length };
    }, lock);
  }

  /**
   * The state of the transcript at `subpath` under the session's row lock. `locked` holds the rows of
   * the lock-and-read statements sent with `BEGIN`; a missing row is created and an expired one
   * replaced (an expired session is absent: a write starts it afresh).
   */
  private async lockedState(run: Transaction, key: SessionRef, subpath: string, uuids: string[], locked: QueryResultRow[]): Promise<SessionState> {
    const ref = [key.projectKey, key.sessionId];
    let state = locked[0] as SessionState | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (state !== undefined && !state.expired) return state;
      if (state !== undefined) await run({ text: this.sql.deleteSession, values: ref });
      const created = await run({ text: this.sql.createSession, values: ref });
      // Inserted by this transaction: nobody else can see or lock it until commit.
      if (created.length === 1) return { expired: false, summary: null, id: null, length: null, last_uuid: null, last_boundary: null, existing: null };
      // Another writer created it first (this insert waited for its commit): lock theirs, then read.
      await run({ text: this.sql.lockSession, values: ref });
      [state] = await run<SessionState>({ text: this.sql.transcriptState, values: [...ref, subpath, uuids] });
    }
    throw new SessionStoreError(`session ${key.sessionId} kept being created and deleted concurrently; try again`);
  }
}

/** Refuses the write unless `lease` is `current`, the session's live lease (locked until commit). */
function assertCurrentLease(lease: SessionLease, current: LeaseRow | undefined): void {
  if (current === undefined || Number(current.token) !== lease.token || !current.live) throw leaseError(lease, current);
}

function assertCondition(key: SessionKey, condition: AppendCondition, length: number, lastUuid: string | null): void {
  const lengthDiffers = condition.expectedLength !== undefined && condition.expectedLength !== length;
  const lastUuidDiffers = condition.expectedLastUuid !== undefined && condition.expectedLastUuid !== lastUuid;
  if (!lengthDiffers && !lastUuidDiffers) return;
  const details: ConstructorParameters<typeof SessionConflictError>[1] = { actualLength: length, actualLastUuid: lastUuid };
  if (condition.expectedLength !== undefined) details.expectedLength = condition.expectedLength;
  if (condition.expectedLastUuid !== undefined) details.expectedLastUuid = condition.expectedLastUuid;
  throw new SessionConflictError(
    `session ${key.sessionId}${key.subpath === undefined ? '' : ` (${key.subpath})`} changed: ${length} entries, last uuid ${lastUuid ?? 'none'}`,
    details,
  );
}

function leaseError(lease: SessionLease, current: LeaseRow | undefined): SessionLeaseError {
  const reason = current === undefined ? 'not-held' : Number(current.token) !== lease.token ? 'superseded' : 'expired';
  return new SessionLeaseError(`lease ${lease.token} of ${lease.holder} on session ${lease.key.sessionId} is ${reason}`, reason);
}

function parseSummary(json: string | null): Record<string, unknown> {
  if (json === null) return {};
  const data = JSON.parse(json) as unknown;
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
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
