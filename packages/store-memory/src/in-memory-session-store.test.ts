import { randomUUID } from 'node:crypto';
import { inspect } from 'node:util';
import { InvalidSessionKeyError, SessionLeaseError, SessionStoreError } from '@sdk/core/store';
import type { SessionStoreEntry } from '@sdk/core/store';
import { describe, expect, it } from 'vitest';
import { InMemorySessionStore } from './in-memory-session-store.js';

function entry(text: string): SessionStoreEntry {
  return { type: 'user', uuid: randomUUID(), message: { role: 'user', content: text } };
}

/** A clock the test moves by hand. */
function manualClock(start = Date.parse('2026-11-26T00:00:00.000Z')): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return { now: () => time, advance: (ms) => (time += ms) };
}

describe('InMemorySessionStore', () => {
  it('expires sessions on the injected clock, without timers', async () => {
    const clock = manualClock();
    const store = new InMemorySessionStore({ now: clock.now });
    const key = { projectKey: 'p', sessionId: randomUUID() };
    await store.append(key, [entry('hello')]);
    await store.append({ ...key, subpath: 'subagents/agent-a' }, [entry('sub')]);
    await store.expire(key, 60_000);
    clock.advance(59_999);
    expect(await store.load(key)).toHaveLength(1);
    clock.advance(1);
    expect(await store.load(key)).toBeNull();
    expect(await store.load({ ...key, subpath: 'subagents/agent-a' })).toBeNull();
    expect(await store.listSessions('p')).toEqual([]);
    expect(store.size).toBe(0);
  });

  it('times leases on the injected clock', async () => {
    const clock = manualClock();
    const store = new InMemorySessionStore({ now: clock.now });
    const key = { projectKey: 'p', sessionId: randomUUID() };
    const lease = await store.acquireLease(key, { holder: 'worker-1', ttlMs: 1000 });
    expect(lease.expiresAt).toBe(clock.now() + 1000);
    clock.advance(1000);
    await expect(store.appendIf(key, [entry('late')], { lease })).rejects.toMatchObject({ reason: 'expired' });
    const next = await store.acquireLease(key, { holder: 'worker-2', ttlMs: 1000 });
    await expect(store.renewLease(lease, 1000)).rejects.toBeInstanceOf(SessionLeaseError);
    expect(next.token).toBe(lease.token + 1);
  });

  it('stamps mtimes from the injected clock, strictly increasing', async () => {
    const clock = manualClock();
    const store = new InMemorySessionStore({ now: clock.now });
    const first = { projectKey: 'p', sessionId: randomUUID() };
    const second = { projectKey: 'p', sessionId: randomUUID() };
    await store.append(first, [entry('a')]);
    await store.append(second, [entry('b')]);
    const mtimes = new Map((await store.listSessions('p')).map((listing) => [listing.sessionId, listing.mtime]));
    expect(mtimes.get(first.sessionId)).toBe(clock.now());
    expect(mtimes.get(second.sessionId)).toBe(clock.now() + 1);
    const summaries = await store.listSessionSummaries('p');
    expect(summaries.find((summary) => summary.sessionId === second.sessionId)?.mtime).toBe(clock.now() + 1);
  });

  it('has the official helpers: getEntries, size (main transcripts only) and clear', async () => {
    const store = new InMemorySessionStore();
    const key = { projectKey: 'p', sessionId: randomUUID() };
    const entries = [entry('a'), entry('b')];
    await store.append(key, entries);
    await store.append({ ...key, subpath: 'subagents/agent-a' }, [entry('sub')]);
    await store.append({ projectKey: 'q', sessionId: randomUUID() }, [entry('c')]);
    expect(store.getEntries(key)).toEqual(entries);
    expect(store.getEntries({ projectKey: 'p', sessionId: randomUUID() })).toEqual([]);
    expect(store.size).toBe(2);
    store.clear();
    expect(store.size).toBe(0);
    expect(await store.load(key)).toBeNull();
  });

  it('getEntries returns a copy', async () => {
    const store = new InMemorySessionStore();
    const key = { projectKey: 'p', sessionId: randomUUID() };
    await store.append(key, [entry('a')]);
    store.getEntries(key).pop();
    expect(store.getEntries(key)).toHaveLength(1);
  });

  it('validates keys in getEntries too', () => {
    const store = new InMemorySessionStore();
    expect(() => store.getEntries({ projectKey: '..', sessionId: randomUUID() })).toThrow(InvalidSessionKeyError);
  });

  it('prints only its class name and size', async () => {
    const store = new InMemorySessionStore();
    await store.append({ projectKey: 'p', sessionId: randomUUID() }, [entry('a secret prompt')]);
    expect(JSON.stringify(store)).toBe('{"store":"InMemorySessionStore","size":1}');
    expect(inspect(store)).toBe('InMemorySessionStore { size: 1 }');
  });

  it('keeps project keys that name Object.prototype members apart', async () => {
    const store = new InMemorySessionStore();
    const sessionId = randomUUID();
    for (const projectKey of ['__proto__', 'constructor', 'hasOwnProperty', 'toString']) {
      await store.append({ projectKey, sessionId }, [entry(projectKey)]);
    }
    expect(await store.listSessions('__proto__')).toEqual([{ sessionId, mtime: expect.any(Number) as number }]);
    expect(store.size).toBe(4);
    expect(({} as Record<string, unknown>)[sessionId]).toBeUndefined();
  });

  it('rejects entries that are not objects with a string type, appending nothing', async () => {
    const store = new InMemorySessionStore();
    const key = { projectKey: 'p', sessionId: randomUUID() };
    for (const bad of [null, 'text', { uuid: randomUUID() }, { type: 7 }]) {
      await expect(store.append(key, [entry('ok'), bad as SessionStoreEntry])).rejects.toBeInstanceOf(SessionStoreError);
    }
    await expect(store.append(key, 'not an array' as unknown as SessionStoreEntry[])).rejects.toBeInstanceOf(SessionStoreError);
    await expect(store.append(key, [{ type: 'user', callback: () => undefined }])).rejects.toBeInstanceOf(SessionStoreError);
    expect(await store.load(key)).toBeNull();
  });

  it('rejects values JSON cannot hold (symbols, bigints, cycles) instead of dropping them, appending nothing', async () => {
    const store = new InMemorySessionStore();
    const key = { projectKey: 'p', sessionId: randomUUID() };
    const cyclic: Record<string, unknown> = { type: 'user' };
    cyclic.self = cyclic;
    for (const bad of [{ type: 'user', tag: Symbol('x') }, { type: 'user', count: 1n }, cyclic]) {
      await expect(store.append(key, [entry('ok'), bad as SessionStoreEntry])).rejects.toBeInstanceOf(SessionStoreError);
    }
    expect(await store.load(key)).toBeNull();
  });

  it('stores exactly what a JSON round trip of an entry gives', async () => {
    const store = new InMemorySessionStore();
    const key = { projectKey: 'p', sessionId: randomUUID() };
    class Point {
      constructor(readonly x: number) {}
    }
    const inherited = Object.create({ inheritedField: 'left out' }) as Record<string, unknown>;
    inherited.own = 'kept';
    let deep: unknown = 'leaf';
    for (let depth = 0; depth < 200; depth++) deep = depth % 2 === 0 ? [deep] : { nested: deep };
    // Plain data (copied directly), then one entry per value only JSON itself can answer for.
    const odd: SessionStoreEntry = {
      type: 'user',
      uuid: randomUUID(),
      negativeZero: -0,
      missing: undefined,
      // eslint-disable-next-line no-sparse-arrays
      holes: [1, , undefined, 3],
      ...(JSON.parse('{"__proto__": {"polluted": true}}') as object),
    };
    const special: SessionStoreEntry[] = [
      { type: 'x', notFinite: [Number.NaN, Number.POSITIVE_INFINITY] },
      { type: 'x', when: new Date('2026-11-26T00:00:00.000Z') },
      { type: 'x', point: new Point(2) },
      { type: 'x', inherited },
      { type: 'x', deep },
      { type: 'x', withToJson: { toJSON: () => 'replaced' } },
    ];
    await store.append(key, [odd, ...special]);
    const loaded = await store.load(key);
    expect(loaded).toEqual([odd, ...special].map((value) => JSON.parse(JSON.stringify(value)) as unknown));
    expect(Object.is(loaded![0]!.negativeZero, 0)).toBe(true);
    expect(Object.hasOwn(loaded![0]!, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('shares its frozen entries with read-only window loads, and gives copies to every other load', async () => {
    const store = new InMemorySessionStore();
    const key = { projectKey: 'p', sessionId: randomUUID() };
    await store.append(key, [entry('a'), entry('b')]);
    const shared = await store.loadWindow(key, { start: 0 }, { readOnly: true });
    expect(Object.isFrozen(shared!.entries[0])).toBe(true);
    expect(Object.isFrozen(shared!.entries[0]!.message)).toBe(true);
    expect(() => {
      (shared!.entries[0] as Record<string, unknown>).type = 'changed';
    }).toThrow(TypeError);
    const copied = await store.loadWindow(key, { start: 0 });
    (copied!.entries[0]!.message as Record<string, unknown>).content = 'changed';
    const loaded = await store.load(key);
    loaded![1]!.type = 'changed';
    expect(await store.load(key)).toEqual(shared!.entries);
    expect(shared!.entries.map((stored) => (stored.message as { content: string }).content)).toEqual(['a', 'b']);
  });

  it('rejects invalid windows, TTLs and lease durations', async () => {
    const store = new InMemorySessionStore();
    const key = { projectKey: 'p', sessionId: randomUUID() };
    await store.append(key, [entry('a')]);
    await expect(store.loadWindow(key, { start: -1 })).rejects.toBeInstanceOf(SessionStoreError);
    await expect(store.loadWindow(key, { start: 0, end: 1.5 })).rejects.toBeInstanceOf(SessionStoreError);
    await expect(store.expire(key, -5)).rejects.toBeInstanceOf(SessionStoreError);
    await expect(store.acquireLease(key, { holder: 'w', ttlMs: 0 })).rejects.toBeInstanceOf(SessionStoreError);
    expect(await store.load(key)).toHaveLength(1);
  });

  it('refuses a lease of another session', async () => {
    const store = new InMemorySessionStore();
    const key = { projectKey: 'p', sessionId: randomUUID() };
    const other = { projectKey: 'p', sessionId: randomUUID() };
    const lease = await store.acquireLease(other, { holder: 'w', ttlMs: 10_000 });
    await expect(store.appendIf(key, [entry('a')], { lease })).rejects.toMatchObject({ reason: 'not-held' });
    expect(await store.load(key)).toBeNull();
  });

  it('keeps lease fencing across delete', async () => {
    const store = new InMemorySessionStore();
    const key = { projectKey: 'p', sessionId: randomUUID() };
    const lease = await store.acquireLease(key, { holder: 'w', ttlMs: 10_000 });
    await store.appendIf(key, [entry('a')], { lease });
    await store.delete(key);
    await expect(store.acquireLease(key, { holder: 'other', ttlMs: 10_000 })).rejects.toMatchObject({ reason: 'held' });
  });
});
