import { userInfo } from 'node:os';
import pg from 'pg';
import { migrate } from '../src/index.js';

/** The shared server every test uses; tests fail (never skip) when it is down. */
export const PG_URL = process.env.PG_URL ?? 'postgres://127.0.0.1:5432/test';

/**
 * The connection settings of the shared server. node-postgres takes the role from `USER`, which a
 * CI shell may not set.
 */
export function poolConfig(): pg.PoolConfig {
  return { connectionString: connectionString() };
}

/** {@link PG_URL} with a role: node-postgres lets a connection string's missing user override `user`. */
export function connectionString(): string {
  const url = new URL(PG_URL);
  if (url.username === '') url.username = process.env.PGUSER || process.env.USER || userInfo().username;
  return url.href;
}

/** A schema name no other test file or run uses. */
export function uniqueSchema(label: string): string {
  return `test_${label}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

/** A pool on the shared server, for tests to hand to stores and to inspect tables with. */
export function testPool(max = 10): pg.Pool {
  const pool = new pg.Pool({ ...poolConfig(), max });
  pool.on('error', () => undefined);
  return pool;
}

/** A fresh, migrated schema; `drop` removes it with everything in it. */
export async function freshSchema(pool: pg.Pool, label: string): Promise<{ schema: string; drop: () => Promise<void> }> {
  const schema = uniqueSchema(label);
  await migrate(pool, { schema });
  return {
    schema,
    drop: async () => {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  };
}
