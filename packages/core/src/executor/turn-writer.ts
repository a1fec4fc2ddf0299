import type { Span } from '@opentelemetry/api';
import { SessionConflictError, SessionLeaseError, StoreUnavailableError } from '../errors.js';
import { SPAN_NAMES, traced } from './tracing.js';
import {
  supportsConditionalAppend,
  supportsLeaseAndLoad,
  supportsLeases,
  supportsWindowedLoad,
  type AppendCondition,
  type LoadedWindow,
  type LoadOptions,
  type SessionKey,
  type SessionLease,
  type SessionRef,
  type SessionStore,
  type SessionStoreEntry,
} from '../store/session-store.js';

const NOTHING_HELD: Promise<void> = Promise.resolve();

/**
 * The store side of one turn: takes the session's lease (when the store has leases), loads the
 * transcript, and appends with the strongest guarantee the store offers.
 *
 * - Leases + `appendIf`: every write carries the lease (fencing token) and the expected length, so
 *   a second worker can neither start a turn of the session nor slip an entry in between.
 * - `appendIf` only: every write carries the expected length; a concurrent writer makes the later
 *   one fail with `SessionConflictError`.
 * - Neither: plain `append`. Two concurrent turns of one session may then interleave their entries
 *   (the official SDK has the same limitation); run one turn per session at a time.
 *
 * One instance per turn, created by the executor and dropped at its end.
 */
export class TurnWriter {
  private lease: SessionLease | undefined;
  private renewedAt = 0;
  private expectedLength: number;
  /** Renews the lease while nothing is written (a long tool call, a long stream). */
  private heartbeat: NodeJS.Timeout | undefined;
  private renewal: Promise<void> | undefined;

  private constructor(
    private readonly store: SessionStore,
    private readonly key: SessionKey,
    private readonly options: TurnWriterOptions,
    lease: SessionLease | undefined,
    length: number,
  ) {
    this.lease = lease;
    this.renewedAt = options.clock();
    this.expectedLength = length;
    if (lease !== undefined) {
      this.heartbeat = setInterval(() => void this.renewIfDue().catch(() => undefined), Math.max(10, Math.floor(options.leaseTtlMs / 3)));
      // A turn's heartbeat never keeps the process alive.
      this.heartbeat.unref();
    }
  }

  /**
   * Takes the lease (if any) and loads the session. Rejects with `SessionConflictError` when
   * another worker holds the session's lease. A store that can take the lease and load the window in
   * one step (`acquireLeaseAndLoad`) is asked once instead of twice.
   */
  static async open(store: SessionStore, key: SessionKey, options: TurnWriterOptions): Promise<{ writer: TurnWriter; entries: SessionStoreEntry[] }> {
    const leased = options.persist && options.lease !== false && supportsLeases(store);
    const ref: SessionRef = { projectKey: key.projectKey, sessionId: key.sessionId };
    const leaseOptions = { holder: options.holder, ttlMs: options.leaseTtlMs };
    if (leased && options.windowed === true && key.subpath === undefined && supportsLeaseAndLoad(store)) {
      const { lease, loaded } = await traced(SPAN_NAMES.store, { 'sdk.store.operation': 'acquireLeaseAndLoad' }, options.traceParent, async (span) => {
        const taken = await conflictOnHeld(key, () => store.acquireLeaseAndLoad(ref, leaseOptions, { fromLastCompactBoundary: true }, READ_ONLY));
        try {
          // Only a window that starts at a boundary keeping older messages needs a second read.
          const window = await loadFromBoundary(store, key, taken.loaded);
          span.setAttributes({ 'sdk.store.entries': window.entries.length, 'sdk.store.length': window.length });
          return { lease: taken.lease, loaded: window };
        } catch (error) {
          await store.releaseLease(taken.lease).catch(() => undefined);
          throw error;
        }
      });
      return { writer: new TurnWriter(store, key, options, lease, loaded.length), entries: loaded.entries };
    }
    let lease: SessionLease | undefined;
    if (leased) lease = await conflictOnHeld(key, () => store.acquireLease(ref, leaseOptions));
    try {
      const operation = options.windowed === true ? 'loadWindow' : 'load';
      const { entries, length } = await traced(SPAN_NAMES.store, { 'sdk.store.operation': operation }, options.traceParent, async (span) => {
        const loaded = options.windowed === true ? await loadFromBoundary(store, key) : await loadAll(store, key);
        span.setAttributes({ 'sdk.store.entries': loaded.entries.length, 'sdk.store.length': loaded.length });
        return loaded;
      });
      return { writer: new TurnWriter(store, key, options, lease, length), entries };
    } catch (error) {
      if (lease !== undefined && supportsLeases(store)) await store.releaseLease(lease).catch(() => undefined);
      throw error;
    }
  }

