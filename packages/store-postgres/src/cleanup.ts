import { SessionStoreError } from '@sdk/core/store';
import type { Pool } from 'pg';
import { toStoreError } from './pg-errors.js';
import { assertValidSchemaName, DEFAULT_SCHEMA, tableName } from './schema-name.js';

/** Options of {@link deleteExpiredSessions}. */
export type DeleteExpiredOptions = {
  /** The store's schema. @default 'claude_sessions' */
  schema?: string;
  /** Sessions deleted per statement, so no statement holds many locks for long. @default 500 */
  batchSize?: number;
};

/** What {@link deleteExpiredSessions} removed. */
export type DeleteExpiredResult = {
  /** Expired sessions deleted, each with its transcripts, subkeys and entries. */
  sessions: number;
  /** Expired leases deleted. */
  leases: number;
};

/**
 * Deletes the sessions whose `expires_at` has passed, with everything under them, and expired
 * leases. Expired sessions are already invisible to every read; this reclaims their space. Run it
 * periodically (a cron job, `pg_cron`, or a timer in one worker); running it from several places at
 * once is safe. Sessions being written at that moment are skipped (`SKIP LOCKED`), not waited for:
 * the write itself replaces an expired session, or the next run removes it.
 *
 * A holder whose expired lease was deleted is refused as `not-held` instead of `expired`.
 */
export async function deleteExpiredSessions(pool: Pool, options: DeleteExpiredOptions = {}): Promise<DeleteExpiredResult> {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  assertValidSchemaName(schema);
  const batchSize = options.batchSize ?? 500;
  if (!Number.isSafeInteger(batchSize) || batchSize <= 0) {
    throw new SessionStoreError(`batchSize must be a positive integer, got ${String(batchSize)}`);
  }
  const sessions = tableName(schema, 'sessions');
  const leases = tableName(schema, 'leases');
  try {
    let deleted = 0;
    for (;;) {
      const result = await pool.query(
        `DELETE FROM ${sessions} s
         USING (SELECT project_key, session_id FROM ${sessions}
                WHERE expires_at <= clock_timestamp() LIMIT $1 FOR UPDATE SKIP LOCKED) expired
         WHERE s.project_key = expired.project_key AND s.session_id = expired.session_id`,
        [batchSize],
      );
      deleted += result.rowCount ?? 0;
      if ((result.rowCount ?? 0) < batchSize) break;
    }
    const leaseResult = await pool.query(`DELETE FROM ${leases} WHERE expires_at <= clock_timestamp()`);
    return { sessions: deleted, leases: leaseResult.rowCount ?? 0 };
  } catch (error) {
    throw toStoreError(error, 'deleteExpiredSessions', schema);
  }
}
