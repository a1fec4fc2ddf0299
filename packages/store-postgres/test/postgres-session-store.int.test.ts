import { randomUUID } from 'node:crypto';
import { EntryTooLargeError, SessionConflictError, SessionStoreError, StoreUnavailableError } from '@sdk/core/store';
import type { SessionKey, SessionStoreEntry } from '@sdk/core/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteExpiredSessions, PostgresSessionStore } from '../src/index.js';
import { connectionString, freshSchema, testPool } from './postgres-server.js';

const pool = testPool();
let schema: string;
let drop: () => Promise<void>;

beforeAll(async () => {
  ({ schema, drop } = await freshSchema(pool, 'store'));
});
afterAll(async () => {
  await drop();
  await pool.end();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const newKey = (projectKey = `p-${randomUUID().slice(0, 8)}`): SessionKey => ({ projectKey, sessionId: randomUUID() });
const message = (text: string): SessionStoreEntry => ({ type: 'user', uuid: randomUUID(), message: { role: 'user', content: text } });

describe('PostgresSessionStore', () => {
  it('constructing touches nothing; the first call on an unreachable server rejects with StoreUnavailableError', async () => {
    const store = new PostgresSessionStore({ connectionString: 'postgres://user@127.0.0.1:1/none' }, { queryTimeoutMs: 2000 });
    await expect(store.load(newKey())).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.append(newKey(), [message('hi')])).rejects.toBeInstanceOf(StoreUnavailableError);
    await store.close();
  });

  it('close() leaves a pool passed in open, and ends a pool it created', async () => {
    const mine = testPool(2);
    const borrowed = new PostgresSessionStore({ pool: mine }, { schema });
    const key = newKey();
    await borrowed.append(key, [message('a')]);
    await borrowed.close();
    expect((await mine.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    expect(mine.ended).toBe(false);
    await mine.end();

    const owned = new PostgresSessionStore({ connectionString: connectionString() }, { schema });
    expect(await owned.load(key)).toHaveLength(1);
    await owned.close();
    expect(owned.pool.ended).toBe(true);
    await expect(owned.load(key)).rejects.toBeInstanceOf(SessionStoreError);
  });

  it('keeps entries as jsonb you can query, and entries jsonb cannot hold as text', async () => {
    const store = new PostgresSessionStore({ pool }, { schema });
    const key = newKey();
    const entries: SessionStoreEntry[] = [
      message("'); DROP TABLE entries; --"),
      { type: 'user', uuid: randomUUID(), text: 'NUL \u0000 inside' },
      { type: 'assistant', uuid: randomUUID(), text: 'lone surrogate \ud800' },
      { type: 'assistant', uuid: randomUUID(), text: 'an escaped backslash \\u0000 is not NUL' },
    ];
    await store.append(key, entries);
    expect(await store.load(key)).toEqual(JSON.parse(JSON.stringify(entries)));
    const { rows } = await pool.query<{ seq: string; kind: string | null; text: boolean }>(
      `SELECT e.seq, e.entry->>'type' AS kind, e.entry_text IS NOT NULL AS text
       FROM "${schema}".entries e JOIN "${schema}".transcripts t ON t.id = e.transcript_id
       WHERE t.project_key = $1 AND t.session_id = $2 ORDER BY e.seq`,
      [key.projectKey, key.sessionId],
    );
    expect(rows).toEqual([
      { seq: '0', kind: 'user', text: false },
      { seq: '1', kind: null, text: true },
      { seq: '2', kind: null, text: true },
      // A false positive of the jsonb check: kept as text, still loaded back exactly.
      { seq: '3', kind: null, text: true },
    ]);
    const summary = await pool.query<{ first: string }>(
      `SELECT summary->>'firstPrompt' AS first FROM "${schema}".sessions WHERE session_id = $1`,
      [key.sessionId],
    );
    expect(summary.rows[0]?.first).toBe("'); DROP TABLE entries; --");
  });

  it('a retried appendIf whose batch landed already reports it skipped, not as a conflict', async () => {
    const store = new PostgresSessionStore({ pool }, { schema });
    const key = newKey();
    const batch = [message('one'), message('two')];
    expect(await store.appendIf(key, batch, { expectedLength: 0 })).toEqual({ appended: 2, skipped: 0, length: 2 });
    expect(await store.appendIf(key, batch, { expectedLength: 0 })).toEqual({ appended: 0, skipped: 2, length: 2 });
    // A batch with anything new is still held to its condition.
    await expect(store.appendIf(key, [...batch, message('three')], { expectedLength: 0 })).rejects.toBeInstanceOf(SessionConflictError);
    expect(await store.load(key)).toHaveLength(2);
  });

  it('refuses an entry over maxEntryBytes before writing anything', async () => {
    const store = new PostgresSessionStore({ pool }, { schema, maxEntryBytes: 1000 });
    const key = newKey();
    await expect(store.append(key, [message('ok'), message('x'.repeat(2000))])).rejects.toBeInstanceOf(EntryTooLargeError);
    expect(await store.load(key)).toBeNull();
  });

  it('four stores on four pools racing appendIf on one session lose no entry and store none twice', async () => {
    const pools = Array.from({ length: 4 }, () => testPool(3));
    const stores = pools.map((each) => new PostgresSessionStore({ pool: each }, { schema }));
    const key = newKey();
    let conflicts = 0;
    try {
      await Promise.all(
        stores.map(async (store, worker) => {
          for (let index = 0; index < 15; index++) {
            const entry = message(`worker ${worker} entry ${index}`);
            for (;;) {
              const length = (await store.load(key))?.length ?? 0;
              try {
                await store.appendIf(key, [entry], { expectedLength: length });
                break;
              } catch (error) {
                if (!(error instanceof SessionConflictError)) throw error;
                conflicts++;
              }
            }
          }
        }),
      );
    } finally {
      await Promise.all(pools.map((each) => each.end()));
    }
    const loaded = (await new PostgresSessionStore({ pool }, { schema }).load(key))!;
    expect(loaded).toHaveLength(60);
    expect(new Set(loaded.map((entry) => entry.uuid)).size).toBe(60);
    const { rows } = await pool.query<{ count: string; max: string }>(
      `SELECT count(*) AS count, max(seq) AS max FROM "${schema}".entries e JOIN "${schema}".transcripts t ON t.id = e.transcript_id
       WHERE t.session_id = $1`,
      [key.sessionId],
    );
    expect(rows[0]).toEqual({ count: '60', max: '59' });
    // Four writers on one session must have collided at least once, or the test proved nothing.
    expect(conflicts).toBeGreaterThan(0);
  });

  it('ttlMs expires a session that is not written to, and deleteExpiredSessions reclaims its rows', async () => {
    const store = new PostgresSessionStore({ pool }, { schema, ttlMs: 300 });
    const lasting = new PostgresSessionStore({ pool }, { schema });
    const projectKey = `p-${randomUUID().slice(0, 8)}`;
    const expiring = newKey(projectKey);
    const kept = newKey(projectKey);
    await store.append(expiring, [message('soon gone')]);
    await store.append({ ...expiring, subpath: 'subagents/agent-a' }, [message('sub')]);
    await lasting.append(kept, [message('stays')]);
    const lease = await lasting.acquireLease(kept, { holder: 'w', ttlMs: 100 });
    await sleep(600);
    expect(await store.load(expiring)).toBeNull();
    expect((await store.listSessions(projectKey)).map((listing) => listing.sessionId)).toEqual([kept.sessionId]);
    // Still on disk until the cleanup runs.
    const before = await pool.query(`SELECT 1 FROM "${schema}".sessions WHERE session_id = $1`, [expiring.sessionId]);
    expect(before.rowCount).toBe(1);
    const removed = await deleteExpiredSessions(pool, { schema, batchSize: 1 });
    expect(removed.sessions).toBeGreaterThanOrEqual(1);
    expect(removed.leases).toBeGreaterThanOrEqual(1);
    for (const table of ['sessions', 'transcripts']) {
      const after = await pool.query(`SELECT 1 FROM "${schema}".${table} WHERE session_id = $1`, [expiring.sessionId]);
      expect(after.rowCount).toBe(0);
    }
    const leases = await pool.query(`SELECT 1 FROM "${schema}".leases WHERE session_id = $1 AND token = $2`, [kept.sessionId, lease.token]);
    expect(leases.rowCount).toBe(0);
    expect(await lasting.load(kept)).toHaveLength(1);
  });

  it('deleting the last subkey of a session without a main transcript leaves no row behind', async () => {
    const store = new PostgresSessionStore({ pool }, { schema });
    const key = newKey();
    const sub = { ...key, subpath: 'subagents/agent-b' };
    await store.append(sub, [message('only a subkey')]);
    await store.delete(sub);
    const { rowCount } = await pool.query(`SELECT 1 FROM "${schema}".sessions WHERE session_id = $1`, [key.sessionId]);
    expect(rowCount).toBe(0);
  });

  it('works without named prepared statements (for poolers that cannot keep them)', async () => {
    const store = new PostgresSessionStore({ pool }, { schema, preparedStatements: false });
    const key = newKey();
    const entries = [message('one'), message('two')];
    await store.append(key, entries);
    expect((await store.appendIf(key, [message('three')], { expectedLength: 2 })).length).toBe(3);
    expect((await store.load(key))?.slice(0, 2)).toEqual(entries);
  });

  it('rejects options that are not positive integers', () => {
    expect(() => new PostgresSessionStore({ pool }, { ttlMs: -1 })).toThrow(SessionStoreError);
    expect(() => new PostgresSessionStore({ pool }, { queryTimeoutMs: 0 })).toThrow(SessionStoreError);
    expect(() => new PostgresSessionStore({ pool }, { maxEntryBytes: 1.5 })).toThrow(SessionStoreError);
  });
});
