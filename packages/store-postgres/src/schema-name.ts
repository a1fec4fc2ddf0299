import { SessionStoreError } from '@sdk/core/store';

/** The schema used when none is given. */
export const DEFAULT_SCHEMA = 'claude_sessions';

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Throws `SessionStoreError` unless `schema` is an unquoted-style PostgreSQL identifier: lower-case
 * letters, digits and `_`, not starting with a digit, at most 63 characters (PostgreSQL's limit).
 * Identifiers cannot be bound as query parameters, so the name is checked instead of escaped.
 */
export function assertValidSchemaName(schema: string): void {
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema)) {
    throw new SessionStoreError(
      `schema ${JSON.stringify(schema)} must be lower-case letters, digits and '_' (not starting with a digit), at most 63 characters`,
    );
  }
}

/** The quoted, schema-qualified name of `table`. */
export function tableName(schema: string, table: string): string {
  return `"${schema}"."${table}"`;
}
