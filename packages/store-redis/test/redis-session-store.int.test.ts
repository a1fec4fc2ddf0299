import { randomUUID } from 'node:crypto';
import {
  EntryTooLargeError,
  InvalidSessionKeyError,
  SessionConflictError,
  SessionLeaseError,
  SessionNotFoundError,
  SessionStoreError,
  StoreUnavailableError,
  TranscriptCorruptError,
} from '@sdk/core/store';
import { foldSessionSummary } from '@sdk/core/store';
import type { SessionStoreEntry, SessionSummaryEntry } from '@sdk/core/store';
import { createClient } from 'redis';
import { describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../src/index.js';
import { entry, SHARED_REDIS_URL, sharedRedisForThisFile } from './redis-servers.js';

const { client, prefix: takePrefix } = sharedRedisForThisFile();

function newStore(options: { ttlMs?: number; maxEntryBytes?: number } = {}): { store: RedisSessionStore; prefix: string } {
  const prefix = takePrefix('store');
  return { store: new RedisSessionStore({ client }, { prefix, ...options }), prefix };
}


const key = () => ({ projectKey: 'proj', sessionId: randomUUID() });

describe('RedisSessionStore on a standalone server', () => {
  it('appends in order, skips stored uuids, and reports what it did', async () => {
    const { store } = newStore();
    const session = key();
    const [a, b, c] = [entry('a'), entry('b'), entry('c')];
    await store.append(session, [a, b]);
    const result = await store.appendIf(session, [b, c, { type: 'progress' }], {});
    expect(result).toEqual({ appended: 2, skipped: 1, length: 4 });
    expect(await store.load(session)).toEqual([a, b, c, { type: 'progress' }]);
    // A batch stored already is a retry that landed: accepted without checking the stale condition.
    expect(await store.appendIf(session, [a, b], { expectedLength: 0 })).toEqual({ appended: 0, skipped: 2, length: 4 });
  });

  it('checks length and last uuid atomically and names what it found', async () => {
    const { store } = newStore();
    const session = key();
    const first = entry('first');
    await store.appendIf(session, [first], { expectedLength: 0, expectedLastUuid: null });
    const conflict = await store.appendIf(session, [entry('x')], { expectedLength: 0 }).catch((error: unknown) => error);
    expect(conflict).toBeInstanceOf(SessionConflictError);
    expect((conflict as SessionConflictError).details).toMatchObject({ expectedLength: 0, actualLength: 1, actualLastUuid: first.uuid });
    await expect(store.appendIf(session, [entry('y')], { expectedLastUuid: randomUUID() })).rejects.toBeInstanceOf(SessionConflictError);
    await store.appendIf(session, [entry('z')], { expectedLength: 1, expectedLastUuid: first.uuid! });
    expect(await store.load(session)).toHaveLength(2);
  });

  it('lets exactly one of many racing conditional appends win', async () => {
    const { store } = newStore();
    const session = key();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, index) => store.appendIf(session, [entry(`racer ${index}`)], { expectedLength: 0 })),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(SessionConflictError);
    }
    expect(await store.load(session)).toHaveLength(1);
  });

  it('folds summaries on the server, also when a retried batch carries duplicates', async () => {
    const { store } = newStore();
    const session = key();
    const titled = entry('hello there', { customTitle: 'First title', cwd: '/work' });
    await store.append(session, [titled]);
    await store.append(session, [entry('later', { customTitle: 'Second title' })]);
    // The retry of the first batch must not bring the old title back.
    await store.append(session, [titled, entry('new', { gitBranch: 'main' })]);
    const [summary] = await store.listSessionSummaries(session.projectKey);
    expect(summary).toMatchObject({
      sessionId: session.sessionId,
      data: { customTitle: 'Second title', firstPrompt: 'hello there', cwd: '/work', gitBranch: 'main', isSidechain: false },
    });
    const [listing] = await store.listSessions(session.projectKey);
    expect(listing?.mtime).toBe(summary?.mtime);
    expect(listing!.mtime).toBeGreaterThan(1e12);
  });

  it('merges summaries in the script exactly as folding the batches in order', async () => {
    // The script applies the client's delta itself (set once, last wins, removals, unless locked):
    // random batches over every branch of the fold, some repeated, must read back as the fold.
    const samples: Array<Partial<SessionStoreEntry>> = [
      { type: 'user', timestamp: '2026-01-01T00:00:00Z', cwd: '/a', message: { content: 'first question' } },
      { type: 'user', isSidechain: true, cwd: '/b', message: { content: '<command-name>/review</command-name>' } },
      { type: 'user', message: { content: [{ type: 'text', text: 'typed later' }] } },
      { type: 'assistant', timestamp: '2026-01-02T00:00:00Z', gitBranch: 'main' },
      { type: 'summary', summary: 'a hint' },
      { type: 'custom-title', customTitle: 'Title one' },
      { type: 'tag', tag: 'important' },
      { type: 'tag', tag: '' },
      { type: 'relocated', relocatedCwd: '/moved' },
      { type: 'system', subtype: 'compact_boundary' },
    ];
    const { store } = newStore();
    let seed = 7;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let run = 0; run < 12; run++) {
      const session = key();
      let folded: SessionSummaryEntry | undefined;
      let previous: SessionStoreEntry[] = [];
      for (let batch = 0; batch < 6; batch++) {
        const fresh = Array.from({ length: 1 + Math.floor(next() * 3) }, () => ({ ...samples[Math.floor(next() * samples.length)]!, uuid: randomUUID() }) as SessionStoreEntry);
        // Now and then a retried batch: its stored entries are skipped and must not fold again.
        const entries = next() < 0.3 ? [...previous, ...fresh] : fresh;
        folded = foldSessionSummary(folded, session, fresh);
        await store.append(session, entries);
        previous = fresh;
        const summary = (await store.listSessionSummaries(session.projectKey)).find((listed) => listed.sessionId === session.sessionId);
        expect(summary?.data).toEqual(folded.data);
      }
    }
  });

  it('folds the whole summary of a session written again under an id remembered as settled', async () => {
    // The first store sends a settled session only its last-wins fields; the script must notice the
    // new life and take the whole delta.
    const { store, prefix } = newStore();
    const other = new RedisSessionStore({ client }, { prefix });
    const session = key();
    const first = entry('first life', { cwd: '/one', timestamp: '2026-01-01T00:00:00Z' });
    await store.append(session, [first]);
    await store.append(session, [entry('settled', { gitBranch: 'main' })]);
    await other.delete(session);
    const reborn = [entry('second life', { cwd: '/two', timestamp: '2026-02-01T00:00:00Z', gitBranch: 'next' })];
    await store.append(session, reborn);
    const [summary] = await store.listSessionSummaries(session.projectKey);
    expect(summary?.data).toEqual(foldSessionSummary(undefined, session, reborn).data);
  });

  it('leaves nothing of a refused single-entry append behind, so the same entry can be appended later', async () => {
    const { store, prefix } = newStore();
    const session = key();
    const late = entry('late');
    await expect(store.appendIf(session, [late], { expectedLength: 3 })).rejects.toBeInstanceOf(SessionConflictError);
    const lease = await store.acquireLease(session, { holder: 'worker-1', ttlMs: 5000 });
    await expect(store.appendIf(session, [late], { lease: { ...lease, token: lease.token + 1 } })).rejects.toMatchObject({ reason: 'not-held' });
    expect((await client.keys(`{${prefix}:proj:${session.sessionId}}:*`)).sort()).toEqual([`{${prefix}:proj:${session.sessionId}}:lease`]);
    await store.append(session, [entry('first')]);
    await expect(store.appendIf(session, [late], { expectedLastUuid: null })).rejects.toBeInstanceOf(SessionConflictError);
    expect(await store.appendIf(session, [late], { lease })).toEqual({ appended: 1, skipped: 0, length: 2 });
    expect((await store.load(session))?.map((stored) => stored.uuid)).toEqual([expect.any(String), late.uuid]);
    // A log that cannot take the entry (a key of another type) fails the append whole.
    const broken = key();
    await client.set(`{${prefix}:proj:${broken.sessionId}}:log`, 'not a list');
    await expect(store.append(broken, [late])).rejects.toBeInstanceOf(SessionStoreError);
    expect(await client.exists(`{${prefix}:proj:${broken.sessionId}}:ids`)).toBe(0);
  });

  it('keeps subkeys out of listings and summaries, and deletes them with the session', async () => {
    const { store } = newStore();
    const session = key();
    await store.append({ ...session, subpath: 'subagents/agent-a' }, [entry('sub', { customTitle: 'sub title' })]);
    expect(await store.listSessions('proj')).toEqual([]);
    await store.append(session, [entry('main')]);
    expect((await store.listSessionSummaries('proj'))[0]?.data.customTitle).toBeUndefined();
    expect(await store.listSubkeys(session)).toEqual(['subagents/agent-a']);
    await store.delete(session);
    expect(await store.load({ ...session, subpath: 'subagents/agent-a' })).toBeNull();
    expect(await store.listSubkeys(session)).toEqual([]);
    expect(await store.listSessions('proj')).toEqual([]);
  });

  it('prunes index members whose session is gone once the grace period has passed', async () => {
    const { store, prefix } = newStore();
    const session = key();
    await store.append(session, [entry('x')]);
    // Simulate a crash between deleting the session and updating the index.
    await client.del(`{${prefix}:proj:${session.sessionId}}:meta`);
    await client.del(`{${prefix}:proj:${session.sessionId}}:log`);
    await client.zAdd(`${prefix}:proj:sessions`, { score: Date.now() - 60_000, value: session.sessionId });
    expect(await store.listSessions('proj')).toEqual([]);
    expect(await client.zCard(`${prefix}:proj:sessions`)).toBe(0);
  });

  it('lists a session deleted by another worker and created again by one that indexed it before', async () => {
    const { store, prefix } = newStore();
    const other = new RedisSessionStore({ client }, { prefix });
    const session = key();
    await store.append(session, [entry('first life')]);
    await other.delete(session);
    expect(await store.listSessions('proj')).toEqual([]);
    // `store` updated the index for this session moments ago; the append must see it created the session.
    await store.append(session, [entry('second life')]);
    expect((await other.listSessions('proj')).map((listing) => listing.sessionId)).toEqual([session.sessionId]);
  });

  it('loads windows by index and from the last compact boundary', async () => {
    const { store } = newStore();
    const session = key();
    const entries = Array.from({ length: 6 }, (_, index) => entry(`e${index}`));
    entries[2] = { type: 'system', subtype: 'compact_boundary', uuid: randomUUID() };
    entries[4] = { type: 'system', subtype: 'compact_boundary', uuid: randomUUID() };
    await store.append(session, entries.slice(0, 3));
    await store.append(session, entries.slice(3));
    expect(await store.loadWindow(session, { start: 1, end: 3 })).toEqual({ entries: entries.slice(1, 3), start: 1, length: 6 });
    expect(await store.loadWindow(session, { fromLastCompactBoundary: true })).toEqual({ entries: entries.slice(4), start: 4, length: 6 });
    expect(await store.loadWindow(key(), { start: 0 })).toBeNull();
    const plain = key();
    await store.append(plain, [entry('a')]);
    expect(await store.loadWindow(plain, { fromLastCompactBoundary: true })).toMatchObject({ start: 0, length: 1 });
  });

  it('forks with COPY, whole or up to an entry, and refuses existing targets', async () => {
    const { store } = newStore();
    const source = key();
    const entries = [entry('one', { customTitle: 'T' }), entry('two'), entry('three')];
    await store.append(source, entries);
    const whole = randomUUID();
    await store.fork(source, whole);
    expect(await store.load({ projectKey: 'proj', sessionId: whole })).toEqual(entries);
    const part = randomUUID();
    await store.fork(source, part, { upToUuid: entries[1]!.uuid! });
    expect(await store.load({ projectKey: 'proj', sessionId: part })).toEqual(entries.slice(0, 2));
    // The copy's uuid set is its own: appending a uuid cut off by the fork stores it.
    expect(await store.appendIf({ projectKey: 'proj', sessionId: part }, [entries[2]!], {})).toMatchObject({ appended: 1 });
    await expect(store.fork(source, whole)).rejects.toBeInstanceOf(SessionConflictError);
    await expect(store.fork(key(), randomUUID())).rejects.toBeInstanceOf(SessionNotFoundError);
    await expect(store.fork(source, randomUUID(), { upToUuid: randomUUID() })).rejects.toBeInstanceOf(SessionNotFoundError);
    const summaries = await store.listSessionSummaries('proj');
    expect(summaries.map((summary) => summary.sessionId).sort()).toEqual([source.sessionId, whole, part].sort());
    expect(summaries.every((summary) => summary.data.customTitle === 'T')).toBe(true);
  });

  it('fences writes with leases', async () => {
    const { store } = newStore();
    const session = key();
    const lease = await store.acquireLease(session, { holder: 'worker-1', ttlMs: 5000 });
    await expect(store.acquireLease(session, { holder: 'worker-2', ttlMs: 5000 })).rejects.toMatchObject({ reason: 'held' });
    await store.appendIf(session, [entry('by 1')], { lease });
    const renewed = await store.renewLease(lease, 10_000);
    expect(renewed.expiresAt).toBeGreaterThanOrEqual(lease.expiresAt);
    await store.releaseLease(renewed);
    await expect(store.appendIf(session, [entry('late')], { lease })).rejects.toMatchObject({ reason: 'not-held' });
    const second = await store.acquireLease(session, { holder: 'worker-2', ttlMs: 50 });
    expect(second.token).toBeGreaterThan(lease.token);
    await expect(store.appendIf(session, [entry('stale')], { lease })).rejects.toMatchObject({ reason: 'superseded' });
    await new Promise((resolve) => setTimeout(resolve, 80));
    const expired = await store.appendIf(session, [entry('too late')], { lease: second }).catch((error: unknown) => error);
    expect(expired).toBeInstanceOf(SessionLeaseError);
    expect((expired as SessionLeaseError).reason).toBe('expired');
    await expect(store.renewLease(second, 1000)).rejects.toBeInstanceOf(SessionLeaseError);
    expect(await store.load(session)).toHaveLength(1);
  });

  describe('waitForLeaseRelease', () => {
    /** Settles `promise` into the time it took, or 'pending' if it has not settled after `ms`. */
    const within = async (promise: Promise<unknown>, started: number, ms: number): Promise<number | 'pending'> =>
      Promise.race([promise.then(() => performance.now() - started), new Promise<'pending'>((resolve) => setTimeout(() => resolve('pending'), ms))]);

    it('wakes the longest waiting worker when the lease is released, and only that one', async () => {
      const prefix = takePrefix('wait');
      // Each worker has its own store from a URL: it blocks on a connection of its own.
      const stores = [0, 1, 2].map(() => new RedisSessionStore({ url: SHARED_REDIS_URL }, { prefix }));
      try {
        const session = key();
        const lease = await stores[0]!.acquireLease(session, { holder: 'worker-0', ttlMs: 10_000 });
        const first = stores[1]!.waitForLeaseRelease(session, { timeoutMs: 3000 });
        await new Promise((resolve) => setTimeout(resolve, 50));
        const second = stores[2]!.waitForLeaseRelease(session, { timeoutMs: 1500 });
        expect(await within(first, performance.now(), 200)).toBe('pending');
        const released = performance.now();
        await stores[0]!.releaseLease(lease);
        expect(await within(first, released, 500)).toBeLessThan(500);
        // The other stays blocked (the first would now take the lease) until its own timeout.
        await stores[1]!.acquireLease(session, { holder: 'worker-1', ttlMs: 10_000 });
        expect(await within(second, released, 300)).toBe('pending');
        expect(await within(second, released, 3000)).toBeGreaterThanOrEqual(1000);
      } finally {
        for (const store of stores) await store.close();
      }
    });

    it('returns at once for a free lease, at the timeout or the lease end for a held one', async () => {
      const prefix = takePrefix('wait');
      const store = new RedisSessionStore({ url: SHARED_REDIS_URL }, { prefix });
      try {
        const free = key();
        let started = performance.now();
        await store.waitForLeaseRelease(free, { timeoutMs: 5000 });
        expect(performance.now() - started).toBeLessThan(500);
        const held = key();
        await store.acquireLease(held, { holder: 'worker-0', ttlMs: 10_000 });
        started = performance.now();
        await store.waitForLeaseRelease(held, { timeoutMs: 300 });
        expect(performance.now() - started).toBeGreaterThanOrEqual(250);
        // A holder that crashed releases nothing: the wait ends when its lease does.
        const crashed = key();
        await store.acquireLease(crashed, { holder: 'worker-0', ttlMs: 400 });
        started = performance.now();
        await store.waitForLeaseRelease(crashed, { timeoutMs: 5000 });
        expect(performance.now() - started).toBeLessThan(2000);
        // Found held, then released before the wait starts: the wait must not sleep through it.
        const busy = key();
        const other = await store.acquireLease(busy, { holder: 'worker-0', ttlMs: 10_000 });
        await expect(store.acquireLease(busy, { holder: 'worker-1', ttlMs: 10_000 })).rejects.toBeInstanceOf(SessionLeaseError);
        await store.releaseLease(other);
        started = performance.now();
        await store.waitForLeaseRelease(busy, { timeoutMs: 5000 });
        expect(performance.now() - started).toBeLessThan(500);
        const controller = new AbortController();
        const aborted = store.waitForLeaseRelease(held, { timeoutMs: 5000, signal: controller.signal });
        controller.abort(new Error('stop'));
        await expect(aborted).rejects.toThrow('stop');
      } finally {
        await store.close();
      }
    });

    it('wakes a store given a client too', async () => {
      const { store } = newStore();
      const session = key();
      const lease = await store.acquireLease(session, { holder: 'worker-0', ttlMs: 10_000 });
      const waiting = store.waitForLeaseRelease(session, { timeoutMs: 5000 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const released = performance.now();
      await store.releaseLease(lease);
      expect(await within(waiting, released, 1000)).toBeLessThan(1000);
    });
  });

  it('expires a whole session, subkeys included, and drops it from listings', async () => {
    const { store, prefix } = newStore({ ttlMs: 400 });
    const session = key();
    await store.append(session, [entry('main')]);
    await store.append({ ...session, subpath: 'subagents/agent-x' }, [entry('sub')]);
    const keys = await client.keys(`{${prefix}:proj:${session.sessionId}}:*`);
    expect(keys.length).toBeGreaterThanOrEqual(6);
    for (const name of keys) expect(await client.pTTL(name)).toBeGreaterThan(0);
    expect(await store.listSessions('proj')).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await client.keys(`{${prefix}:proj:${session.sessionId}}:*`)).toEqual([]);
    expect(await store.load(session)).toBeNull();
    expect(await store.listSessions('proj')).toEqual([]);
  });

  it('sets and removes the expiry of a session with expire()', async () => {
    const { store, prefix } = newStore();
    const session = key();
    await store.append(session, [entry('main')]);
    await store.append({ ...session, subpath: 'a' }, [entry('sub')]);
    await store.expire(session, 60_000);
    const keys = await client.keys(`{${prefix}:proj:${session.sessionId}}:*`);
    for (const name of keys) expect(await client.pTTL(name)).toBeGreaterThan(50_000);
    // A key created later joins the session's expiry instead of outliving it.
    await store.append({ ...session, subpath: 'b' }, [entry('sub b')]);
    expect(await client.pTTL(`{${prefix}:proj:${session.sessionId}}:sub:b`)).toBeGreaterThan(50_000);
    await store.expire(session, null);
    for (const name of await client.keys(`{${prefix}:proj:${session.sessionId}}:*`)) expect(await client.pTTL(name)).toBe(-1);
  });

  it('rejects bad input with typed errors and writes nothing', async () => {
    const { store } = newStore({ maxEntryBytes: 1024 });
    const session = key();
    await expect(store.append({ projectKey: '{x}', sessionId: session.sessionId }, [entry('a')])).rejects.toBeInstanceOf(InvalidSessionKeyError);
    await expect(store.load({ projectKey: 'p', sessionId: 'nope' })).rejects.toBeInstanceOf(InvalidSessionKeyError);
    await expect(store.listSessions('a*')).rejects.toBeInstanceOf(InvalidSessionKeyError);
    await expect(store.append(session, [entry('ok'), entry('x'.repeat(2000))])).rejects.toBeInstanceOf(EntryTooLargeError);
    expect(await store.load(session)).toBeNull();
    expect(() => new RedisSessionStore({ client }, { prefix: 'a{b}' })).toThrow(/prefix/);
  });

  it('reports a corrupt stored entry with its index', async () => {
    const { store, prefix } = newStore();
    const session = key();
    await store.append(session, [entry('fine')]);
    await client.rPush(`{${prefix}:proj:${session.sessionId}}:log`, '{not json');
    const error = await store.load(session).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TranscriptCorruptError);
    expect((error as TranscriptCorruptError).location.index).toBe(1);
  });

  it('reads the same replies through a RESP3 client', async () => {
    const resp3 = createClient({ url: SHARED_REDIS_URL, RESP: 3 });
    await resp3.connect();
    try {
      const prefix = takePrefix('resp3');
      const store = new RedisSessionStore({ client: resp3 }, { prefix });
      const session = key();
      const entries = [entry('one', { customTitle: 'R3' }), { type: 'system', subtype: 'compact_boundary', uuid: randomUUID() }, entry('two')];
      await store.append(session, entries);
      await store.append({ ...session, subpath: 'subagents/a' }, [entry('sub')]);
      expect(await store.load(session)).toEqual(entries);
      expect(await store.loadWindow(session, { fromLastCompactBoundary: true })).toEqual({ entries: entries.slice(1), start: 1, length: 3 });
      expect(await store.listSubkeys(session)).toEqual(['subagents/a']);
      const [summary] = await store.listSessionSummaries('proj');
      expect(summary?.data.customTitle).toBe('R3');
      expect((await store.listSessions('proj'))[0]?.mtime).toBe(summary?.mtime);
      await expect(store.appendIf(session, [entry('x')], { expectedLength: 1 })).rejects.toBeInstanceOf(SessionConflictError);
      const lease = await store.acquireLease(session, { holder: 'w', ttlMs: 5000 });
      expect(Number.isSafeInteger(lease.token)).toBe(true);
      await store.appendIf(session, [entry('leased')], { lease });
      const target = randomUUID();
      await store.fork(session, target);
      expect(await store.load({ projectKey: 'proj', sessionId: target })).toHaveLength(4);
    } finally {
      resp3.destroy();
    }
  });

  it('serves concurrent first calls of a store that connects by URL', async () => {
    const prefix = takePrefix('url');
    const store = new RedisSessionStore({ url: SHARED_REDIS_URL }, { prefix });
    try {
      const keys = Array.from({ length: 8 }, () => key());
      await Promise.all(keys.map((sessionKey, index) => store.append(sessionKey, [entry(`first call ${index}`)])));
      const loaded = await Promise.all(keys.map((sessionKey) => store.load(sessionKey)));
      expect(loaded.map((entries) => entries?.length)).toEqual(keys.map(() => 1));
    } finally {
      await store.close();
    }
  });

  it('fails with StoreUnavailableError when the server cannot be reached', async () => {
    const store = new RedisSessionStore({ url: 'redis://127.0.0.1:1' }, { commandTimeoutMs: 300 });
    const started = Date.now();
    await expect(store.load(key())).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - started).toBeLessThan(2000);
    await store.close();
  });
});
