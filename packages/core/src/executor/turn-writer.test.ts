import { describe, expect, it } from 'vitest';
import { SessionConflictError, SessionLeaseError } from '../errors.js';
import type {
  AcquireLeaseOptions,
  AppendCondition,
  AppendResult,
  ExtendedSessionStore,
  LoadedWindow,
  LoadWindow,
  SessionKey,
  SessionLease,
  SessionRef,
  SessionStoreEntry,
} from '../store/session-store.js';
import { TurnWriter, type TurnWriterOptions } from './turn-writer.js';

const KEY: SessionRef = { projectKey: 'project', sessionId: '6f1d7c3e-0000-4000-8000-000000000001' };
const OPTIONS: TurnWriterOptions = { persist: true, windowed: true, holder: 'worker-1', leaseTtlMs: 60_000, clock: Date.now };

type FakeStore = ExtendedSessionStore & { calls: string[]; entries: SessionStoreEntry[]; released: number[] };

/**
 * An in-memory store with leases and windowed loads that records its calls; `combined` adds
 * `acquireLeaseAndLoad`, `held` makes every acquisition find the lease held, `failLoadAt` makes the
 * n-th loadWindow call reject.
 */
function fakeStore({ combined, held = false, failLoadAt }: { combined: boolean; held?: boolean; failLoadAt?: number }): FakeStore {
  const calls: string[] = [];
  const released: number[] = [];
  const entries: SessionStoreEntry[] = [];
  let token = 0;
  let loads = 0;
  const acquire = (key: SessionRef, options: AcquireLeaseOptions): SessionLease => {
    if (held) throw new SessionLeaseError('leased by worker-0', 'held');
    token++;
    return { key, holder: options.holder, token, expiresAt: Date.now() + options.ttlMs };
  };
  const window = (spec: LoadWindow): LoadedWindow | null => {
    loads++;
    if (loads === failLoadAt) throw new Error('load failed');
    if (entries.length === 0) return null;
    let start: number;
    let end = entries.length;
    if ('fromLastCompactBoundary' in spec) {
      start = Math.max(0, entries.findLastIndex((entry) => entry.subtype === 'compact_boundary'));
    } else {
      start = Math.min(spec.start, entries.length);
      end = Math.min(spec.end ?? entries.length, entries.length);
    }
    return { entries: entries.slice(start, Math.max(start, end)), start, length: entries.length };
  };
  const store: FakeStore = {
    calls,
    entries,
    released,
    async append(_key: SessionKey, batch: SessionStoreEntry[]) {
      calls.push('append');
      entries.push(...batch);
    },
    async load() {
      calls.push('load');
      return entries.length === 0 ? null : [...entries];
    },
    async appendIf(_key: SessionKey, batch: SessionStoreEntry[], condition: AppendCondition): Promise<AppendResult> {
      calls.push(`appendIf(token ${condition.lease?.token ?? '-'}, length ${condition.expectedLength ?? '-'})`);
      entries.push(...batch);
      return { appended: batch.length, skipped: 0, length: entries.length };
    },
    async loadWindow(_key: SessionKey, spec: LoadWindow) {
      calls.push('fromLastCompactBoundary' in spec ? 'loadWindow(boundary)' : `loadWindow(${spec.start}-${spec.end ?? ''})`);
      return window(spec);
    },
    async acquireLease(key: SessionRef, options: AcquireLeaseOptions) {
      calls.push('acquireLease');
      return acquire(key, options);
    },
    async renewLease(lease: SessionLease) {
      return lease;
    },
    async releaseLease(lease: SessionLease) {
      calls.push('releaseLease');
      released.push(lease.token);
    },
  };
  if (combined) {
    Object.assign(store, {
      async acquireLeaseAndLoad(key: SessionRef, options: AcquireLeaseOptions, spec: LoadWindow) {
        calls.push('fromLastCompactBoundary' in spec ? 'acquireLeaseAndLoad(boundary)' : 'acquireLeaseAndLoad(range)');
        const lease = acquire(key, options);
        return { lease, loaded: window(spec) };
      },
    });
  }
  return store;
}

function message(uuid: string, type: 'user' | 'assistant' = 'user'): SessionStoreEntry {
  return { type, uuid, message: { role: type, content: uuid } };
}

/** A transcript compacted once: the boundary keeps entries b and c (its preserved segment). */
function compacted(): SessionStoreEntry[] {
  return [
    message('a'),
    message('b', 'assistant'),
    message('c'),
    { type: 'system', subtype: 'compact_boundary', uuid: 'boundary', compactMetadata: { trigger: 'auto', preservedSegment: { headUuid: 'b', tailUuid: 'c' } } },
    message('summary'),
    message('d', 'assistant'),
  ];
}

describe('TurnWriter.open', () => {
  it('takes the lease and loads the window in one call when the store can', async () => {
    const store = fakeStore({ combined: true });
    store.entries.push(message('a'), message('b', 'assistant'));
    const { writer, entries } = await TurnWriter.open(store, KEY, OPTIONS);
    expect(entries.map((entry) => entry.uuid)).toEqual(['a', 'b']);
    await writer.append([message('c')]);
    expect(store.calls).toEqual(['acquireLeaseAndLoad(boundary)', 'appendIf(token 1, length 2)']);
    await writer.release();
    expect(store.released).toEqual([1]);
  });

  it('takes the lease, then loads, on a store without acquireLeaseAndLoad', async () => {
    const store = fakeStore({ combined: false });
    store.entries.push(message('a'));
    const { writer, entries } = await TurnWriter.open(store, KEY, OPTIONS);
    expect(entries.map((entry) => entry.uuid)).toEqual(['a']);
    await writer.append([message('b', 'assistant')]);
    expect(store.calls).toEqual(['acquireLease', 'loadWindow(boundary)', 'appendIf(token 1, length 1)']);
    await writer.release();
  });

  it('loads the whole log without a window (resumeAt), with the lease alone', async () => {
    const store = fakeStore({ combined: true });
    store.entries.push(message('a'));
    const { writer } = await TurnWriter.open(store, KEY, { ...OPTIONS, windowed: false });
    expect(store.calls).toEqual(['acquireLease', 'load']);
    await writer.release();
  });

  for (const combined of [true, false]) {
    it(`turns a lease held by another worker into SessionConflictError (${combined ? 'one call' : 'two calls'})`, async () => {
      const store = fakeStore({ combined, held: true });
      const error = await TurnWriter.open(store, KEY, OPTIONS).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SessionConflictError);
      expect(store.calls).toEqual([combined ? 'acquireLeaseAndLoad(boundary)' : 'acquireLease']);
    });

    it(`adds the messages a compaction boundary keeps from before it (${combined ? 'one call' : 'two calls'})`, async () => {
      const store = fakeStore({ combined });
      store.entries.push(...compacted());
      const { writer, entries } = await TurnWriter.open(store, KEY, OPTIONS);
      expect(entries.map((entry) => entry.uuid)).toEqual(['a', 'b', 'c', 'boundary', 'summary', 'd']);
      await writer.append([message('e')]);
      expect(store.calls.at(-1)).toBe('appendIf(token 1, length 6)');
      expect(store.calls).toContain('loadWindow(0-3)');
      await writer.release();
    });

    it(`releases the lease when the load fails (${combined ? 'one call' : 'two calls'})`, async () => {
      const store = fakeStore({ combined, failLoadAt: combined ? 2 : 1 });
      store.entries.push(...compacted());
      await expect(TurnWriter.open(store, KEY, OPTIONS)).rejects.toThrow('load failed');
      expect(store.released).toEqual([1]);
    });
  }
});
