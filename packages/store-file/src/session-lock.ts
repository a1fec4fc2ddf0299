import { randomUUID } from 'node:crypto';
import { closeSync, constants, fstatSync, futimes, lstatSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreUnavailableError } from '@sdk/core/store';
import { errorCode, toStoreError } from './fs-errors.js';

/**
 * The advisory per-session lock that serializes writers across processes.
 *
 * A lock is a file created with `O_CREAT | O_EXCL` (atomic on local file systems and NFSv3+) that
 * holds `{pid, hostname, nonce, acquiredAt}`. The holder refreshes the file's mtime every
 * `staleMs / 3`, so a lock whose mtime is older than `staleMs` belongs to a holder that is gone or
 * stuck. A lock is broken when its holder is a dead process on this host (at once: kill -9 must not
 * block anyone) or when it is stale. Breaking happens under a second, short-lived `.break` lock
 * and only if the lock file is still the one judged stale, so two waiters never both break and
 * then both acquire.
 *
 * Lock files are created, checked and removed with synchronous calls: each is one quick system call
 * on a small file, cheaper than a thread-pool round trip, and every append of a burst passes here.
 */

/** Timing of the session lock. */
export type LockTiming = {
  /** A lock not refreshed for this long is considered abandoned. */
  staleMs: number;
  /** Give up waiting for a lock after this long (`StoreUnavailableError`). */
  timeoutMs: number;
  /** Keep a released lock this long for the next local operation on the session (0: never). */
  lingerMs: number;
  /** Stop lingering once the lock has been held this long, so other processes get their turn. */
  maxHoldMs: number;
};

type LockRecord = { pid: number; hostname: string; nonce: string; acquiredAt: number };

type Observed = { ino: number; mtimeMs: number; record: LockRecord | undefined };

const HOST = hostname();
const OPEN_EXCLUSIVE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const OPEN_READ = constants.O_RDONLY | constants.O_NOFOLLOW;

/** One waiter per lock file per process goes to the file system; the others queue here. */
const localQueues = new Map<string, Promise<void>>();

/**
 * The local turn on `path` when nobody in this process holds or waits for the lock: ours at once,
 * with no timer to arm and clear and no promise to wait on (every lock operation passes here,
 * several per executor turn). `undefined` when others are queued: wait with {@link takeLocalTurn}.
 */
function takeLocalTurnAtOnce(path: string): (() => void) | undefined {
  if (localQueues.has(path)) return undefined;
  let done!: () => void;
  const current = new Promise<void>((resolve) => {
    done = resolve;
  });
  localQueues.set(path, current);
  return () => {
    done();
    if (localQueues.get(path) === current) localQueues.delete(path);
  };
}

async function takeLocalTurn(path: string, timeoutMs: number): Promise<() => void> {
  const now = takeLocalTurnAtOnce(path);
  if (now !== undefined) return now;
  const previous = localQueues.get(path)!;
  let done!: () => void;
  const current = new Promise<void>((resolve) => {
    done = resolve;
  });
  const tail = previous.then(() => current);
  localQueues.set(path, tail);
  const end = (): void => {
    done();
    if (localQueues.get(path) === tail) localQueues.delete(path);
  };
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const outcome = await Promise.race([previous.then(() => 'ready' as const), expired]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    // Successors still wait for our predecessor: `tail` resolves only after `previous`.
    end();
    throw new StoreUnavailableError(`Timed out after ${timeoutMs} ms waiting for the session lock ${path} (held in this process)`);
  }
  return end;
}

/** The lock file of a holder in this process. */
type FileLock = {
  path: string;
  /** The lock file's descriptor, kept open: its inode identifies our file, its mtime is the heartbeat. */
  fd: number;
  acquiredAt: number;
  /** When the file's mtime was last set (creation or heartbeat). */
  refreshedAt: number;
  heartbeat: NodeJS.Timeout;
  /** Work to finish while the lock is still held, just before the file is removed. */
  deferred: Map<string, () => Promise<void>>;
  /** Facts that stay true while this process holds the lock without interruption. */
  memo: Map<string, unknown>;
};

