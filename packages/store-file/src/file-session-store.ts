import { constants, lstatSync } from 'node:fs';
import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { link, lstat, open, readdir, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import {
  assertValidProjectKey,
  assertValidSessionId,
  assertValidSessionKey,
  assertValidSessionRef,
  assertValidSubpath,
  foldSessionSummary,
  isUuid,
  MAX_SUBPATH_DEPTH,
  SdkError,
  SessionConflictError,
  SessionLeaseError,
  SessionNotFoundError,
  SessionStoreError,
} from '@sdk/core/store';
import type {
  AcquireLeaseOptions,
  AppendCondition,
  AppendResult,
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
import type { LeaseRecord, SessionMeta, TranscriptIndex } from './bookkeeping.js';
import type { OpenLeaseFile } from './bookkeeping.js';
import { closeLeaseFile, openLeaseFile, readExpiry, readFileNoFollow, readLease, readMeta, readMetaFile, writeFileAtomically, writeLeaseTo, writeMeta } from './bookkeeping.js';
import { errorCode, toStoreError } from './fs-errors.js';
import type { HeldLock, LockTiming } from './session-lock.js';
import { acquireLock, lingeringMemo, releaseIdleLocks } from './session-lock.js';
import { StoreLayout, syncDirectory } from './store-layout.js';
import { SyncHandle } from './sync-handle.js';
import type { CorruptLine, ParsedTranscript, TranscriptTail } from './transcript-parser.js';
import { TranscriptCache } from './transcript-cache.js';
import { lastBoundaryIndex, lineRanges, parseLines } from './transcript-window.js';
import { parseTranscript } from './transcript-parser.js';

/**
 * Lock memo name of the lease record this process last read or wrote. Only holders of the session
 * lock read or write the lease file, so while the lock is held without interruption the record
 * is known without reading it again (acquire, each conditional append and release of one turn).
 */
const LEASE_MEMO = 'lease:';

/** Options of {@link FileSessionStore}. */
export type FileSessionStoreOptions = {
  /**
   * The configuration folder that holds `projects/`. Defaults to `CLAUDE_CONFIG_DIR`, else
   * `~/.claude`, read once at construction: the same place the official SDK and Claude Code use.
   */
  root?: string;
  /**
   * `'fsync'` (default): an append resolves only after its bytes reached the disk (`fdatasync`),
   * and new files and folders are fsynced into their directory. `'none'`: resolve after the
   * `write`; a power loss may drop recent appends, never corrupt earlier ones.
   */
  durability?: 'fsync' | 'none';
  /**
   * A session lock whose holder has not refreshed it for this long is broken (default 10,000 ms).
   * A holder that is a dead process on this host is broken at once.
   */
  lockStaleMs?: number;
  /** Give up waiting for a session lock after this long, with `StoreUnavailableError` (default 30,000 ms). */
  lockTimeoutMs?: number;
  /**
   * Keep a session lock this long after an operation (default 20 ms, at most 200 ms in a row),
   * so a burst of appends from one process creates and removes the lock file once. 0 disables.
   */
  lockLingerMs?: number;
  /**
   * `false` (default): a corrupt line in the middle of a transcript makes `load` reject with
   * `TranscriptCorruptError` naming the file and line. `true`: such lines are skipped and reported
   * through {@link FileSessionStoreOptions.onCorruptLine}. A torn last line (a crash mid-write) is
   * ignored in both modes.
   */
  lenientLoad?: boolean;
  /** Called for each corrupt line a lenient load skipped. */
  onCorruptLine?: (problem: CorruptLine) => void;
  /**
   * Parsed entries kept per transcript between read-only window loads (what the executor asks for
   * every turn), so a turn parses only the lines appended since the last one. Every use checks the
   * file (identity, size, times and the bytes before the kept end) and reads what was appended
   * since, by this store or any other process; see docs/store-file.md. Default: 32 files and
   * 8 MiB of transcript text; `false` turns it off. Strict loads only (`lenientLoad` off).
   */
  entryCache?: false | { maxFiles?: number; maxBytes?: number };
};

/** What the store knows about one transcript file, valid while its inode and size are unchanged. */
type TranscriptState = {
  ino: number;
  size: number;
  length: number;
  lastUuid: string | null;
  /** Every stored uuid; undefined when the state came from the meta file's length index. */
  uuids: Set<string> | undefined;
  tail: TranscriptTail;
  terminatedBytes: number;
};

type PreparedBatch = { lines: string[]; uuids: Array<string | undefined> };

const DEFAULT_CACHED_FILES = 32;
const DEFAULT_CACHED_BYTES = 8 * 1024 * 1024;
const OPEN_APPEND = constants.O_RDWR | constants.O_APPEND | constants.O_NOFOLLOW;
const OPEN_APPEND_CREATE = OPEN_APPEND | constants.O_CREAT;
const MAIN = '';
/** Lock memo and deferred-task names of a transcript descriptor kept for the rest of a burst. */
const KEPT_HANDLE = 'handle:';
/** Lock memo and deferred-task names of the lease file descriptor kept for the rest of a hold. */
const KEPT_LEASE = 'lease-file:';
const CLOSE_LEASE = 'close-lease:';
/** Lock memo name of a folder whose real path was checked under the current hold. */
const VETTED = 'vetted:';
const CLOSE_HANDLE = 'close:';

/** An open transcript and the identity (inode, device) and size it had when checked. */
type OpenTranscript = { handle: SyncHandle; stats: { ino: number; dev: number; size: number } };

function emptyState(): TranscriptState {
  return { ino: -1, size: 0, length: 0, lastUuid: null, uuids: new Set(), tail: 'none', terminatedBytes: 0 };
}

function refOf(key: SessionKey): SessionRef {
  return { projectKey: key.projectKey, sessionId: key.sessionId };
}

function lastUuidOf(entries: readonly SessionStoreEntry[], fallback: string | null): string | null {
  for (let index = entries.length - 1; index >= 0; index--) {
    const uuid = entries[index]!.uuid;
    if (typeof uuid === 'string') return uuid;
  }
  return fallback;
}

function assertPositiveDuration(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new SdkError(`${name} must be a positive finite number of milliseconds, got ${String(value)}`);
  }
}

/** Serializes a batch up front, so a bad entry rejects the call before anything is written. */
function prepareBatch(entries: unknown): PreparedBatch {
  if (!Array.isArray(entries)) throw new SessionStoreError(`entries must be an array, got ${typeof entries}`);
  const lines: string[] = [];
  const uuids: Array<string | undefined> = [];
  entries.forEach((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new SessionStoreError(`entries[${index}] must be a JSON object`);
    }
    let line: unknown;
    try {
      line = JSON.stringify(entry);
    } catch (error) {
      throw new SessionStoreError(`entries[${index}] cannot be serialized as JSON`, { cause: error });
    }
    if (typeof line !== 'string' || !line.startsWith('{')) throw new SessionStoreError(`entries[${index}] does not serialize to a JSON object`);
    lines.push(line);
    const uuid = (entry as { uuid?: unknown }).uuid;
    uuids.push(typeof uuid === 'string' ? uuid : undefined);
  });
  return { lines, uuids };
}

