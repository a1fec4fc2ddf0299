import type {
  AcquireLeaseOptions,
  AppendCondition,
  AppendResult,
  LeasedWindow,
  LoadedWindow,
  LoadOptions,
  LoadWindow,
  SessionKey,
  SessionLease,
  SessionListing,
  SessionRef,
  SessionStore,
  SessionStoreEntry,
  SessionStoreExtensions,
  SessionSummaryEntry,
} from '@sdk/core/store';
import {
  assertValidProjectKey,
  assertValidSessionId,
  assertValidSessionKey,
  assertValidSessionRef,
  deepFreeze,
  foldSessionSummary,
  SessionConflictError,
  SessionLeaseError,
  SessionNotFoundError,
  SessionStoreError,
} from '@sdk/core/store';

/** Options of {@link InMemorySessionStore}. */
export type InMemorySessionStoreOptions = {
  /**
   * The store's clock in epoch milliseconds: mtimes, expiry and leases read it. Inject one to
   * test TTLs without waiting. Defaults to `Date.now`.
   */
  now?: () => number;
};

/**
 * One stored entry: a deep-frozen copy of what was appended (taken through JSON on the way in, so
 * it holds exactly what a serialising store would). Plain loads hand out copies of it (a recursive
 * copy of frozen objects is about four times as fast as `JSON.parse` of the same text); read-only
 * loads hand out the frozen objects themselves.
 */
type StoredEntry = Readonly<SessionStoreEntry>;

/** One transcript: the main one or a subkey's. */
type Transcript = {
  entries: StoredEntry[];
  /** Every uuid in `entries`, for idempotent appends. */
  uuids: Set<string>;
  /** The uuid of the last entry that has one, for `expectedLastUuid`. */
  lastUuid: string | null;
  /** Index of the last compact boundary, -1 when none: where a turn's window starts. */
  lastBoundary: number;
  mtime: number;
};

/** Everything stored for one session id in one project; it expires as a whole. */
type SessionRecord = {
  main: Transcript | undefined;
  /** Subagent transcripts; created with the first (most sessions have none). */
  subkeys: Map<string, Transcript> | undefined;
  /**
   * The main transcript's summary, folded up to its first `summaryFolded` entries: appends leave
   * the folding to the next listing, which is rarer than turns.
   */
  summary: SessionSummaryEntry | undefined;
  summaryFolded: number;
  /** Store-clock ms after which the record is gone; `null` = never. */
  expiresAt: number | null;
};

type LeaseRecord = { holder: string; token: number; expiresAt: number };

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');

/**
 * A `SessionStore` that keeps sessions in this process's memory, with every extension of
 * `@sdk/core`: idempotent and conditional appends, windowed loads, fork, expiry and fenced leases.
 *
 * For tests, development and single-process deployments: nothing survives the process, and two
 * processes do not share sessions. A drop-in replacement for the official `InMemorySessionStore`
 * (same methods, plus `getEntries`, `size` and `clear`), which additionally validates keys and
 * copies entries in and out so callers cannot change stored state by mutating their objects.
 *
 * Every method finishes its work synchronously before its promise settles, so each operation is
 * atomic with respect to the others without locks.
 */
export class InMemorySessionStore implements SessionStore, SessionStoreExtensions {
  /** Retrying an append never stores an entry whose `uuid` is already stored under the key. */
  readonly capabilities = { idempotentAppend: true } as const;

  readonly #now: () => number;
  /** projectKey → sessionId → record. Maps, not objects: keys like `__proto__` stay data. */
  readonly #projects = new Map<string, Map<string, SessionRecord>>();
  /** `${projectKey}/${sessionId}` → lease; kept apart from data so delete and expiry keep fencing. */
  readonly #leases = new Map<string, LeaseRecord>();
  #lastMtime = 0;
  #lastToken = 0;