/** Locks released by their last holder but kept for a moment, for the next local caller. */
const idleLocks = new Map<string, { lock: FileLock; timer: NodeJS.Timeout }>();
let exitCleanupRegistered = false;

function startHeartbeat(path: string, fd: number, staleMs: number): FileLock {
  const now = Date.now();
  const lock: FileLock = {
    path,
    fd,
    acquiredAt: now,
    refreshedAt: now,
    heartbeat: undefined as unknown as NodeJS.Timeout,
    deferred: new Map(),
    memo: new Map(),
  };
  lock.heartbeat = setInterval(() => {
    const time = new Date();
    futimes(fd, time, time, (error) => {
      if (error === null) lock.refreshedAt = time.getTime();
    });
  }, Math.max(1, Math.floor(staleMs / 3)));
  lock.heartbeat.unref();
  return lock;
}

/** True while the lock file is still ours (it may have been broken as stale meanwhile). */
function stillOwned(lock: FileLock): boolean {
  const mine = fstatSync(lock.fd);
  const current = lstatSync(lock.path, { throwIfNoEntry: false });
  // Our descriptor keeps the inode alive, so an equal inode number means the same file.
  return current !== undefined && current.ino === mine.ino && current.dev === mine.dev;
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Nothing was pending on the descriptor.
  }
}

async function releaseFile(lock: FileLock): Promise<void> {
  const deferred = [...lock.deferred.values()];
  lock.deferred.clear();
  await Promise.all(deferred.map((task) => task().catch(() => undefined)));
  clearInterval(lock.heartbeat);
  try {
    if (stillOwned(lock)) unlinkSync(lock.path);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw toStoreError(error, 'release the session lock', lock.path);
  } finally {
    closeQuietly(lock.fd);
  }
}

/** Idle locks must not outlive the process: a waiter on another host would wait for staleness. */
function registerExitCleanup(): void {
  if (exitCleanupRegistered) return;
  exitCleanupRegistered = true;
  process.once('exit', () => {
    for (const { lock } of idleLocks.values()) {
      try {
        if (stillOwned(lock)) unlinkSync(lock.path);
      } catch {
        // Best effort: a lock left behind by a dead process on this host is broken at once anyway.
      }
    }
  });
}

/** A held session lock. Call {@link HeldLock.release} exactly once. */
export class HeldLock {
  constructor(
    private readonly lock: FileLock,
    private readonly endLocalTurn: () => void,
    private readonly timing: LockTiming,
  ) {}

  get path(): string {
    return this.lock.path;
  }

  /**
   * Facts the holder may remember across operations while this process keeps the lock without
   * interruption (lingering included); empty after every fresh acquisition.
   */
  get memo(): Map<string, unknown> {
    return this.lock.memo;
  }

  /**
   * Runs `task` while the lock is still held, when the lock file is finally released (after the
   * linger). A later `defer` with the same name replaces it; {@link HeldLock.cancel} drops it.
   * Errors are swallowed: deferred work must only be a cache.
   */
  defer(name: string, task: () => Promise<void>): void {
    this.lock.deferred.set(name, task);
  }

  cancel(name: string): void {
    this.lock.deferred.delete(name);
  }