function assertLeaseOptions(options: AcquireLeaseOptions): void {
  if (typeof options?.holder !== 'string' || options.holder.length === 0) throw new SdkError('holder must be a non-empty string');
  assertPositiveDuration(options.ttlMs, 'ttlMs');
}

/** The lease handed to the caller for `record`, frozen. */
function leaseOf(ref: SessionRef, record: LeaseRecord): SessionLease {
  return Object.freeze({ key: Object.freeze(ref), holder: record.holder, token: record.token, expiresAt: record.expiresAt });
}

/** A load window's checked bounds: `start` -1 for "from the last compaction boundary". */
function windowBounds(window: LoadWindow): { start: number; end: number | undefined } {
  if (typeof window !== 'object' || window === null) throw new SessionStoreError('loadWindow needs a window object');
  if ('fromLastCompactBoundary' in window) return { start: -1, end: undefined };
  const { start, end } = window;
  if (!Number.isInteger(start) || start < 0) throw new SessionStoreError(`window.start must be a non-negative integer, got ${String(start)}`);
  if (end !== undefined && !(Number.isInteger(end) && end >= 0)) {
    throw new SessionStoreError(`window.end must be a non-negative integer, got ${String(end)}`);
  }
  return { start, end };
}

function leaseProblem(current: LeaseRecord | undefined, lease: SessionLease, now: number): SessionLeaseError | undefined {
  const name = `lease ${lease.token} of ${lease.holder}`;
  if (current === undefined || current.token < lease.token) return new SessionLeaseError(`The ${name} is not held on this session`, 'not-held');
  if (current.token > lease.token) {
    return new SessionLeaseError(`The ${name} was superseded by lease ${current.token} of ${current.holder}`, 'superseded');
  }
  if (current.released) return new SessionLeaseError(`The ${name} was released`, 'not-held');
  if (current.expiresAt <= now) return new SessionLeaseError(`The ${name} expired at ${new Date(current.expiresAt).toISOString()}`, 'expired');
  return undefined;
}

/**
 * A {@link SessionStore} on the local file system, in exactly the layout Claude Code and the
 * official Agent SDK use, so each can read (and resume) what the other wrote:
 * `<root>/projects/<projectKey>/<sessionId>.jsonl`, sub-transcripts under `<sessionId>/`.
 * The store's own bookkeeping (summaries, length index, locks, leases, expiry) lives in
 * `<root>/projects/<projectKey>/.sdk/`, which the official SDK never lists.
 *
 * Implements every protocol extension: conditional and idempotent appends, windowed loads,
 * forks, expiry and fenced leases. Safe across processes on one host (and on file systems with
 * atomic `O_EXCL`) through an advisory per-session lock; see docs/store-file.md.
 */
export class FileSessionStore implements SessionStore, SessionStoreExtensions {
  /** `append` and `appendIf` skip entries whose uuid is already stored under the key. */
  readonly capabilities = { idempotentAppend: true } as const;
  /** The absolute configuration folder this store reads and writes. */
  readonly root: string;

  private readonly layout: StoreLayout;
  private readonly durable: boolean;
  private readonly lockTiming: LockTiming;
  private readonly lenientLoad: boolean;
  private readonly onCorruptLine: ((problem: CorruptLine) => void) | undefined;
  /** Per transcript path: what the last scan or write established, checked against `fstat` before use. */
  private readonly states = new Map<string, TranscriptState>();
  /** Per meta file: what this instance last wrote, trusted while its transcript is unchanged. */
  private readonly metas = new Map<string, SessionMeta>();
  /** Parsed entries for read-only window loads; undefined when turned off or for lenient loads. */
  private readonly entryCache: TranscriptCache | undefined;

  constructor(options: FileSessionStoreOptions = {}) {
    const durability = options.durability ?? 'fsync';
    if (durability !== 'fsync' && durability !== 'none') {
      throw new SdkError(`durability must be 'fsync' or 'none', got ${String(durability)}`);
    }
    const staleMs = options.lockStaleMs ?? 10_000;
    const timeoutMs = options.lockTimeoutMs ?? 30_000;
    assertPositiveDuration(staleMs, 'lockStaleMs');
    assertPositiveDuration(timeoutMs, 'lockTimeoutMs');
    const lingerMs = options.lockLingerMs ?? 20;
    if (typeof lingerMs !== 'number' || !Number.isFinite(lingerMs) || lingerMs < 0) {
      throw new SdkError(`lockLingerMs must be a non-negative number, got ${String(lingerMs)}`);
    }
    const root = options.root ?? process.env.CLAUDE_CONFIG_DIR ?? join(homedir(), '.claude');
    if (typeof root !== 'string' || root.length === 0) throw new SdkError('root must be a non-empty path');
    this.layout = new StoreLayout(root);
    this.root = this.layout.root;
    this.durable = durability === 'fsync';
    this.lockTiming = { staleMs, timeoutMs, lingerMs, maxHoldMs: Math.max(200, lingerMs * 10) };
    this.lenientLoad = options.lenientLoad ?? false;
    this.onCorruptLine = options.onCorruptLine;
    const cache = options.entryCache ?? {};
    if (cache !== false) {
      const maxFiles = cache.maxFiles ?? DEFAULT_CACHED_FILES;
      const maxBytes = cache.maxBytes ?? DEFAULT_CACHED_BYTES;
      for (const [name, value] of [['entryCache.maxFiles', maxFiles], ['entryCache.maxBytes', maxBytes]] as const) {
        if (!Number.isInteger(value) || value < 0) throw new SdkError(`${name} must be a non-negative integer, got ${String(value)}`);
      }
      if (!this.lenientLoad) this.entryCache = new TranscriptCache({ maxFiles, maxBytes });
    }
  }

  // -------------------------------------------------------------------------------------------
  // Appends

  /** Appends `entries` in order with one `write`; entries whose uuid is already stored are skipped. */
  async append(key: SessionKey, entries: SessionStoreEntry[]): Promise<void> {
    assertValidSessionKey(key);
    const batch = prepareBatch(entries);
    if (batch.lines.length === 0) return;
    await this.write(key, batch, undefined);
  }

  /** Appends only if `condition` holds when the session lock is held; see {@link AppendCondition}. */
  async appendIf(key: SessionKey, entries: SessionStoreEntry[], condition: AppendCondition): Promise<AppendResult> {
    assertValidSessionKey(key);
    const batch = prepareBatch(entries);
    if (typeof condition !== 'object' || condition === null) throw new SessionStoreError('appendIf needs a condition object');
    const { expectedLength, expectedLastUuid } = condition;
    if (expectedLength !== undefined && !(Number.isInteger(expectedLength) && expectedLength >= 0)) {
      throw new SessionStoreError(`expectedLength must be a non-negative integer, got ${String(expectedLength)}`);
    }
    if (expectedLastUuid !== undefined && expectedLastUuid !== null && typeof expectedLastUuid !== 'string') {
      throw new SessionStoreError('expectedLastUuid must be a string or null');
    }
    return this.write(key, batch, condition);
  }