  /** True while the writer holds the session's lease: no other writer can append in between. */
  get holdsLease(): boolean {
    return this.lease !== undefined;
  }

  /** A writer that writes nothing and holds nothing (a turn refused before it touched the store). */
  static readOnly(): TurnWriter {
    return new TurnWriter(NO_STORE, { projectKey: '-', sessionId: '-' }, { persist: false, holder: '-', leaseTtlMs: 1, clock: Date.now }, undefined, 0);
  }

  /**
   * Appends `entries` in one write, conditional on nothing else having been written. With `last`,
   * the turn writes nothing after them: a store that can gives the lease back in the same step.
   */
  async append(entries: SessionStoreEntry[], options: { last?: boolean } = {}): Promise<void> {
    if (!this.options.persist || entries.length === 0) return;
    await traced(SPAN_NAMES.store, { 'sdk.store.operation': 'append', 'sdk.store.entries': entries.length }, this.options.traceParent, () =>
      this.write(entries, options.last === true),
    );
  }

  private async write(entries: SessionStoreEntry[], last: boolean): Promise<void> {
    await this.renewIfDue();
    if (supportsConditionalAppend(this.store)) {
      const lease = this.lease;
      const condition: AppendCondition = lease === undefined ? { expectedLength: this.expectedLength } : { expectedLength: this.expectedLength, lease };
      if (lease !== undefined && last) condition.releaseLease = true;
      const result = await this.store.appendIf(this.key, entries, condition);
      this.expectedLength = result.length;
      // Released with the write: nothing left to renew or give back.
      if (result.released === true && this.lease === lease) this.dropLease();
    } else {
      await this.store.append(this.key, entries);
    }
  }

  /** Forgets the lease (the store released it) and stops renewing it. */
  private dropLease(): void {
    this.stopHeartbeat();
    this.lease = undefined;
  }

  private stopHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /**
   * Gives the lease back; never throws (an expired lease is already free). When the store cannot
   * be reached, the release is retried in the background for up to the lease's TTL: otherwise the
   * session would stay blocked for the whole TTL after an outage, though no turn runs.
   */
  release(): Promise<void> {
    // Most turns gave the lease back with their last write: nothing is left, and no async frame runs for it.
    if (this.lease === undefined && this.renewal === undefined && this.heartbeat === undefined) return NOTHING_HELD;
    return this.releaseHeld();
  }

  private async releaseHeld(): Promise<void> {
    this.stopHeartbeat();
    await this.renewal?.catch(() => undefined);
    const lease = this.lease;
    this.lease = undefined;
    if (lease === undefined || !supportsLeases(this.store)) return;
    const store = this.store;
    try {
      await store.releaseLease(lease);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) return;
      const giveUpAt = this.options.clock() + this.options.leaseTtlMs;
      const retry = (attempt: number): void => {
        const timer = setTimeout(() => {
          store.releaseLease(lease).catch(() => {
            if (this.options.clock() < giveUpAt) retry(attempt + 1);
          });
        }, Math.min(250 * 2 ** attempt, 4000));
        // A pending retry never keeps the process alive.
        timer.unref();
      };
      retry(0);
    }
  }

  /**
   * Renews the lease once a third of it has passed: on each write, and from the heartbeat while
   * the turn waits on a tool or the model. One renewal at a time; a failed one is reported by the
   * next write (its fencing check fails), not by the heartbeat.
   */
  private async renewIfDue(): Promise<void> {
    if (this.renewal !== undefined) return this.renewal;
    const store = this.store;
    if (this.lease === undefined || !supportsLeases(store)) return;
    const now = this.options.clock();
    if (now - this.renewedAt < this.options.leaseTtlMs / 3) return;
    const lease = this.lease;
    this.renewal = (async () => {
      try {
        const renewed = await store.renewLease(lease, this.options.leaseTtlMs);
        if (this.lease !== undefined) this.lease = renewed;
        this.renewedAt = now;
      } finally {
        this.renewal = undefined;
      }
    })();
    return this.renewal;
  }
}

