/**
 * A SessionStore on PostgreSQL. Explicit list, reviewed.
 *
 * @module @sdk/store-postgres
 */
export { PostgresSessionStore } from './postgres-session-store.js';
export type { PostgresSessionStoreOptions } from './postgres-session-store.js';
export type { PostgresConnectionOptions } from './pg-connection.js';
export { migrate } from './migrate.js';
export type { MigrateOptions, MigrateResult } from './migrate.js';
export { SCHEMA_VERSION } from './migrations.js';
export { deleteExpiredSessions } from './cleanup.js';
export type { DeleteExpiredOptions, DeleteExpiredResult } from './cleanup.js';
export { DEFAULT_SCHEMA } from './schema-name.js';