  private async write(key: SessionKey, batch: PreparedBatch, condition: AppendCondition | undefined): Promise<AppendResult> {
    const ref = refOf(key);
    const file = this.layout.transcriptFile(key);
    const directory = this.layout.transcriptDirectory(key);
    const lock = await this.lock(ref);
    let locked = true;
    let kept = false;
    let handle: SyncHandle | undefined;
    try {
      // Independent reads together: small files are read synchronously, a long transcript is not.
      const metaPath = this.layout.metaFile(ref);
      const cachedMeta = this.metas.get(metaPath);
      // A folder vetted while this process held the lock without interruption stays vetted.
      const vetted = `${VETTED}${directory}`;
      const openChecked = async (): Promise<OpenTranscript | undefined> => {
        const reused = keptTranscript(lock, file);
        if (reused !== undefined) return reused;
        if (lock.memo.has(`${KEPT_HANDLE}${file}`)) await this.dropKeptHandles(lock);
        if (!lock.memo.has(vetted)) {
          if (!(await this.layout.existingDirectory(directory))) return undefined;
          lock.memo.set(vetted, true);
        }
        const opened = await this.openExisting(file);
        return opened === undefined ? undefined : { handle: opened, stats: await opened.stat() };
      };
      const expiryPath = this.layout.expiryFile(ref);
      // Within a burst everything is known without waiting: the expiry and meta from the lock's
      // memo and this instance, the descriptor kept from the previous append (if the path still
      // names its file). Otherwise the independent reads run together.
      const known = lock.memo.has(expiryPath) && cachedMeta !== undefined ? keptTranscript(lock, file) : undefined;
      const [expiresAt, storedMeta, existing] =
        known !== undefined
          ? [lock.memo.get(expiryPath) as number | undefined, undefined, known]
          : await Promise.all([
              lock.memo.has(expiryPath) ? (lock.memo.get(expiryPath) as number | undefined) : readExpiry(expiryPath),
              cachedMeta === undefined ? readMetaFile(metaPath) : undefined,
              openChecked(),
            ]);
      lock.memo.set(expiryPath, expiresAt);
      let meta = storedMeta?.meta ?? cachedMeta ?? { transcripts: {} };
      let metaExists = storedMeta?.exists ?? true;
      handle = existing?.handle;
      if (expiresAt !== undefined && expiresAt <= Date.now()) {
        await this.dropKeptHandles(lock);
        await handle?.close().catch(() => undefined);
        handle = undefined;
        await this.removeSessionLocked(ref, lock);
        meta = { transcripts: {} };
        metaExists = false;
      }
      const needUuids = batch.uuids.some((uuid) => uuid !== undefined);
      const cachedState = this.states.get(file);
      const state =
        handle === undefined || existing === undefined
          ? emptyState()
          : (this.knownState(file, existing.stats, needUuids) ?? (await this.stateOf(handle, file, existing.stats, meta.transcripts[key.subpath ?? MAIN], needUuids)));
      // Someone else wrote: their meta file may be newer than what this instance remembers.
      if (storedMeta === undefined && state !== cachedState) ({ meta, exists: metaExists } = await readMetaFile(metaPath));
      if (condition !== undefined) this.checkCondition(ref, state, condition, lock);

      const lines: string[] = [];
      const written: Array<string | undefined> = [];
      const seen = new Set<string>();
      batch.lines.forEach((line, index) => {
        const uuid = batch.uuids[index];
        if (uuid !== undefined) {
          if (state.uuids?.has(uuid) === true || seen.has(uuid)) return;
          seen.add(uuid);
        }
        lines.push(line);
        written.push(uuid);
      });
      const skipped = batch.lines.length - lines.length;
      if (lines.length === 0) return { appended: 0, skipped, length: state.length };

      let created = false;
      if (handle === undefined) {
        lock.memo.delete(vetted);
        await this.layout.ensureDirectory(directory, this.durable);
        lock.memo.set(vetted, true);
        handle = await this.openCreating(file);
        created = true;
      }
      const payload = Buffer.from(`${state.tail === 'entry' ? '\n' : ''}${lines.join('\n')}\n`, 'utf8');
      const startSize = state.tail === 'torn' ? state.terminatedBytes : state.size;
      const identity = created || existing === undefined ? await handle.stat() : existing.stats;
      const ino = identity.ino;
      const newSize = startSize + payload.length;
      const length = state.length + lines.length;
      const lastUuid = written.findLast((uuid) => uuid !== undefined) ?? state.lastUuid;
      // Only a summary that does not cover the file up to this append needs a read.
      const unfolded = unfoldedFrom(key, meta, ino, startSize);
      const missing = unfolded === undefined ? undefined : parseTranscript(await readRange(handle, unfolded, startSize), { file: '', strict: false }).entries;
      const nextMeta = this.nextMeta(ref, key, meta, ino, startSize, newSize, lines, { ino, bytes: newSize, length, lastUuid }, missing);
      try {
        // A torn last line is a crashed writer's partial batch, never acknowledged: drop it.
        if (state.tail === 'torn') await handle.truncate(state.terminatedBytes);
        handle.writeAll(payload);
      } catch (error) {
        lock.memo.delete(`${KEPT_HANDLE}${file}`);
        lock.cancel(`${CLOSE_HANDLE}${file}`);
        this.states.delete(file);
        this.metas.delete(metaPath);
        await handle.truncate(startSize).catch(() => undefined);
        throw toStoreError(error, 'append to', file);
      }
      // The descriptor serves the next append of a burst and is closed when the lock is released.
      const writer = handle;
      lock.memo.set(`${KEPT_HANDLE}${file}`, { handle: writer, stats: identity } satisfies OpenTranscript);
      lock.defer(`${CLOSE_HANDLE}${file}`, () => writer.close());
      kept = true;
      if (state.uuids !== undefined) for (const uuid of written) if (uuid !== undefined) state.uuids.add(uuid);
      this.states.set(file, { ino, size: newSize, length, lastUuid, uuids: state.uuids, tail: 'none', terminatedBytes: newSize });
      // Saved once at the end of a burst, still under the lock. The meta file is a cache checked
      // against the transcript's size, so a crash before the save only costs a catch-up read; and
      // not touching a second file per append keeps the fsync's journal commit small.
      // Deferred saves never create the file, so that nothing reappears in a folder being removed
      // after the last append resolved; the first append of a session creates it right away.
      this.metas.set(metaPath, nextMeta);
      if (metaExists) {
        lock.defer(metaPath, () =>
          writeMeta(metaPath, nextMeta, { create: false }).catch((error: unknown) => {
            this.metas.delete(metaPath);
            throw error;
          }),
        );
      } else {
        lock.cancel(metaPath);
        await writeMeta(metaPath, nextMeta).catch(() => this.metas.delete(metaPath));
      }

      // The writer's last write of its turn: give its lease back under the same lock (checked
      // current above), instead of taking the lock again for a release.
      const released = condition?.releaseLease === true && condition.lease !== undefined && this.releaseLocked(ref, lock, condition.lease);

      const result: AppendResult = released ? { appended: lines.length, skipped, length, released } : { appended: lines.length, skipped, length };
      if (!this.durable) {
        locked = false;
        await lock.release();
        return result;
      }
      // The bytes are in place and ordered; making them durable needs no lock, so the flush runs
      // while the lock is handed on. An fsync error after this point is reported, but the lines
      // stay (a retry with the same uuids is skipped, not duplicated).
      const durable = Promise.all([
        this.durable ? handle.datasync() : undefined,
        this.durable && created ? syncDirectory(directory) : undefined,
      ]);
      durable.catch(() => undefined);
      locked = false;
      await lock.release();
      try {
        await durable;
      } catch (error) {
        throw toStoreError(error, 'flush to disk', file);
      }
      return result;
    } finally {
      if (!kept && lock.memo.get(`${KEPT_HANDLE}${file}`) === undefined) await handle?.close().catch(() => undefined);
      if (locked) await lock.release();
    }
  }

