import { SessionStoreError, StoreUnavailableError } from '@sdk/core/store';

/**
 * SQLSTATE classes and codes that mean the server cannot be used right now: connection exceptions
 * (08), insufficient resources (53), operator intervention such as a shutdown (57P01-57P03).
 */
const UNAVAILABLE_CODES = /^(08|53|57P0[123])/;
/** The schema or a table is missing: the database was not migrated. */
const NOT_MIGRATED_CODES = new Set(['3F000', '42P01']);

/** Turns anything node-postgres throws into a store error; `operation` names the failed call. */
export function toStoreError(error: unknown, operation: string, schema: string): SessionStoreError {
  if (error instanceof SessionStoreError) return error;
  const code = typeof (error as { code?: unknown } | null)?.code === 'string' ? (error as { code: string }).code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  // Server errors carry a five-character SQLSTATE; socket errors carry Node codes like ECONNREFUSED.
  const serverError = code !== undefined && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith('E');
  if (serverError && NOT_MIGRATED_CODES.has(code)) {
    return new SessionStoreError(
      `PostgreSQL ${operation} failed: ${message}. Run migrate(pool, { schema: '${schema}' }) before using the store`,
      { cause: error },
    );
  }
  if (serverError && !UNAVAILABLE_CODES.test(code)) {
    return new SessionStoreError(`PostgreSQL ${operation} failed: ${message} (${code})`, { cause: error });
  }
  return new StoreUnavailableError(`PostgreSQL ${operation} failed: ${message}`, { cause: error });
}