  /**
   * Gives the lock up. Within `lingerMs` of the release (and `maxHoldMs` of the acquisition) the
   * file stays, so that the next operation of this process on the session skips two journaled
   * directory operations; then it is removed. Pass `linger: false` when the folder is about to be
   * removed (delete).
   */
  async release(options: { linger?: boolean } = {}): Promise<void> {
    const { lock, timing } = this;
    if (options.linger !== false && timing.lingerMs > 0 && Date.now() - lock.acquiredAt < timing.maxHoldMs) {
      const timer = setTimeout(() => {
        if (idleLocks.get(lock.path)?.lock !== lock) return;
        idleLocks.delete(lock.path);
        // Through the local queue, so that no local caller races the removal.
        void takeLocalTurn(lock.path, timing.timeoutMs).then(
          (end) => releaseFile(lock).finally(end),
          () => undefined,
        );
      }, timing.lingerMs);
      timer.unref();
      idleLocks.set(lock.path, { lock, timer });
      registerExitCleanup();
      this.endLocalTurn();
      return;
    }
    try {
      await releaseFile(lock);
    } finally {
      this.endLocalTurn();
    }
  }
}

/**
 * Releases now every lingering lock whose path starts with `prefix` (saving deferred work first),
 * and waits for releases already under way.
 */
export async function releaseIdleLocks(prefix: string): Promise<void> {
  const releases: Array<Promise<void>> = [];
  for (const [path, idle] of idleLocks) {
    if (!path.startsWith(prefix)) continue;
    idleLocks.delete(path);
    clearTimeout(idle.timer);
    releases.push(releaseFile(idle.lock).catch(() => undefined));
  }
  // Lingers that already expired are releasing through the local queue: wait for their turns.
  for (const path of localQueues.keys()) {
    if (path.startsWith(prefix)) releases.push(takeLocalTurn(path, 60_000).then((end) => end(), () => undefined));
  }
  await Promise.all(releases);
}

/**
 * The memo of the lock on `path` while this process keeps it lingering, recently refreshed (so
 * no other process can have judged it stale and broken it), else `undefined`. Lets a read that
 * takes no lock reuse facts established under the lock (folder vetted, expiry read): they hold
 * while the lock is held, and between operations no one else can change them. No local operation
 * holds the lock while it lingers, so nothing in the memo is half-updated.
 */
export function lingeringMemo(path: string, staleMs: number): ReadonlyMap<string, unknown> | undefined {
  const idle = idleLocks.get(path);
  if (idle === undefined || Date.now() - idle.lock.refreshedAt >= staleMs / 2) return undefined;
  return idle.lock.memo;
}

/** Takes over this process's idle lock on `path`, if it has one that is still its own. */
function reuseIdle(path: string, staleMs: number): FileLock | undefined {
  const idle = idleLocks.get(path);
  if (idle === undefined) return undefined;
  idleLocks.delete(path);
  clearTimeout(idle.timer);
  // Nobody breaks a lock refreshed less than staleMs ago; otherwise check before trusting it.
  if (Date.now() - idle.lock.refreshedAt < staleMs / 2) return idle.lock;
  let owned = false;
  try {
    owned = stillOwned(idle.lock);
  } catch {
    // Judged not ours: a fresh lock is taken.
  }
  if (owned) return idle.lock;
  clearInterval(idle.lock.heartbeat);
  closeQuietly(idle.lock.fd);
  return undefined;
}

/**
 * Acquires the lock at `path`, waiting (with jittered backoff) while another live holder has it.
 * `prepareDirectory` creates (and vets) the lock's folder; it is called first and again whenever
 * the folder went missing (for example, removed by a concurrent delete).
 */
