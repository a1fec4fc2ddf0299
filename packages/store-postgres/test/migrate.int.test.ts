import { SessionStoreError } from '@sdk/core/store';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, PostgresSessionStore, SCHEMA_VERSION } from '../src/index.js';
import { testPool, uniqueSchema } from './postgres-server.js';

const pool = testPool();
const schemas: string[] = [];

function newSchema(label: string): string {
  const schema = uniqueSchema(label);
  schemas.push(schema);
  return schema;
}

afterAll(async () => {
  for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

describe('migrate', () => {
  it('creates the schema and its tables, then applies nothing on a second call', async () => {
    const schema = newSchema('mig');
    expect(await migrate(pool, { schema })).toEqual({ from: 0, to: SCHEMA_VERSION, applied: [1] });
    expect(await migrate(pool, { schema })).toEqual({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
    const { rows } = await pool.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    );
    expect(rows.map((row) => row.table_name)).toEqual(['entries', 'leases', 'schema_migrations', 'sessions', 'transcripts']);
    const versions = await pool.query<{ version: number }>(`SELECT version FROM "${schema}".schema_migrations`);
    expect(versions.rows).toEqual([{ version: 1 }]);
  });

  it('run by eight processes-worth of connections at once, applies each step exactly once', async () => {
    const schema = newSchema('migconc');
    // Separate pools: separate server sessions, as separate processes would have.
    const pools = Array.from({ length: 8 }, () => testPool(1));
    try {
      const results = await Promise.all(pools.map((each) => migrate(each, { schema })));
      expect(results.filter((result) => result.applied.length > 0)).toHaveLength(1);
      expect(results.every((result) => result.to === SCHEMA_VERSION)).toBe(true);
      const versions = await pool.query(`SELECT version FROM "${schema}".schema_migrations`);
      expect(versions.rowCount).toBe(1);
    } finally {
      await Promise.all(pools.map((each) => each.end()));
    }
  });

  it('refuses a schema newer than this release knows', async () => {
    const schema = newSchema('future');
    await migrate(pool, { schema });
    await pool.query(`INSERT INTO "${schema}".schema_migrations (version, description) VALUES (999, 'from the future')`);
    const error = await migrate(pool, { schema }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionStoreError);
    expect((error as Error).message).toContain('version 999');
  });

  it('refuses schema names that would need quoting, before touching the database', async () => {
    for (const schema of ['x"; DROP SCHEMA public; --', 'Upper', '1starts_with_digit', '', 'a'.repeat(64), 'with space']) {
      await expect(migrate(pool, { schema })).rejects.toBeInstanceOf(SessionStoreError);
      expect(() => new PostgresSessionStore({ pool }, { schema })).toThrow(SessionStoreError);
    }
    const { rows } = await pool.query(`SELECT 1 FROM information_schema.schemata WHERE schema_name LIKE 'x"%'`);
    expect(rows).toEqual([]);
  });

  it('a store on a schema never migrated says to run migrate', async () => {
    const store = new PostgresSessionStore({ pool }, { schema: newSchema('absent') });
    const error = await store.listSessions('p').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionStoreError);
    expect((error as Error).message).toContain('migrate(pool');
  });
});
