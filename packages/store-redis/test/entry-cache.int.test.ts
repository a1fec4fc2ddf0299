import { randomUUID } from 'node:crypto';
import { TranscriptCorruptError } from '@sdk/core/store';
import type { SessionRef, SessionStoreEntry } from '@sdk/core/store';
import { describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../src/index.js';
import { entry, sharedRedisForThisFile } from './redis-servers.js';

// The entry cache of acquireLeaseAndLoad (readOnly): a turn gets exactly what loadWindow returns,
// while Redis sends and the store parses only the entries appended since this store's last load.
const { client, prefix: takePrefix } = sharedRedisForThisFile();

/** Two stores (two workers) on one prefix. */
function twoStores(options: ConstructorParameters<typeof RedisSessionStore>[1] = {}): { a: RedisSessionStore; b: RedisSessionStore; prefix: string } {
  const prefix = takePrefix('cache');
  return { a: new RedisSessionStore({ client }, { prefix, ...options }), b: new RedisSessionStore({ client }, { prefix, ...options }), prefix };
}

const boundary = (): SessionStoreEntry => ({ type: 'system', subtype: 'compact_boundary', uuid: randomUUID(), content: 'Conversation compacted' });
const logKey = (prefix: string, session: SessionRef): string => `{${prefix}:${session.projectKey}:${session.sessionId}}:log`;
const FROM_BOUNDARY = { fromLastCompactBoundary: true } as const;

/** One turn of `store` on `session`: lease and window, `entries` written with the lease released. */
async function turn(store: RedisSessionStore, session: SessionRef, entries: SessionStoreEntry[]) {
  const { lease, loaded } = await store.acquireLeaseAndLoad(session, { holder: 'worker', ttlMs: 10_000 }, FROM_BOUNDARY, { readOnly: true });
  if (entries.length > 0) await store.appendIf(session, entries, { lease, expectedLength: loaded?.length ?? 0, releaseLease: true });
  else await store.releaseLease(lease);
  return loaded;
}

describe('RedisSessionStore entry cache', () => {
  it('loads exactly what loadWindow loads while two workers alternate turns, across compactions', async () => {
    const { a, b } = twoStores();
    const session = { projectKey: 'proj', sessionId: randomUUID() };
    for (let number = 0; number < 30; number++) {
      const store = number % 3 === 0 ? b : a;
      const expected = await b.loadWindow(session, FROM_BOUNDARY);
      const loaded = await turn(store, session, number % 10 === 9 ? [boundary(), entry(`summary ${number}`)] : [entry(`turn ${number}`), entry(`answer ${number}`)]);
      expect(loaded).toEqual(expected);
    }
    const last = await turn(a, session, []);
    expect(last!.start).toBeGreaterThan(0);
    expect(last!.entries[0]).toMatchObject({ subtype: 'compact_boundary' });
  });

  it('serves range windows that start inside or before what it holds', async () => {
    const { a, b } = twoStores();
    const session = { projectKey: 'proj', sessionId: randomUUID() };
    await b.append(session, Array.from({ length: 6 }, (_, index) => entry(`entry ${index}`)));
    for (const window of [{ start: 1 }, { start: 3 }, { start: 0 }, { start: 2, end: 5 }, { start: 4 }, { start: 6 }, { start: 1, end: 2 }]) {
      await b.append(session, [entry('more')]);
      const { lease, loaded } = await a.acquireLeaseAndLoad(session, { holder: 'worker', ttlMs: 10_000 }, window, { readOnly: true });
      await a.releaseLease(lease);
      expect(loaded).toEqual(await b.loadWindow(session, window));
    }
  });

  it('hands out deep-frozen entries, the same objects turn after turn', async () => {
    const { a } = twoStores();
    const session = { projectKey: 'proj', sessionId: randomUUID() };
    await turn(a, session, [entry('one')]);
    const first = (await turn(a, session, [entry('two')]))!;
    const second = (await turn(a, session, []))!;
    expect(Object.isFrozen(first.entries)).toBe(true);
    expect(Object.isFrozen(first.entries[0]!.message)).toBe(true);
    expect(second.entries[0]).toBe(first.entries[0]);
    expect(second.entries).toHaveLength(2);
  });

  it('has Redis send only the entries after those it holds (an early entry rewritten in place is not read again)', async () => {
    const { a, prefix } = twoStores();
    const uncached = new RedisSessionStore({ client }, { prefix, entryCache: false });
    const session = { projectKey: 'proj', sessionId: randomUUID() };
    await turn(a, session, [entry('one'), entry('two')]);
    await turn(a, session, []);
    // Nothing a store writes rewrites an entry: this only shows which entries were sent.
    await client.lSet(logKey(prefix, session), 0, JSON.stringify(entry('rewritten')));
    const cached = await turn(a, session, [entry('three')]);
    expect((cached!.entries[0]!.message as { content: string }).content).toBe('one');
    const fresh = await turn(uncached, session, []);
    expect((fresh!.entries[0]!.message as { content: string }).content).toBe('rewritten');
    expect(Object.isFrozen(fresh!.entries[0])).toBe(false);
  });

  it('reads the whole window again when the last entry it holds changed or the session was recreated', async () => {
    const { a, b, prefix } = twoStores();
    const session = { projectKey: 'proj', sessionId: randomUUID() };
    await turn(a, session, [entry('one'), entry('two')]);
    await turn(a, session, []);
    await client.lSet(logKey(prefix, session), 1, JSON.stringify(entry('replaced')));
    expect((await turn(a, session, []))!.entries.map((loaded) => (loaded.message as { content: string }).content)).toEqual(['one', 'replaced']);
    // Deleted by another worker and written again, longer than before.
    await b.delete(session);
    await b.append(session, [entry('new 1'), entry('new 2'), entry('new 3')]);
    const again = await turn(a, session, []);
    expect(again).toEqual(await b.loadWindow(session, FROM_BOUNDARY));
    await b.delete(session);
    expect(await turn(a, session, [])).toBeNull();
  });

  it('never serves entries of an earlier life of the session: deleted and written again with the same length and last entry (a redacted copy)', async () => {
    const { a, b } = twoStores();
    const session = { projectKey: 'proj', sessionId: randomUUID() };
    const secret = entry('my card number is 4111 1111 1111 1111');
    const last = entry('thanks');
    await turn(a, session, [secret, last]);
    expect(JSON.stringify((await turn(a, session, []))!.entries)).toContain('4111');
    // Another worker redacts the transcript: same uuids, same length, the same last entry.
    await b.delete(session);
    await b.append(session, [{ ...secret, message: { role: 'user', content: '[redacted]' } }, last]);
    const loaded = await turn(a, session, []);
    expect(loaded).toEqual(await b.loadWindow(session, FROM_BOUNDARY));
    expect(JSON.stringify(loaded!.entries)).not.toContain('4111');
    // Its copies are sessions of their own too.
    const copy = { projectKey: 'proj', sessionId: randomUUID() };
    await b.fork(session, copy.sessionId);
    expect(await turn(a, copy, [])).toEqual(await b.loadWindow(copy, FROM_BOUNDARY));
  });

  it('reports a corrupt entry among those appended since, at its index', async () => {
    const { a, prefix } = twoStores();
    const session = { projectKey: 'proj', sessionId: randomUUID() };
    await turn(a, session, [entry('one'), entry('two')]);
    await turn(a, session, []);
    await client.rPush(logKey(prefix, session), '{not json');
    const error = await turn(a, session, []).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TranscriptCorruptError);
    expect((error as TranscriptCorruptError).message).toContain('entry 2');
  });

  it('keeps at most maxSessions sessions, and never a window over maxBytes', async () => {
    const { a, b } = twoStores({ entryCache: { maxSessions: 2, maxBytes: 4096 } });
    const sessions = Array.from({ length: 3 }, () => ({ projectKey: 'proj', sessionId: randomUUID() }));
    for (const session of sessions) await turn(a, session, [entry('x')]);
    for (const session of sessions) expect(await turn(a, session, [])).toEqual(await b.loadWindow(session, FROM_BOUNDARY));
    const big = { projectKey: 'proj', sessionId: randomUUID() };
    await turn(a, big, [entry('y'.repeat(5000))]);
    const loaded = await turn(a, big, []);
    expect(loaded).toEqual(await b.loadWindow(big, FROM_BOUNDARY));
    expect(Object.isFrozen(loaded!.entries[0])).toBe(true);
  });
});