  constructor(options: InMemorySessionStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  async append(key: SessionKey, entries: SessionStoreEntry[]): Promise<void> {
    assertValidSessionKey(key);
    this.#write(key, entries);
  }

  async load(key: SessionKey): Promise<SessionStoreEntry[] | null> {
    assertValidSessionKey(key);
    const transcript = this.#transcript(key);
    return transcript ? copyEntries(transcript.entries) : null;
  }

  async listSessions(projectKey: string): Promise<SessionListing[]> {
    assertValidProjectKey(projectKey);
    const listings: SessionListing[] = [];
    for (const [sessionId, record] of this.#liveSessions(projectKey)) {
      if (record.main) listings.push({ sessionId, mtime: record.main.mtime });
    }
    return listings;
  }

  async listSessionSummaries(projectKey: string): Promise<SessionSummaryEntry[]> {
    assertValidProjectKey(projectKey);
    const summaries: SessionSummaryEntry[] = [];
    for (const [sessionId, record] of this.#liveSessions(projectKey)) {
      const summary = summaryOf(record, { projectKey, sessionId });
      if (summary) summaries.push(structuredClone(summary));
    }
    return summaries;
  }

  async delete(key: SessionKey): Promise<void> {
    assertValidSessionKey(key);
    const record = this.#record(key);
    if (!record) return;
    if (key.subpath !== undefined) {
      record.subkeys?.delete(key.subpath);
    } else {
      this.#projects.get(key.projectKey)?.delete(key.sessionId);
    }
    this.#dropIfEmpty(key);
  }

  async listSubkeys(key: SessionRef): Promise<string[]> {
    assertValidSessionRef(key);
    return [...(this.#record(key)?.subkeys?.keys() ?? [])];
  }

  async appendIf(key: SessionKey, entries: SessionStoreEntry[], condition: AppendCondition): Promise<AppendResult> {
    assertValidSessionKey(key);
    if (condition.lease !== undefined) this.#assertCurrentLease(key, condition.lease);
    const record = this.#record(key);
    const transcript = transcriptOf(record, key);
    const length = transcript?.entries.length ?? 0;
    const lastUuid = transcript?.lastUuid ?? null;
    const lengthDiffers = condition.expectedLength !== undefined && condition.expectedLength !== length;
    const lastUuidDiffers = condition.expectedLastUuid !== undefined && condition.expectedLastUuid !== lastUuid;
    if (lengthDiffers || lastUuidDiffers) {
      throw new SessionConflictError(
        `session ${key.sessionId}${key.subpath ? ` (${key.subpath})` : ''} changed: ` +
          (lengthDiffers ? `expected ${condition.expectedLength} entries, found ${length}` : `expected last uuid ${String(condition.expectedLastUuid)}, found ${String(lastUuid)}`),
        {
          ...(condition.expectedLength !== undefined && { expectedLength: condition.expectedLength, actualLength: length }),
          ...(condition.expectedLastUuid !== undefined && { expectedLastUuid: condition.expectedLastUuid, actualLastUuid: lastUuid }),
        },
      );
    }
    const result = this.#write(key, entries, record);
    if (condition.releaseLease !== true || condition.lease === undefined) return result;
    // The writer's last write of its turn: give the lease back in the same step.
    this.#leases.delete(sessionPath(key));
    result.released = true;
    return result;
  }

  async loadWindow(key: SessionKey, window: LoadWindow, options: LoadOptions = {}): Promise<LoadedWindow | null> {
    assertValidSessionKey(key);
    return this.#window(key, window, options);
  }

  async fork(source: SessionRef, targetSessionId: string, options: { upToUuid?: string } = {}): Promise<void> {
    assertValidSessionRef(source);
    assertValidSessionId(targetSessionId);
    const from = this.#transcript(source);
    if (!from) throw new SessionNotFoundError(`cannot fork session ${source.sessionId}: it does not exist`);
    let count = from.entries.length;
    if (options.upToUuid !== undefined) {
      const index = from.entries.findIndex((entry) => entry.uuid === options.upToUuid);
      if (index === -1) {
        throw new SessionNotFoundError(`cannot fork session ${source.sessionId} at ${options.upToUuid}: no such entry`);
      }
      count = index + 1;
    }
    const target: SessionRef = { projectKey: source.projectKey, sessionId: targetSessionId };
    if (this.#transcript(target)) {
      throw new SessionConflictError(`cannot fork onto session ${targetSessionId}: it already exists`);
    }
    this.#write(target, from.entries.slice(0, count));
  }

  async expire(key: SessionRef, ttlMs: number | null): Promise<void> {
    assertValidSessionRef(key);
    if (ttlMs !== null && !(Number.isFinite(ttlMs) && ttlMs >= 0)) {
      throw new SessionStoreError(`ttlMs must be a non-negative number of milliseconds or null, got ${String(ttlMs)}`);
    }
    const record = this.#record(key);
    if (record) record.expiresAt = ttlMs === null ? null : this.#now() + ttlMs;
  }

  async acquireLease(key: SessionRef, options: AcquireLeaseOptions): Promise<SessionLease> {
    assertValidSessionRef(key);
    return this.#takeLease(key, options);
  }

  /**
   * `acquireLease` and `loadWindow` in one step, as one synchronous change: a turn awaits the store
   * once instead of twice. Rejects like either of them, and then has taken nothing.
   */
  async acquireLeaseAndLoad(key: SessionRef, lease: AcquireLeaseOptions, window: LoadWindow, options: LoadOptions = {}): Promise<LeasedWindow> {
    assertValidSessionRef(key);
    // The window first: a bad one throws before the lease is taken.
    const loaded = this.#window(key, window, options);
    return { lease: this.#takeLease(key, lease), loaded };
  }

  async renewLease(lease: SessionLease, ttlMs: number): Promise<SessionLease> {
    assertValidSessionRef(lease.key);
    assertTtl(ttlMs);
    const current = this.#assertCurrentLease(lease.key, lease);
    current.expiresAt = this.#now() + ttlMs;
    return { key: { projectKey: lease.key.projectKey, sessionId: lease.key.sessionId }, ...current };
  }

  async releaseLease(lease: SessionLease): Promise<void> {
    assertValidSessionRef(lease.key);
    const leaseKey = sessionPath(lease.key);
    if (this.#leases.get(leaseKey)?.token === lease.token) this.#leases.delete(leaseKey);
  }

  /** A copy of the entries stored under `key`; empty when there are none (official API, for tests). */
  getEntries(key: SessionKey): SessionStoreEntry[] {
    assertValidSessionKey(key);
    return copyEntries(this.#transcript(key)?.entries ?? []);
  }

  /** How many main transcripts the store holds, across projects (subkeys are not counted). */
  get size(): number {
    let count = 0;
    for (const projectKey of [...this.#projects.keys()]) {
      for (const [, record] of this.#liveSessions(projectKey)) if (record.main) count++;
    }
    return count;
  }

  /** Removes every session, summary and lease. */
  clear(): void {
    this.#projects.clear();
    this.#leases.clear();
  }

  /** Only the class name and size, so logging a store never dumps transcripts. */
  toJSON(): { store: string; size: number } {
    return { store: 'InMemorySessionStore', size: this.size };
  }

  /** What `console.log` and `util.inspect` print: the same as {@link toJSON}, never entries. */
  [inspectSymbol](): string {
    return `InMemorySessionStore { size: ${this.size} }`;
  }

  /** Appends `entries` under `key`, skipping stored uuids. */
  #window(key: SessionKey, window: LoadWindow, options: LoadOptions): LoadedWindow | null {
    const transcript = this.#transcript(key);
    if (!transcript) return null;
    const { entries } = transcript;
    let start: number;
    let end = entries.length;
    if ('fromLastCompactBoundary' in window) {
      start = Math.max(0, transcript.lastBoundary);
    } else {
      assertWindowBound(window.start, 'start');
      if (window.end !== undefined) assertWindowBound(window.end, 'end');
      start = Math.min(window.start, entries.length);
      end = Math.max(start, Math.min(window.end ?? entries.length, entries.length));
    }
    const slice = entries.slice(start, end);
    return { entries: options.readOnly === true ? slice : copyEntries(slice), start, length: entries.length };
  }

  /** Takes the lease of a session whose key the caller has validated. */
  #takeLease(key: SessionRef, options: AcquireLeaseOptions): SessionLease {
    assertTtl(options.ttlMs);
    const leaseKey = sessionPath(key);
    const current = this.#leases.get(leaseKey);
    const now = this.#now();
    if (current && current.expiresAt > now) {
      throw new SessionLeaseError(`session ${key.sessionId} is leased by ${current.holder} until ${new Date(current.expiresAt).toISOString()}`, 'held');
    }
    const lease: LeaseRecord = { holder: options.holder, token: ++this.#lastToken, expiresAt: now + options.ttlMs };
    this.#leases.set(leaseKey, lease);
    return { key: { projectKey: key.projectKey, sessionId: key.sessionId }, ...lease };
  }

  /** `record` is the session's live record as the caller just read it (`#record(key)`). */
  #write(key: SessionKey, entries: SessionStoreEntry[], record = this.#record(key)): AppendResult {
    if (!Array.isArray(entries)) throw new SessionStoreError('entries must be an array of transcript entries');
    const existing = transcriptOf(record, key);
    // Only a batch of several entries can repeat a uuid within itself (most appends are of one).
    const seenInBatch = entries.length > 1 ? new Set<string>() : undefined;
    const fresh: SessionStoreEntry[] = [];
    for (const entry of entries) {
      if (typeof entry !== 'object' || entry === null || typeof entry.type !== 'string') {
        throw new SessionStoreError('every entry must be an object with a string type; nothing was appended');
      }
      if (typeof entry.uuid === 'string') {
        if (existing?.uuids.has(entry.uuid) || seenInBatch?.has(entry.uuid)) continue;
        seenInBatch?.add(entry.uuid);
      }
      fresh.push(entry);
    }
    const skipped = entries.length - fresh.length;
    if (fresh.length === 0) return { appended: 0, skipped, length: existing?.entries.length ?? 0 };
    let stored: StoredEntry[];
    try {
      stored = fresh.map(storedEntry);
    } catch (error) {
      throw new SessionStoreError('entries must be plain JSON values; nothing was appended', { cause: error });
    }
    const mtime = this.#nextMtime();
    let transcript = existing;
    if (!transcript) {
      const live = record ?? this.#createRecord(key);
      transcript = { entries: [], uuids: new Set(), lastUuid: null, lastBoundary: -1, mtime };
      if (key.subpath === undefined) live.main = transcript;
      else (live.subkeys ??= new Map()).set(key.subpath, transcript);
    }
    for (const entry of stored) {
      if (isCompactBoundary(entry)) transcript.lastBoundary = transcript.entries.length;
      transcript.entries.push(entry);
      if (typeof entry.uuid === 'string') {
        transcript.uuids.add(entry.uuid);
        transcript.lastUuid = entry.uuid;
      }
    }
    transcript.mtime = mtime;
    return { appended: stored.length, skipped, length: transcript.entries.length };
  }

  /** Store-clock ms, strictly increasing so every write has its own mtime. */
  #nextMtime(): number {
    this.#lastMtime = Math.max(Math.floor(this.#now()), this.#lastMtime + 1);
    return this.#lastMtime;
  }

  #transcript(key: SessionKey): Transcript | undefined {
    return transcriptOf(this.#record(key), key);
  }

  /** The live record of a session; an expired one is removed on the way. */
  #record(key: SessionRef): SessionRecord | undefined {
    const sessions = this.#projects.get(key.projectKey);
    const record = sessions?.get(key.sessionId);
    if (!record || !this.#isExpired(record)) return record;
    sessions?.delete(key.sessionId);
    this.#dropIfEmpty(key);
    return undefined;
  }

  #createRecord(key: SessionRef): SessionRecord {
    let sessions = this.#projects.get(key.projectKey);
    if (!sessions) {
      sessions = new Map();
      this.#projects.set(key.projectKey, sessions);
    }
    const record: SessionRecord = { main: undefined, subkeys: undefined, summary: undefined, summaryFolded: 0, expiresAt: null };
    sessions.set(key.sessionId, record);
    return record;
  }

  /** Forgets empty records and projects, so a deleted session leaves nothing behind. */
  #dropIfEmpty(key: SessionRef): void {
    const sessions = this.#projects.get(key.projectKey);
    const record = sessions?.get(key.sessionId);
    if (record && !record.main && (record.subkeys?.size ?? 0) === 0) sessions?.delete(key.sessionId);
    if (sessions?.size === 0) this.#projects.delete(key.projectKey);
  }

  #isExpired(record: SessionRecord): boolean {
    return record.expiresAt !== null && record.expiresAt <= this.#now();
  }

  /** The live sessions of a project; expired ones are removed on the way. */
  #liveSessions(projectKey: string): Array<[string, SessionRecord]> {
    const live: Array<[string, SessionRecord]> = [];
    for (const sessionId of [...(this.#projects.get(projectKey)?.keys() ?? [])]) {
      const record = this.#record({ projectKey, sessionId });
      if (record) live.push([sessionId, record]);
    }
    return live;
  }

  /** The session's lease record when `lease` is it and has not expired; else why not. */
  #assertCurrentLease(key: SessionRef, lease: SessionLease): LeaseRecord {
    const current = this.#leases.get(sessionPath(key));
    const leaseOfAnotherSession = lease.key.projectKey !== key.projectKey || lease.key.sessionId !== key.sessionId;
    if (leaseOfAnotherSession) {
      throw new SessionLeaseError(`the lease is for session ${lease.key.sessionId}, not ${key.sessionId}`, 'not-held');
    }
    if (!current) throw new SessionLeaseError(`session ${key.sessionId} has no lease (released or never taken)`, 'not-held');
    if (current.token !== lease.token) {
      throw new SessionLeaseError(`the lease of session ${key.sessionId} was taken over by ${current.holder}`, 'superseded');
    }
    if (current.expiresAt <= this.#now()) {
      throw new SessionLeaseError(`the lease of session ${key.sessionId} expired at ${new Date(current.expiresAt).toISOString()}`, 'expired');
    }
    return current;
  }
}

/**
 * The stored form of one entry: exactly what a JSON round trip of it gives (what a serialising
 * store would keep), deep-frozen so read-only loads can share it. What JSON cannot hold is
 * rejected instead of silently dropped: functions, symbols and bigints.
 */
function storedEntry(entry: SessionStoreEntry): StoredEntry {
  // Entries are nearly always plain data: copy and freeze them in one pass. Anything else (a
  // `toJSON`, a class instance, a non-finite number, a cycle or a very deep value) takes the
  // round trip through JSON text, which gives JSON's own answer for it.
  const copy = frozenPlainCopy(entry, 0);
  if (copy !== NOT_PLAIN) return copy as StoredEntry;
  return deepFreeze(JSON.parse(JSON.stringify(entry, rejectNonJson)) as SessionStoreEntry);
}

const NOT_PLAIN = Symbol('not plain JSON');
/** Deeper values take the JSON round trip, which reports a cycle as such. */
const MAX_PLAIN_DEPTH = 64;

/** A frozen copy of a plain JSON value, or {@link NOT_PLAIN} when JSON would change it. */
function frozenPlainCopy(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      // JSON writes -0 as 0 and non-finite numbers as null.
      return Number.isFinite(value) ? (value === 0 ? 0 : value) : NOT_PLAIN;
    case 'object':
      break;
    case 'undefined':
      return NOT_PLAIN;
    default:
      throw new TypeError(`a ${typeof value} is not a JSON value`);
  }
  if (value === null) return null;
  if (depth > MAX_PLAIN_DEPTH) return NOT_PLAIN;
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let index = 0; index < value.length; index++) {
      // JSON writes a hole or undefined in an array as null.
      const item = value[index] === undefined ? null : frozenPlainCopy(value[index], depth + 1);
      if (item === NOT_PLAIN) return NOT_PLAIN;
      copy[index] = item;
    }
    return Object.freeze(copy);
  }
  const prototype = Object.getPrototypeOf(value) as unknown;
  if ((prototype !== Object.prototype && prototype !== null) || typeof (value as { toJSON?: unknown }).toJSON === 'function') return NOT_PLAIN;
  const copy: Record<string, unknown> = {};
  for (const key in value) {
    const field = (value as Record<string, unknown>)[key];
    // JSON leaves out inherited keys and undefined values.
    if (field === undefined || !Object.hasOwn(value, key)) continue;
    const item = frozenPlainCopy(field, depth + 1);
    if (item === NOT_PLAIN) return NOT_PLAIN;
    // `JSON.parse` makes `__proto__` an own data property; an assignment would set the prototype.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
    else copy[key] = item;
  }
  return Object.freeze(copy);
}

