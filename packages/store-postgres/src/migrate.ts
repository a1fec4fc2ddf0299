import { SessionStoreError } from '@sdk/core/store';
import type { Pool } from 'pg';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { toStoreError } from './pg-errors.js';
import { assertValidSchemaName, DEFAULT_SCHEMA, tableName } from './schema-name.js';

/** Options of {@link migrate}. */
export type MigrateOptions = {
  /** The schema holding the store's tables; created if missing. @default 'claude_sessions' */
  schema?: string;
};

/** What {@link migrate} did. */
export type MigrateResult = {
  /** The schema version before the call; 0 for a fresh schema. */
  from: number;
  /** The schema version after the call. */
  to: number;
  /** The versions this call applied, in order; empty when the schema was current. */
  applied: number[];
};

/** First key of the advisory lock migrations take: "sdk" + "pg" as ASCII, to stay clear of other users' locks. */
const MIGRATION_LOCK_CLASS = 0x73646b70;

/**
 * Creates or upgrades the store's tables in `schema`, in one transaction. Versioned: applied steps
 * are recorded in `<schema>.schema_migrations`, so calling it again applies only what is missing
 * (nothing, usually). Safe when several processes call it at once: they serialize on a transaction
 * advisory lock keyed by the schema name, and each finds what the one before applied.
 *
 * Never called implicitly: run it from a deploy step or at startup, with a role allowed to create
 * tables. Rejects with `SessionStoreError` when the schema is newer than this release knows.
 */
export async function migrate(pool: Pool, options: MigrateOptions = {}): Promise<MigrateResult> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  assertValidSchemaName(schema);
  const S = `"${schema}"`;
  const migrations = tableName(schema, 'schema_migrations');
  let client;
  try {
    client = await pool.connect();
  } catch (error) {
    throw toStoreError(error, 'migrate', schema);
  }
  let broken: unknown;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_LOCK_CLASS, schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${S}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${migrations} (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${migrations}`);
    const from = rows[0]?.version ?? 0;
    if (from > SCHEMA_VERSION) {
      throw new SessionStoreError(`schema ${schema} is at version ${from}, newer than this release of @sdk/store-postgres knows (${SCHEMA_VERSION})`);
    }
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (migration.version <= from) continue;
      for (const statement of migration.statements(S)) await client.query(statement);
      await client.query(`INSERT INTO ${migrations} (version, description) VALUES ($1, $2)`, [migration.version, migration.description]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return { from, to: Math.max(from, SCHEMA_VERSION), applied };
  } catch (error) {
    if (error instanceof SessionStoreError) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    broken = error;
    throw toStoreError(error, 'migrate', schema);
  } finally {
    client.release(broken instanceof Error ? broken : undefined);
  }
}