export async function acquireLock(path: string, timing: LockTiming, prepareDirectory: () => Promise<void>): Promise<HeldLock> {
  const deadline = Date.now() + timing.timeoutMs;
  // Awaited only when others in this process are queued for the lock.
  const endLocalTurn = takeLocalTurnAtOnce(path) ?? (await takeLocalTurn(path, timing.timeoutMs));
  try {
    const idle = reuseIdle(path, timing.staleMs);
    if (idle !== undefined) return new HeldLock(idle, endLocalTurn, timing);
    // Taken in call order first, so that concurrent callers in one process keep their order.
    await prepareDirectory();
    let delay = 1;
    for (;;) {
      const fd = await tryCreate(path, prepareDirectory);
      if (fd !== undefined) return new HeldLock(startHeartbeat(path, fd, timing.staleMs), endLocalTurn, timing);
      if (breakIfAbandoned(path, timing.staleMs)) continue;
      if (Date.now() >= deadline) {
        let holder: Observed | undefined;
        try {
          holder = observe(path);
        } catch {
          // Only for the message.
        }
        const who = holder?.record ? ` (held by pid ${holder.record.pid} on ${holder.record.hostname})` : '';
        throw new StoreUnavailableError(`Timed out after ${timing.timeoutMs} ms waiting for the session lock ${path}${who}`);
      }
      await sleep(delay + Math.random() * delay);
      delay = Math.min(delay * 2, 50);
    }
  } catch (error) {
    endLocalTurn();
    throw error;
  }
}

async function tryCreate(path: string, prepareDirectory: () => Promise<void>): Promise<number | undefined> {
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, OPEN_EXCLUSIVE, 0o600);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'EEXIST') return undefined;
      if (code === 'ENOENT' && attempt < 3) {
        await prepareDirectory();
        continue;
      }
      throw toStoreError(error, 'create the session lock', path);
    }
    const record: LockRecord = { pid: process.pid, hostname: HOST, nonce: randomUUID(), acquiredAt: Date.now() };
    try {
      writeSync(fd, JSON.stringify(record));
      return fd;
    } catch (error) {
      closeQuietly(fd);
      unlinkQuietly(path);
      throw toStoreError(error, 'write the session lock', path);
    }
  }
}

function unlinkQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

function observe(path: string): Observed | undefined {
  let fd: number;
  try {
    fd = openSync(path, OPEN_READ);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw toStoreError(error, 'inspect the session lock', path);
  }
  try {
    const stats = fstatSync(fd);
    const text = readFileSync(fd, 'utf8');
    return { ino: stats.ino, mtimeMs: stats.mtimeMs, record: parseRecord(text) };
  } finally {
    closeSync(fd);
  }
}

function parseRecord(text: string): LockRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockRecord>;
    if (typeof value.pid === 'number' && typeof value.hostname === 'string' && typeof value.nonce === 'string') {
      return { pid: value.pid, hostname: value.hostname, nonce: value.nonce, acquiredAt: value.acquiredAt ?? 0 };
    }
  } catch {
    // A holder that crashed between creating and writing the file leaves it empty: judged by age.
  }
  return undefined;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return errorCode(error) !== 'ESRCH';
  }
}

function isAbandoned(observed: Observed, staleMs: number): boolean {
  const { record } = observed;
  if (record !== undefined && record.hostname === HOST && !processIsAlive(record.pid)) return true;
  return Date.now() - observed.mtimeMs > staleMs;
}

/** Breaks the lock if it is abandoned. Returns true when the caller should retry at once. */
function breakIfAbandoned(path: string, staleMs: number): boolean {
  const observed = observe(path);
  if (observed === undefined) return true;
  if (!isAbandoned(observed, staleMs)) return false;
  const breakerPath = `${path}.break`;
  let breaker: number;
  try {
    breaker = openSync(breakerPath, OPEN_EXCLUSIVE, 0o600);
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw toStoreError(error, 'break the stale session lock', path);
    // A breaker that crashed mid-break would otherwise block everyone.
    let stats;
    try {
      stats = lstatSync(breakerPath, { throwIfNoEntry: false });
    } catch {
      stats = undefined;
    }
    if (stats !== undefined && Date.now() - stats.mtimeMs > staleMs) unlinkQuietly(breakerPath);
    return false;
  }
  try {
    const again = observe(path);
    if (again === undefined) return true;
    if (again.ino === observed.ino && again.record?.nonce === observed.record?.nonce && isAbandoned(again, staleMs)) {
      unlinkSync(path);
    }
    return true;
  } finally {
    closeQuietly(breaker);
    unlinkQuietly(breakerPath);
  }
}