/** Options of {@link TurnWriter.open}. */
export type TurnWriterOptions = {
  /** False: load only, never write (`persist: false` turns). */
  persist: boolean;
  /** False: write without taking the session's lease (a subagent, inside its parent's turn). Default true. */
  lease?: boolean;
  /**
   * Load from the last compaction boundary (plus the messages it keeps) instead of the whole log,
   * when the store can: what a turn needs, at a cost that does not grow with the session's age.
   */
  windowed?: boolean;
  /** The turn's span: store operations are traced as its children. */
  traceParent?: Span;
  /** Lease holder name, unique per turn. */
  holder: string;
  leaseTtlMs: number;
  clock: () => number;
};

const NO_STORE: SessionStore = {
  append: () => Promise.reject(new Error('read-only turn writer')),
  load: () => Promise.resolve(null),
};

/** How far before a boundary the messages it keeps are looked for (they are its old chain's last entries). */
const PRESERVED_LOOKBACK = 64;

const READ_ONLY: LoadOptions = { readOnly: true };

type Loaded = { entries: SessionStoreEntry[]; length: number };

async function loadAll(store: SessionStore, key: SessionKey): Promise<Loaded> {
  const entries = (await store.load(key)) ?? [];
  return { entries, length: entries.length };
}

/** `take()`, with a lease found held turned into `SessionConflictError` (the turn may be retried). */
async function conflictOnHeld<T>(key: SessionKey, take: () => Promise<T>): Promise<T> {
  try {
    return await take();
  } catch (error) {
    if (error instanceof SessionLeaseError && error.reason === 'held') {
      throw new SessionConflictError(`session ${key.sessionId} is running a turn in another worker (${error.message})`);
    }
    throw error;
  }
}

/**
 * The entries from the last compaction boundary on. The boundary names the old messages it keeps
 * (`preservedSegment`), which sit just before it: they are loaded from a short window before the
 * boundary, or, if not found there, the whole log is loaded (never a history missing its kept part).
 * `first`, when given, is that window already loaded (with the lease, by `acquireLeaseAndLoad`).
 */
async function loadFromBoundary(store: SessionStore, key: SessionKey, first?: LoadedWindow | null): Promise<Loaded> {
  let window: LoadedWindow | null;
  if (first !== undefined) window = first;
  // The turn only reads what it loads (it builds a request and new entries from it), so an
  // in-process store may skip its defensive copies.
  else if (supportsWindowedLoad(store)) window = await store.loadWindow(key, { fromLastCompactBoundary: true }, READ_ONLY);
  else return loadAll(store, key);
  if (window === null) return { entries: [], length: 0 };
  const boundary = window.entries[0];
  const segment = (boundary?.compactMetadata as { preservedSegment?: { headUuid?: unknown; tailUuid?: unknown } } | undefined)?.preservedSegment;
  if (window.start === 0 || boundary?.subtype !== 'compact_boundary' || segment === undefined) return { entries: window.entries, length: window.length };
  if (!supportsWindowedLoad(store)) return loadAll(store, key);
  const before = await store.loadWindow(key, { start: Math.max(0, window.start - PRESERVED_LOOKBACK), end: window.start }, READ_ONLY);
  const uuids = new Set((before?.entries ?? []).map((entry) => entry.uuid));
  if (before !== null && uuids.has(segment.headUuid as string) && uuids.has(segment.tailUuid as string)) {
    return { entries: [...before.entries, ...window.entries], length: window.length };
  }
  return loadAll(store, key);
}