  private checkCondition(ref: SessionRef, state: TranscriptState, condition: AppendCondition, lock: HeldLock): void {
    if (condition.lease !== undefined) {
      const lease = condition.lease;
      const sameSession = lease.key?.projectKey === ref.projectKey && lease.key?.sessionId === ref.sessionId;
      const problem = sameSession
        ? leaseProblem(this.currentLease(ref, lock), lease, Date.now())
        : new SessionLeaseError(`The lease ${lease.token} belongs to another session`, 'not-held');
      if (problem !== undefined) throw problem;
    }
    const { expectedLength, expectedLastUuid } = condition;
    const lengthDiffers = expectedLength !== undefined && expectedLength !== state.length;
    const lastDiffers = expectedLastUuid !== undefined && expectedLastUuid !== state.lastUuid;
    if (lengthDiffers || lastDiffers) {
      throw new SessionConflictError(
        `Session ${ref.sessionId} changed since it was loaded (length ${state.length}, last uuid ${String(state.lastUuid)})`,
        {
          ...(expectedLength !== undefined ? { expectedLength, actualLength: state.length } : {}),
          ...(expectedLastUuid !== undefined ? { expectedLastUuid, actualLastUuid: state.lastUuid } : {}),
        },
      );
    }
  }

  /** Opens an existing transcript for appending; `undefined` when it does not exist. */
  private async openExisting(file: string): Promise<SyncHandle | undefined> {
    try {
      return SyncHandle.open(file, OPEN_APPEND);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw toStoreError(error, 'open', file);
    }
  }

  private async openCreating(file: string): Promise<SyncHandle> {
    try {
      return SyncHandle.open(file, OPEN_APPEND_CREATE, 0o600);
    } catch (error) {
      throw toStoreError(error, 'create', file);
    }
  }

  /**
   * The transcript's length, last uuid and (when needed) stored uuids, reading as little as
   * possible: nothing when the cached state still matches the file (this method), only the new
   * bytes when the file grew (another process or the official CLI appended), the meta file's index
   * when no uuids are needed, and the whole file otherwise ({@link FileSessionStore.stateOf}).
   */
  private knownState(file: string, stats: { ino: number; size: number }, needUuids: boolean): TranscriptState | undefined {
    const cached = this.states.get(file);
    return cached !== undefined && cached.ino === stats.ino && cached.size === stats.size && (cached.uuids !== undefined || !needUuids) ? cached : undefined;
  }

  /** {@link FileSessionStore.knownState}, else read as little of the file as possible. */
  private async stateOf(
    handle: SyncHandle,
    file: string,
    stats: { ino: number; size: number },
    index: TranscriptIndex | undefined,
    needUuids: boolean,
  ): Promise<TranscriptState> {
    const { ino, size } = stats;
    const cached = this.states.get(file);
    if (cached !== undefined && cached.ino === ino) {
      if (cached.size === size && (cached.uuids !== undefined || !needUuids)) return cached;
      if (cached.size < size && cached.uuids !== undefined && cached.tail === 'none') {
        const added = parseTranscript(await readRange(handle, cached.size, size), { file, strict: false });
        const uuids = cached.uuids;
        for (const entry of added.entries) if (typeof entry.uuid === 'string') uuids.add(entry.uuid);
        const state: TranscriptState = {
          ino,
          size,
          length: cached.length + added.entries.length,
          lastUuid: lastUuidOf(added.entries, cached.lastUuid),
          uuids,
          tail: added.tail,
          terminatedBytes: cached.size + added.terminatedBytes,
        };
        this.states.set(file, state);
        return state;
      }
    }
    if (!needUuids && index !== undefined && index.ino === ino && index.bytes === size) {
      return { ino, size, length: index.length, lastUuid: index.lastUuid, uuids: undefined, tail: 'none', terminatedBytes: size };
    }
    const parsed = parseTranscript(await readRange(handle, 0, size), { file, strict: false });
    const uuids = new Set<string>();
    for (const entry of parsed.entries) if (typeof entry.uuid === 'string') uuids.add(entry.uuid);
    const state: TranscriptState = {
      ino,
      size,
      length: parsed.entries.length,
      lastUuid: lastUuidOf(parsed.entries, null),
      uuids,
      tail: parsed.tail,
      terminatedBytes: parsed.terminatedBytes,
    };
    this.states.set(file, state);
    return state;
  }

  /**
   * Folds the batch into the summary (main transcript only) and records the length index. When
   * the cached summary does not cover the file up to this append (first write by this store to a
   * transcript the CLI wrote, a lost meta file), the missing part is read and folded once.
   */
  private nextMeta(
    ref: SessionRef,
    key: SessionKey,
    meta: SessionMeta,
    ino: number,
    startSize: number,
    newSize: number,
    lines: readonly string[],
    index: TranscriptIndex,
    missing: SessionStoreEntry[] | undefined,
  ): SessionMeta {
    const next: SessionMeta = { ...meta, transcripts: { ...meta.transcripts, [key.subpath ?? MAIN]: index } };
    if (key.subpath === undefined) {
      const cached = meta.summary;
      const covers = cached !== undefined && cached.ino === ino && cached.bytes <= startSize;
      let previous: SessionSummaryEntry | undefined = covers ? { sessionId: ref.sessionId, mtime: 0, data: cached.data } : undefined;
      // What lies between the summary's end (or the file's start) and this append: see unfoldedFrom.
      if (missing !== undefined) previous = foldSessionSummary(previous, key, missing);
      const entries = lines.map((line) => JSON.parse(line) as SessionStoreEntry);
      const folded = foldSessionSummary(previous, key, entries);
      next.summary = { data: folded.data, ino, bytes: newSize };
    }
    return next;
  }

  // -------------------------------------------------------------------------------------------
  // Loads

  /** All entries of the transcript in file order; `null` for a key never written (or expired). */
  async load(key: SessionKey): Promise<SessionStoreEntry[] | null> {
    assertValidSessionKey(key);
    const parsed = await this.read(key, false);
    return parsed === undefined ? null : parsed.entries;
  }

  /**
   * A slice of the transcript by entry index, or from its last compaction boundary. With
   * `readOnly`, the entries may be shared, deep-frozen objects kept from an earlier load.
   */
  async loadWindow(key: SessionKey, window: LoadWindow, options?: LoadOptions): Promise<LoadedWindow | null> {
    assertValidSessionKey(key);
    const { start, end } = windowBounds(window);
    return this.windowOf(key, start, end, options?.readOnly === true, false);
  }

