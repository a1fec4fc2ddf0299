import { assertValidProjectKey, SessionStoreError, StoreUnavailableError } from '@sdk/core';
import type { PostgresSessionStore } from '@sdk/store-postgres';
import { StoreUrlError } from '../cli-errors.js';
import type { OpenedStore } from '../opened-store.js';
import { redactStoreUrl } from '../store-url.js';

/** Our own parameter; the store takes it, node-postgres never sees it. */
const SCHEMA_PARAMETER = 'schema';
/**
 * The parameters node-postgres itself reads from a connection string. Anything else is refused
 * rather than passed on, because node-postgres would silently ignore a misspelt `?shema=`.
 */
const DRIVER_PARAMETERS = new Set(['ssl', 'sslmode', 'sslcert', 'sslkey', 'sslrootcert', 'sslnegotiation', 'uselibpqcompat', 'application_name', 'options', 'host']);
/** SQLSTATEs of a missing schema or table: the database was never migrated. */
const NOT_MIGRATED = new Set(['3F000', '42P01']);

/**
 * `postgres://[user[:password]@]host[:port]/database[?schema=name]` (and `postgresql://`): a
 * `PostgresSessionStore`. User, password, database and TLS settings are node-postgres's (`PGUSER`
 * and the other `PG*` variables fill in what the URL leaves out); `schema` defaults to
 * `claude_sessions`.
 *
 * Opening reads the schema's version and, only when the tables are missing or older than this
 * release, runs the store's `migrate` (versioned, safe when several processes open at once). So
 * `migrate --to postgres://…` works on an empty database, and a database already migrated is
 * only read: a role without CREATE can list and inspect it.
 */
export async function openPostgresStore(url: URL, text: string): Promise<OpenedStore> {
  const displayUrl = redactStoreUrl(text);
  for (const name of url.searchParams.keys()) {
    if (name !== SCHEMA_PARAMETER && !DRIVER_PARAMETERS.has(name)) {
      throw new StoreUrlError(
        `unknown parameter "${name}" in ${JSON.stringify(displayUrl)}: PostgreSQL store URLs accept ${[SCHEMA_PARAMETER, ...DRIVER_PARAMETERS].join(', ')}`,
      );
    }
  }
  if (!url.hostname && !url.searchParams.has('host')) {
    throw new StoreUrlError(`PostgreSQL store URL ${JSON.stringify(displayUrl)} names no host: expected postgres://user@host:port/database`);
  }
  // Loaded on first use: commands on other stores need not load node-postgres.
  const { DEFAULT_SCHEMA, migrate, PostgresSessionStore, SCHEMA_VERSION } = await import('@sdk/store-postgres');
  const schema = url.searchParams.get(SCHEMA_PARAMETER) ?? DEFAULT_SCHEMA;
  const connectionUrl = new URL(url.toString());
  connectionUrl.searchParams.delete(SCHEMA_PARAMETER);
  let store: PostgresSessionStore;
  try {
    store = new PostgresSessionStore({ connectionString: connectionUrl.toString(), max: 4 }, { schema });
  } catch (error) {
    throw new StoreUrlError(`invalid schema in ${JSON.stringify(displayUrl)}: ${(error as Error).message}`);
  }
  try {
    if ((await schemaVersion(store, schema, displayUrl)) !== SCHEMA_VERSION) await migrate(store.pool, { schema });
  } catch (error) {
    await store.close().catch(() => undefined);
    throw error;
  }
  return {
    store,
    displayUrl,
    async listProjects() {
      const { rows } = await query<{ project_key: string }>(
        store,
        displayUrl,
        `SELECT DISTINCT project_key FROM "${schema}".sessions
         WHERE mtime IS NOT NULL AND (expires_at IS NULL OR expires_at > clock_timestamp()) ORDER BY project_key`,
      );
      return rows.map((row) => row.project_key).filter(isProjectKey);
    },
    close: () => store.close(),
  };
}

/** The version recorded in the schema, 0 when it has none yet. Also proves the server answers. */
async function schemaVersion(store: PostgresSessionStore, schema: string, displayUrl: string): Promise<number> {
  try {
    const { rows } = await query<{ version: number | null }>(store, displayUrl, `SELECT max(version) AS version FROM "${schema}".schema_migrations`);
    return rows[0]?.version ?? 0;
  } catch (error) {
    if (NOT_MIGRATED.has(sqlState((error as Error).cause) ?? '')) return 0;
    throw error;
  }
}

async function query<R extends Record<string, unknown>>(store: PostgresSessionStore, displayUrl: string, text: string): Promise<{ rows: R[] }> {
  try {
    return await store.pool.query<R>(text);
  } catch (error) {
    const code = sqlState(error);
    const message = error instanceof Error ? error.message || error.name : String(error);
    // Server errors carry a five-character SQLSTATE; connection class 08, resources 53, shutdown
    // 57P0x and authentication 28 mean the server cannot be used; sockets fail with Node codes.
    if (code === undefined || /^(08|28|53|57P0)/.test(code)) {
      throw new StoreUnavailableError(`cannot reach PostgreSQL at ${displayUrl}: ${message}`, { cause: error });
    }
    throw new SessionStoreError(`PostgreSQL at ${displayUrl}: ${message} (${code})`, { cause: error });
  }
}

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('E') ? code : undefined;
}

function isProjectKey(name: string): boolean {
  try {
    assertValidProjectKey(name);
    return true;
  } catch {
    return false;
  }
}