function rejectNonJson(this: unknown, _key: string, value: unknown): unknown {
  const type = typeof value;
  if (type === 'function' || type === 'symbol' || type === 'bigint') throw new TypeError(`a ${type} is not a JSON value`);
  return value;
}


/** Fresh, mutable objects for stored entries: callers may change them freely. */
function copyEntries(entries: readonly StoredEntry[]): SessionStoreEntry[] {
  return entries.map((entry) => copyJson(entry) as SessionStoreEntry);
}

/** A deep copy of a JSON value (what `JSON.parse(JSON.stringify(value))` returns, without the text). */
function copyJson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let index = 0; index < value.length; index++) copy[index] = copyJson(value[index]);
    return copy;
  }
  const copy: Record<string, unknown> = {};
  for (const key in value) {
    const item = copyJson((value as Record<string, unknown>)[key]);
    // `JSON.parse` makes `__proto__` an own data property; an assignment would set the prototype.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
    else copy[key] = item;
  }
  return copy;
}

function isCompactBoundary(entry: StoredEntry): boolean {
  return entry.type === 'system' && entry.subtype === 'compact_boundary';
}

/**
 * The record's summary with every main-transcript entry folded in, in append order (what folding
 * each append as it came gives: the fold is sequential, and only the last write's mtime counts).
 * It reads the stored (frozen) copies, so it never holds the caller's objects.
 */
function summaryOf(record: SessionRecord, key: SessionRef): SessionSummaryEntry | undefined {
  const main = record.main;
  if (main !== undefined && record.summaryFolded < main.entries.length) {
    record.summary = foldSessionSummary(record.summary, key, main.entries.slice(record.summaryFolded), { mtime: main.mtime });
    record.summaryFolded = main.entries.length;
  }
  return record.summary;
}

function sessionPath(key: SessionRef): string {
  return `${key.projectKey}/${key.sessionId}`;
}

/** The transcript under `key` in `record`: the main one or a subkey's. */
function transcriptOf(record: SessionRecord | undefined, key: SessionKey): Transcript | undefined {
  return key.subpath === undefined ? record?.main : record?.subkeys?.get(key.subpath);
}

function assertTtl(ttlMs: number): void {
  if (!(Number.isFinite(ttlMs) && ttlMs > 0)) {
    throw new SessionStoreError(`a lease ttlMs must be a positive number of milliseconds, got ${String(ttlMs)}`);
  }
}

function assertWindowBound(value: number, name: 'start' | 'end'): void {
  if (!(Number.isInteger(value) && value >= 0)) {
    throw new SessionStoreError(`window ${name} must be a non-negative integer, got ${String(value)}`);
  }
}