  /**
   * {@link FileSessionStore.loadWindow} after its checks: `start` -1 means from the last
   * compaction boundary. `vetted`: the caller holds the session lock and established the folder
   * and the expiry under it (the checks a lock-free load makes are skipped).
   */
  private async windowOf(key: SessionKey, start: number, end: number | undefined, readOnly: boolean, vetted: boolean): Promise<LoadedWindow | null> {
    if (!this.lenientLoad) {
      const windowed = await this.readWindow(key, start, end, readOnly, vetted);
      if (windowed !== 'full-parse-needed') return windowed;
    }
    const parsed = await this.read(key, false, vetted);
    if (parsed === undefined) return null;
    const { entries } = parsed;
    if (start === -1) {
      start = 0;
      for (let index = entries.length - 1; index >= 0; index--) {
        const entry = entries[index]!;
        if (entry.type === 'system' && entry.subtype === 'compact_boundary') {
          start = index;
          break;
        }
      }
    }
    start = Math.min(start, entries.length);
    const stop = Math.max(start, Math.min(end ?? entries.length, entries.length));
    return { entries: entries.slice(start, stop), start, length: entries.length };
  }

  /**
   * A window parsed alone (transcript-window.ts): `start` -1 means from the last compaction
   * boundary. Falls back to the full parse (`'full-parse-needed'`) for a file whose last line is
   * not terminated, where the parser's torn-tail rules apply.
   */
  private async readWindow(key: SessionKey, start: number, end: number | undefined, readOnly: boolean, vetted: boolean): Promise<LoadedWindow | null | 'full-parse-needed'> {
    const file = this.layout.transcriptFile(key);
    if (!vetted && !this.vettedUnderLingeringLock(key)) {
      const [exists, expired] = await Promise.all([this.layout.existingDirectory(this.layout.transcriptDirectory(key)), this.expired(refOf(key))]);
      if (!exists) return null;
      if (expired) {
        await this.sweepExpired(refOf(key));
        return null;
      }
    }
    if (readOnly && this.entryCache !== undefined) {
      const cached = await this.entryCache.window(file, start, end);
      if (cached !== undefined) return cached;
    }
    const buffer = await readFileNoFollow(file);
    if (buffer === undefined) return null;
    if (buffer.length > 0 && buffer[buffer.length - 1] !== 0x0a) return 'full-parse-needed';
    const ranges = lineRanges(buffer);
    const from = Math.min(start === -1 ? lastBoundaryIndex(buffer, ranges, file) : start, ranges.length);
    const to = Math.max(from, Math.min(end ?? ranges.length, ranges.length));
    return { entries: parseLines(buffer, ranges, from, to, file), start: from, length: ranges.length };
  }

  /**
   * True when this process keeps the session's lock lingering and, under it, vetted the
   * transcript's folder and read the session's expiry, which has not passed: then a load skips
   * both checks (two `realpath`s and an expiry probe, a fifth of a turn's store time). Between
   * this process's operations, nothing can move the folder or set an expiry without that lock.
   */
  private vettedUnderLingeringLock(key: SessionKey): boolean {
    const memo = lingeringMemo(this.layout.lockFile(key), this.lockTiming.staleMs);
    if (memo === undefined || memo.get(`${VETTED}${this.layout.transcriptDirectory(key)}`) !== true) return false;
    const expiryPath = this.layout.expiryFile(key);
    if (!memo.has(expiryPath)) return false;
    const expiresAt = memo.get(expiryPath) as number | undefined;
    return expiresAt === undefined || expiresAt > Date.now();
  }

  /** Reads and parses a transcript; `undefined` when it does not exist or its session expired. */
  private async read(key: SessionKey, keepLines: boolean, vetted = false): Promise<ParsedTranscript | undefined> {
    const file = this.layout.transcriptFile(key);
    if (!vetted) {
      // Both checks vet their own folder before reading anything in it, so they can run together.
      const [exists, expired] = await Promise.all([this.layout.existingDirectory(this.layout.transcriptDirectory(key)), this.expired(refOf(key))]);
      if (!exists) return undefined;
      if (expired) {
        await this.sweepExpired(refOf(key));
        return undefined;
      }
    }
    const buffer = await readFileNoFollow(file);
    if (buffer === undefined) return undefined;
    const parsed = parseTranscript(buffer, { file, strict: !this.lenientLoad, keepLines });
    if (this.onCorruptLine !== undefined) for (const problem of parsed.corrupt) this.onCorruptLine(problem);
    return parsed;
  }

  // -------------------------------------------------------------------------------------------
  // Listing

  /** The project's sessions (main transcripts), newest first, `mtime` in integer epoch ms rounded like the official SDK's. No transcript is read. */
  async listSessions(projectKey: string): Promise<SessionListing[]> {
    assertValidProjectKey(projectKey);
    const transcripts = await this.listTranscripts(projectKey);
    return transcripts.map(({ sessionId, mtime }) => ({ sessionId, mtime }));
  }

  /**
   * The summary of each session of the project, folded incrementally by appends. A transcript
   * that grew without this store (the official CLI appended, or it never had a meta file) has
   * only its unfolded part read, once: the result is saved back.
   */
  async listSessionSummaries(projectKey: string): Promise<SessionSummaryEntry[]> {
    assertValidProjectKey(projectKey);
    const transcripts = await this.listTranscripts(projectKey);
    if (transcripts.length === 0) return [];
    await this.layout.ensureDirectory(this.layout.bookkeepingDirectory(projectKey), false);
    return Promise.all(
      transcripts.map(async ({ sessionId, mtime, ino, size, file }) => {
        const ref = { projectKey, sessionId };
        const metaPath = this.layout.metaFile(ref);
        // What this instance appended last may not be saved yet (it is saved at the end of a burst).
        const recent = this.metas.get(metaPath)?.summary;
        if (recent !== undefined && recent.ino === ino && recent.bytes === size) return { sessionId, mtime, data: recent.data };
        const meta = await readMeta(metaPath);
        const cached = meta.summary;
        if (cached !== undefined && cached.ino === ino && cached.bytes === size) return { sessionId, mtime, data: cached.data };
        const covers = cached !== undefined && cached.ino === ino && cached.bytes < size;
        const from = covers ? cached.bytes : 0;
        const buffer = await readFileNoFollow(file);
        if (buffer === undefined) return { sessionId, mtime, data: covers ? cached.data : {} };
        const parsed = parseTranscript(buffer.subarray(from), { file, strict: false });
        const previous = covers ? { sessionId, mtime, data: cached.data } : undefined;
        const folded = foldSessionSummary(previous, ref, parsed.entries, { mtime });
        const bytes = from + parsed.terminatedBytes;
        // The meta file is a self-validating cache, so it can be saved without the session lock.
        if (parsed.tail === 'none') {
          this.metas.delete(metaPath);
          await writeMeta(metaPath, { ...meta, summary: { data: folded.data, ino, bytes } });
        }
        return folded;
      }),
    );
  }

  private async listTranscripts(
    projectKey: string,
  ): Promise<Array<{ sessionId: string; mtime: number; ino: number; size: number; file: string }>> {
    const directory = this.layout.projectDirectory(projectKey);
    if (!(await this.layout.existingDirectory(directory))) return [];
    let names: Array<{ name: string; isFile: boolean }>;
    try {
      names = (await readdir(directory, { withFileTypes: true })).map((entry) => ({ name: entry.name, isFile: entry.isFile() }));
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return [];
      throw toStoreError(error, 'list', directory);
    }
    const sessionIds = names.filter(({ name, isFile }) => isFile && name.endsWith('.jsonl') && isUuid(name.slice(0, -6))).map(({ name }) => name.slice(0, -6));
    const expired = await this.expiredSessions(projectKey, sessionIds);
    const listed = await Promise.all(
      sessionIds.map(async (sessionId) => {
        if (expired.has(sessionId)) {
          await this.sweepExpired({ projectKey, sessionId });
          return undefined;
        }
        const file = join(directory, `${sessionId}.jsonl`);
        try {
          const stats = await lstat(file);
          return { sessionId, mtime: stats.mtime.getTime(), ino: stats.ino, size: stats.size, file };
        } catch (error) {
          if (errorCode(error) === 'ENOENT') return undefined;
          throw toStoreError(error, 'inspect', file);
        }
      }),
    );
    return listed.filter((item) => item !== undefined).sort((a, b) => b.mtime - a.mtime);
  }

  /** The sub-transcripts of a session (e.g. `subagents/agent-<id>`), sorted. */
  async listSubkeys(key: SessionRef): Promise<string[]> {
    assertValidSessionRef(key);
    const directory = this.layout.sessionDirectory(key);
    if (!(await this.layout.existingDirectory(directory))) return [];
    if (await this.expired(key)) {
      await this.sweepExpired(key);
      return [];
    }
    const found: string[] = [];
    const walk = async (folder: string, prefix: string, depth: number): Promise<void> => {
      let entries;
      try {
        entries = await readdir(folder, { withFileTypes: true });
      } catch (error) {
        if (errorCode(error) === 'ENOENT') return;
        throw toStoreError(error, 'list', folder);
      }
      for (const entry of entries) {
        const subpath = `${prefix}${entry.name}`;
        // Symbolic links are never followed: a subkey is a real file below the session folder.
        if (entry.isDirectory() && depth < MAX_SUBPATH_DEPTH) await walk(join(folder, entry.name), `${subpath}/`, depth + 1);
        else if (entry.isFile() && entry.name.endsWith('.jsonl') && isValidSubpath(subpath.slice(0, -6))) found.push(subpath.slice(0, -6));
      }
    };
    await walk(directory, '', 1);
    return found.sort();
  }

  // -------------------------------------------------------------------------------------------
  // Delete, fork, expiry

  /** Deletes a session (transcript, sub-transcripts, bookkeeping) or, with a subpath, one sub-transcript. */
  async delete(key: SessionKey): Promise<void> {
    assertValidSessionKey(key);
    const ref = refOf(key);
    if (!(await this.layout.existingDirectory(this.layout.projectDirectory(key.projectKey)))) return;
    const lock = await this.lock(ref);
    try {
      if (key.subpath === undefined) {
        await this.removeSessionLocked(ref, lock);
      } else {
        const file = this.layout.transcriptFile(key);
        if (await this.layout.existingDirectory(dirname(file))) {
          await this.dropKeptHandles(lock);
          await unlinkIfPresent(file);
          this.states.delete(file);
          lock.memo.clear();
          await removeEmptyFolders(dirname(file), this.layout.projectDirectory(key.projectKey));
          const metaPath = this.layout.metaFile(ref);
          lock.cancel(metaPath);
          const meta = this.metas.get(metaPath) ?? (await readMeta(metaPath));
          if (meta.transcripts[key.subpath] !== undefined) {
            delete meta.transcripts[key.subpath];
            this.metas.delete(metaPath);
            await writeMeta(metaPath, meta);
          }
        }
      }
    } finally {
      await lock.release({ linger: false });
    }
    await this.removeEmptyProject(key.projectKey);
  }

  /**
   * Copies the main transcript, lines verbatim, to a new session of the same project (up to and
   * including the entry `upToUuid`). The copy is written to a temporary file, synced, then linked
   * into place, which fails if the target exists: a reader never sees a partial fork.
   */
  async fork(source: SessionRef, targetSessionId: string, options?: { upToUuid?: string }): Promise<void> {
    assertValidSessionRef(source);
    assertValidSessionId(targetSessionId);
    const upToUuid = options?.upToUuid;
    if (upToUuid !== undefined && typeof upToUuid !== 'string') throw new SessionStoreError('upToUuid must be a string');
    const parsed = await this.read(refOf(source), true);
    if (parsed === undefined) throw new SessionNotFoundError(`Session ${source.sessionId} does not exist in ${source.projectKey}`);
    let count = parsed.entries.length;
    if (upToUuid !== undefined) {
      count = parsed.entries.findIndex((entry) => entry.uuid === upToUuid) + 1;
      if (count === 0) throw new SessionNotFoundError(`Session ${source.sessionId} has no entry ${upToUuid}`);
    }
    const lines = (parsed.lines ?? []).slice(0, count);
    const entries = parsed.entries.slice(0, count);
    const content = Buffer.from(lines.length === 0 ? '' : `${lines.join('\n')}\n`, 'utf8');
    const target: SessionRef = { projectKey: source.projectKey, sessionId: targetSessionId };
    const targetFile = this.layout.transcriptFile(target);
    const lock = await this.lock(target);
    try {
      await this.sweepExpiredLocked(target, lock);
      const temporary = join(this.layout.bookkeepingDirectory(target.projectKey), `${targetSessionId}.fork.tmp`);
      await unlinkIfPresent(temporary);
      try {
        const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
        try {
          await writeAll(handle, content);
          if (this.durable) await handle.datasync();
        } finally {
          await handle.close();
        }
        await link(temporary, targetFile);
      } catch (error) {
        if (errorCode(error) === 'EEXIST') throw new SessionConflictError(`Session ${targetSessionId} already exists in ${target.projectKey}`);
        throw toStoreError(error, 'fork to', targetFile);
      } finally {
        await unlinkIfPresent(temporary);
      }
      if (this.durable) await syncDirectory(dirname(targetFile));
      const { ino } = await stat(targetFile);
      const summary = foldSessionSummary(undefined, target, entries);
      this.metas.delete(this.layout.metaFile(target));
      lock.cancel(this.layout.metaFile(target));
      await writeMeta(this.layout.metaFile(target), {
        summary: { data: summary.data, ino, bytes: content.length },
        transcripts: { [MAIN]: { ino, bytes: content.length, length: entries.length, lastUuid: lastUuidOf(entries, null) } },
      });
    } finally {
      await lock.release();
    }
  }

  /**
   * Makes the whole session expire `ttlMs` from now (`null` removes the expiry). Expired sessions
   * read as absent and are deleted when next touched (load, list, append). A no-op for a session
   * that does not exist.
   */
  async expire(key: SessionRef, ttlMs: number | null): Promise<void> {
    assertValidSessionRef(key);
    if (ttlMs !== null && !(typeof ttlMs === 'number' && Number.isFinite(ttlMs) && ttlMs >= 0)) {
      throw new SdkError(`ttlMs must be a non-negative finite number or null, got ${String(ttlMs)}`);
    }
    if (!(await this.layout.existingDirectory(this.layout.projectDirectory(key.projectKey)))) return;
    const lock = await this.lock(key);
    try {
      const exists = await pathExists(this.layout.transcriptFile(key)) || await pathExists(this.layout.sessionDirectory(key));
      if (!exists) return;
      const marker = this.layout.expiryFile(key);
      const expiresAt = ttlMs === null ? undefined : Date.now() + ttlMs;
      if (expiresAt === undefined) await unlinkIfPresent(marker);
      else await writeFileAtomically(marker, JSON.stringify(expiresAt), this.durable);
      lock.memo.set(marker, expiresAt);
    } finally {
      await lock.release();
    }
  }

  // -------------------------------------------------------------------------------------------
  // Leases

  /** Takes the session's lease with the next fencing token; rejects with `SessionLeaseError('held')` while another holds it. */
  async acquireLease(key: SessionRef, options: AcquireLeaseOptions): Promise<SessionLease> {
    assertValidSessionRef(key);
    assertLeaseOptions(options);
    const ref = { projectKey: key.projectKey, sessionId: key.sessionId };
    const lock = await this.lock(ref);
    try {
      const record = this.nextLease(ref, lock, options);
      this.saveLease(ref, lock, record);
      return leaseOf(ref, record);
    } finally {
      await lock.release();
    }
  }

  /**
   * Takes the lease and loads a window of the main transcript in one step, under one hold of the
   * session lock (a turn's first two calls): what `acquireLease` then `loadWindow` return, with no
   * append by anyone in between. Rejects with `SessionLeaseError('held')` having taken and loaded
   * nothing; a load that fails takes no lease either. An expired session is removed first, as a load
   * would: the lease is then taken on the empty session, whose window is `null`.
   */
  async acquireLeaseAndLoad(
    key: SessionRef,
    options: AcquireLeaseOptions,
    window: LoadWindow,
    loadOptions?: LoadOptions,
  ): Promise<{ lease: SessionLease; loaded: LoadedWindow | null }> {
    assertValidSessionRef(key);
    assertLeaseOptions(options);
    const { start, end } = windowBounds(window);
    const ref = { projectKey: key.projectKey, sessionId: key.sessionId };
    const lock = await this.lock(ref);
    try {
      const record = this.nextLease(ref, lock, options);
      // The folder and the expiry as an append establishes them under the lock (remembered in its memo).
      const directory = this.layout.transcriptDirectory(ref);
      const vetted = `${VETTED}${directory}`;
      const exists = lock.memo.has(vetted) || (await this.layout.existingDirectory(directory));
      let loaded: LoadedWindow | null = null;
      if (exists) {
        lock.memo.set(vetted, true);
        const expiryPath = this.layout.expiryFile(ref);
        const expiresAt = lock.memo.has(expiryPath) ? (lock.memo.get(expiryPath) as number | undefined) : await readExpiry(expiryPath);
        if (expiresAt !== undefined && expiresAt <= Date.now()) {
          await this.removeSessionLocked(ref, lock);
        } else {
          lock.memo.set(expiryPath, expiresAt);
          loaded = await this.windowOf(ref, start, end, loadOptions?.readOnly === true, true);
        }
      }
      this.saveLease(ref, lock, record);
      return { lease: leaseOf(ref, record), loaded };
    } finally {
      await lock.release();
    }
  }

  /** The lease record `options` would take now; throws `SessionLeaseError('held')` while another holds it. The lock is held. */
  private nextLease(ref: SessionRef, lock: HeldLock, options: AcquireLeaseOptions): LeaseRecord {
    const current = this.currentLease(ref, lock);
    const now = Date.now();
    if (current !== undefined && !current.released && current.expiresAt > now) {
      throw new SessionLeaseError(`Session ${ref.sessionId} is leased by ${current.holder} until ${new Date(current.expiresAt).toISOString()}`, 'held');
    }
    return { token: (current?.token ?? 0) + 1, holder: options.holder, expiresAt: now + options.ttlMs, released: false };
  }

  /** Extends a current lease by `ttlMs` from now; rejects with `SessionLeaseError` when it is no longer current. */
  async renewLease(lease: SessionLease, ttlMs: number): Promise<SessionLease> {
    assertValidSessionRef(lease?.key);
    assertPositiveDuration(ttlMs, 'ttlMs');
    const ref = { projectKey: lease.key.projectKey, sessionId: lease.key.sessionId };
    const lock = await this.lock(ref);
    try {
      const current = this.currentLease(ref, lock);
      const now = Date.now();
      const problem = leaseProblem(current, lease, now);
      if (problem !== undefined) throw problem;
      const record: LeaseRecord = { token: lease.token, holder: current!.holder, expiresAt: now + ttlMs, released: false };
      this.saveLease(ref, lock, record);
      return leaseOf(ref, record);
    } finally {
      await lock.release();
    }
  }

  /** Gives a lease back; a no-op when it is no longer current. The token counter is kept. */
  async releaseLease(lease: SessionLease): Promise<void> {
    assertValidSessionRef(lease?.key);
    const ref = { projectKey: lease.key.projectKey, sessionId: lease.key.sessionId };
    // A lingering lock of ours lives in the bookkeeping folder, vetted when it was created.
    const lingering = lingeringMemo(this.layout.lockFile(ref), this.lockTiming.staleMs) !== undefined;
    if (!lingering && !(await this.layout.existingDirectory(this.layout.bookkeepingDirectory(ref.projectKey)))) return;
    const lock = await this.lock(ref);
    try {
      this.releaseLocked(ref, lock, lease);
    } finally {
      await lock.release();
    }
  }

  /** Marks `lease` released if it is still the session's current one; the session lock is held. True when it was. */
  private releaseLocked(ref: SessionRef, lock: HeldLock, lease: SessionLease): boolean {
    const current = this.currentLease(ref, lock);
    if (current === undefined || current.token !== lease.token || current.released) return false;
    this.saveLease(ref, lock, { ...current, released: true });
    return true;
  }

  /**
   * Releases the session locks this process keeps lingering under this root, saving the meta
   * files they defer. Call before removing the root or at shutdown; the store stays usable.
   */
  async flush(): Promise<void> {
    await releaseIdleLocks(`${this.layout.projects}${sep}`);
  }

  // -------------------------------------------------------------------------------------------
  // Internals

  private async lock(ref: SessionRef): Promise<HeldLock> {
    const bookkeeping = this.layout.bookkeepingDirectory(ref.projectKey);
    return acquireLock(this.layout.lockFile(ref), this.lockTiming, () => this.layout.ensureDirectory(bookkeeping, false));
  }

  /** The session's lease record, from the lock memo when this process wrote or read it under the same hold. */
  private currentLease(ref: SessionRef, lock: HeldLock): LeaseRecord | undefined {
    const name = `${LEASE_MEMO}${ref.sessionId}`;
    if (lock.memo.has(name)) return lock.memo.get(name) as LeaseRecord | undefined;
    const record = readLease(this.layout.leaseFile(ref));
    lock.memo.set(name, record);
    return record;
  }

  private saveLease(ref: SessionRef, lock: HeldLock, record: LeaseRecord): void {
    const name = `${LEASE_MEMO}${ref.sessionId}`;
    // Forgotten first: after a failed write the file's content is unknown.
    lock.memo.delete(name);
    const path = this.layout.leaseFile(ref);
    // The descriptor serves every lease change of this hold (acquire and release of each turn,
    // lingering included) and is closed when the lock file is. A memo cleared by a removal
    // (the file was unlinked) opens the new file; the old descriptor is still closed at release.
    const keptName = `${KEPT_LEASE}${path}`;
    let file = lock.memo.get(keptName) as OpenLeaseFile | undefined;
    try {
      if (file === undefined) {
        const opened = openLeaseFile(path);
        file = opened;
        lock.memo.set(keptName, opened);
        lock.defer(`${CLOSE_LEASE}${opened.fd}`, async () => closeLeaseFile(opened));
      }
      writeLeaseTo(file, record);
    } catch (error) {
      lock.memo.delete(keptName);
      throw toStoreError(error, 'write', path);
    }
    lock.memo.set(name, record);
  }

  private async expired(ref: SessionRef): Promise<boolean> {
    const bookkeeping = this.layout.bookkeepingDirectory(ref.projectKey);
    if (!(await this.layout.existingDirectory(bookkeeping))) return false;
    const expiresAt = await readExpiry(this.layout.expiryFile(ref));
    return expiresAt !== undefined && expiresAt <= Date.now();
  }

  /** The sessions among `sessionIds` whose expiry passed, from one listing of the bookkeeping folder. */
  private async expiredSessions(projectKey: string, sessionIds: readonly string[]): Promise<Set<string>> {
    const expired = new Set<string>();
    const bookkeeping = this.layout.bookkeepingDirectory(projectKey);
    if (!(await this.layout.existingDirectory(bookkeeping))) return expired;
    let names: string[];
    try {
      names = await readdir(bookkeeping);
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return expired;
      throw toStoreError(error, 'list', bookkeeping);
    }
    const markers = new Set(names.filter((name) => name.endsWith('.expires')).map((name) => name.slice(0, -8)));
    const now = Date.now();
    await Promise.all(
      sessionIds
        .filter((sessionId) => markers.has(sessionId))
        .map(async (sessionId) => {
          const expiresAt = await readExpiry(this.layout.expiryFile({ projectKey, sessionId }));
          if (expiresAt !== undefined && expiresAt <= now) expired.add(sessionId);
        }),
    );
    return expired;
  }

  /** Deletes an expired session under its lock (re-checking: it may have been renewed meanwhile). */
  private async sweepExpired(ref: SessionRef): Promise<void> {
    const lock = await this.lock(ref);
    try {
      await this.sweepExpiredLocked(ref, lock);
    } finally {
      await lock.release({ linger: false });
    }
    await this.removeEmptyProject(ref.projectKey);
  }

  private async sweepExpiredLocked(ref: SessionRef, lock: HeldLock): Promise<void> {
    const expiresAt = await readExpiry(this.layout.expiryFile(ref));
    if (expiresAt !== undefined && expiresAt <= Date.now()) await this.removeSessionLocked(ref, lock);
  }

  /** Closes the transcript descriptors kept under `lock` (before files are removed or replaced). */
  private async dropKeptHandles(lock: HeldLock): Promise<void> {
    for (const [name, value] of [...lock.memo]) {
      if (!name.startsWith(KEPT_HANDLE)) continue;
      lock.memo.delete(name);
      lock.cancel(`${CLOSE_HANDLE}${name.slice(KEPT_HANDLE.length)}`);
      await (value as OpenTranscript).handle.close().catch(() => undefined);
    }
  }

  /** Removes every file of a session except its lock (held by the caller). */
  private async removeSessionLocked(ref: SessionRef, lock: HeldLock): Promise<void> {
    lock.cancel(this.layout.metaFile(ref));
    await this.dropKeptHandles(lock);
    lock.memo.clear();
    const main = this.layout.transcriptFile(ref);
    const folder = this.layout.sessionDirectory(ref);
    await unlinkIfPresent(main);
    try {
      const stats = await lstat(folder);
      // A planted link is removed itself; `rm` never follows links inside a real folder.
      if (stats.isDirectory()) await rm(folder, { recursive: true, force: true });
      else await unlink(folder);
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw toStoreError(error, 'delete', folder);
    }
    await Promise.all([
      unlinkIfPresent(this.layout.metaFile(ref)),
      unlinkIfPresent(this.layout.leaseFile(ref)),
      unlinkIfPresent(this.layout.expiryFile(ref)),
    ]);
    for (const path of this.states.keys()) if (path === main || path.startsWith(`${folder}/`)) this.states.delete(path);
    this.entryCache?.forgetUnder(main, folder);
    this.metas.delete(this.layout.metaFile(ref));
  }

  /** Removes the bookkeeping folder and the project folder when a delete left them empty. */
  private async removeEmptyProject(projectKey: string): Promise<void> {
    await removeFolderIfEmpty(this.layout.bookkeepingDirectory(projectKey));
    await removeFolderIfEmpty(this.layout.projectDirectory(projectKey));
  }
}

function isValidSubpath(subpath: string): boolean {
  try {
    assertValidSubpath(subpath);
    return true;
  } catch {
    return false;
  }
}

async function readRange(handle: SyncHandle, from: number, to: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(Math.max(0, to - from));
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesRead } = await handle.read(buffer, offset, buffer.length - offset, from + offset);
    if (bytesRead === 0) break;
    offset += bytesRead;
  }
  return buffer.subarray(0, offset);
}

/** Writes all of `payload`; a short write is continued (the session lock keeps our writers out). */
async function writeAll(handle: FileHandle | SyncHandle, payload: Buffer): Promise<void> {
  let offset = 0;
  while (offset < payload.length) {
    const { bytesWritten } = await handle.write(payload, offset, payload.length - offset);
    offset += bytesWritten;
  }
}

/**
 * The transcript descriptor kept under `lock` from the previous append of this burst, if the path
 * still names its file. A synchronous lstat takes microseconds; a thread-pool round trip costs far
 * more on a busy machine, and this check runs on every append of a burst.
 */
function keptTranscript(lock: HeldLock, file: string): OpenTranscript | undefined {
  const kept = lock.memo.get(`${KEPT_HANDLE}${file}`) as OpenTranscript | undefined;
  if (kept === undefined) return undefined;
  const current = lstatIfPresent(file);
  return current !== undefined && current.ino === kept.stats.ino && current.dev === kept.stats.dev ? { handle: kept.handle, stats: current } : undefined;
}

/**
 * Where the transcript's part not yet folded into the cached summary starts, when there is such a
 * part before `startSize` (the main transcript only): the summary's end, or the file's start when
 * the summary is of another file or claims more than the file holds.
 */
function unfoldedFrom(key: SessionKey, meta: SessionMeta, ino: number, startSize: number): number | undefined {
  if (key.subpath !== undefined) return undefined;
  const cached = meta.summary;
  const from = cached !== undefined && cached.ino === ino && cached.bytes <= startSize ? cached.bytes : 0;
  return from < startSize ? from : undefined;
}

function lstatIfPresent(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

async function unlinkIfPresent(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw toStoreError(error, 'delete', path);
  }
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw toStoreError(error, 'inspect', path);
  }
}

async function removeFolderIfEmpty(folder: string): Promise<boolean> {
  try {
    await rmdir(folder);
    return true;
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT' || code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EBUSY') return false;
    throw toStoreError(error, 'remove the empty folder', folder);
  }
}

/** Removes `folder` and its parents while they are empty, stopping at `stop` (kept). */
async function removeEmptyFolders(folder: string, stop: string): Promise<void> {
  let current = folder;
  while (current !== stop && current.startsWith(`${stop}/`)) {
    if (!(await removeFolderIfEmpty(current))) return;
    current = dirname(current);
  }
}
