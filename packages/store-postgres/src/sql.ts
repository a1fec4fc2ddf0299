import pg from 'pg';
import { tableName } from './schema-name.js';

/** The store clock: the server's, in integer epoch ms (every worker reads the same clock). */
export const NOW_MS = `(floor(extract(epoch from clock_timestamp()) * 1000))::bigint`;

/** A timestamptz column in integer epoch ms. */
export const epochMs = (column: string): string => `(floor(extract(epoch from ${column}) * 1000))::bigint`;

/** True for a session row `s` that has not expired: an expired session reads as absent. */
export const LIVE = `(s.expires_at IS NULL OR s.expires_at > clock_timestamp())`;

/** The stored JSON of an entry row `e`, from whichever column holds it. */
export const ENTRY_JSON = `coalesce(e.entry::text, e.entry_text)`;

/** The statements of one schema, built once per store. */
export function statements(schema: string) {
  const sessions = tableName(schema, 'sessions');
  const transcripts = tableName(schema, 'transcripts');
  const entries = tableName(schema, 'entries');
  const leases = tableName(schema, 'leases');
  const leaseTokens = tableName(schema, 'lease_tokens');
  const transcriptOf = `JOIN ${transcripts} t ON t.project_key = s.project_key AND t.session_id = s.session_id`;
  /**
   * A session's lease and whether it is live; with `FOR SHARE` it stays locked until the transaction
   * ends, so a takeover waits for the write it would fence.
   */
  const leaseOf = (projectKey: string, sessionId: string, lock: '' | 'FOR SHARE'): string =>
    `SELECT holder, token, ${epochMs('expires_at')} AS expires_at, expires_at > clock_timestamp() AS live FROM ${leases}
     WHERE project_key = ${projectKey} AND session_id = ${sessionId} ${lock}`;
  /** Every writer of a session queues on this row lock; writers of other sessions never wait. */
  const lockOf = (projectKey: string, sessionId: string): string =>
    `SELECT 1 FROM ${sessions} WHERE project_key = ${projectKey} AND session_id = ${sessionId} FOR UPDATE`;
  /**
   * What a write checks, as its own statement after the lock is held: a statement that waited for
   * the lock would see joined rows as they were before the previous holder committed.
   */
  const stateOf = (projectKey: string, sessionId: string, subpath: string, uuids: string): string => `
      SELECT s.expires_at IS NOT NULL AND s.expires_at <= clock_timestamp() AS expired,
             coalesce(s.summary::text, s.summary_text) AS summary,
             t.id, t.length, t.last_uuid, t.last_boundary,
             CASE WHEN t.id IS NULL OR cardinality(${uuids}) = 0 THEN NULL ELSE
               (SELECT array_agg(e.uuid) FROM ${entries} e WHERE e.transcript_id = t.id AND e.uuid = ANY(${uuids}))
             END AS existing
      FROM ${sessions} s
      LEFT JOIN ${transcripts} t ON t.project_key = s.project_key AND t.session_id = s.session_id AND t.subpath = ${subpath}
      WHERE s.project_key = ${projectKey} AND s.session_id = ${sessionId}`;
  return {
    /** Locks the session row (values inlined, see `literal`). */
    lockSessionInline: (projectKey: string, sessionId: string): string => lockOf(literal(projectKey), literal(sessionId)),
    /**
     * Locks the session row and reads the transcript's state, with values inlined (see
     * `literal`) so both travel with `BEGIN` in one round trip.
     */
    lockAndReadInline: (projectKey: string, sessionId: string, subpath: string, uuids: readonly string[], withLease: boolean): string =>
      [
        lockOf(literal(projectKey), literal(sessionId)),
        stateOf(literal(projectKey), literal(sessionId), literal(subpath), textArray(uuids)),
        ...(withLease ? [leaseOf(literal(projectKey), literal(sessionId), 'FOR SHARE')] : []),
      ].join('; '),
    lockSession: lockOf('$1', '$2'),
    transcriptState: stateOf('$1', '$2', '$3', '$4::text[]'),
    createSession: `INSERT INTO ${sessions} (project_key, session_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1 AS created`,
    deleteSession: `DELETE FROM ${sessions} WHERE project_key = $1 AND session_id = $2`,
    /** Writes a batch: transcript state, the entries numbered from $7, then the session row. */
    write: `
      WITH t AS (
        INSERT INTO ${transcripts} (project_key, session_id, subpath, length, last_uuid, last_boundary)
        VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (project_key, session_id, subpath) DO UPDATE
          SET length = excluded.length, last_uuid = excluded.last_uuid, last_boundary = excluded.last_boundary
        RETURNING id
      ), e AS (
        INSERT INTO ${entries} (transcript_id, seq, uuid, entry, entry_text)
        SELECT t.id, $7::bigint + x.ord - 1, x.uuid, x.jsonb::jsonb, x.text
        FROM t, unnest($8::text[], $9::text[], $10::text[]) WITH ORDINALITY AS x(uuid, jsonb, text, ord)
      )
      UPDATE ${sessions} SET
        mtime = CASE WHEN $11::boolean THEN greatest(${NOW_MS}, coalesce(mtime, 0)) ELSE mtime END,
        summary = CASE WHEN $11::boolean THEN $12::jsonb ELSE summary END,
        summary_text = CASE WHEN $11::boolean THEN $13::text ELSE summary_text END,
        expires_at = CASE WHEN $14::bigint > 0 THEN clock_timestamp() + $14::bigint * interval '1 millisecond' ELSE expires_at END
      WHERE project_key = $1 AND session_id = $2`,
    load: `
      SELECT ${ENTRY_JSON} AS json
      FROM ${sessions} s ${transcriptOf} AND t.subpath = $3
      JOIN ${entries} e ON e.transcript_id = t.id
      WHERE s.project_key = $1 AND s.session_id = $2 AND ${LIVE}
      ORDER BY e.seq`,
    /** $4: from the last compact boundary; else from $5 up to $6 (null: the end). */
    loadWindow: `
      SELECT t.length, CASE WHEN $4::boolean THEN coalesce(t.last_boundary, 0) ELSE least($5::bigint, t.length) END AS start,
             x.json
      FROM ${sessions} s ${transcriptOf} AND t.subpath = $3
      LEFT JOIN LATERAL (
        SELECT e.seq, ${ENTRY_JSON} AS json FROM ${entries} e
        WHERE e.transcript_id = t.id
          AND e.seq >= CASE WHEN $4::boolean THEN coalesce(t.last_boundary, 0) ELSE $5::bigint END
          AND ($4::boolean OR $6::bigint IS NULL OR e.seq < $6::bigint)
      ) x ON true
      WHERE s.project_key = $1 AND s.session_id = $2 AND ${LIVE}
      ORDER BY x.seq`,
    listSessions: `
      SELECT s.session_id, s.mtime FROM ${sessions} s
      WHERE s.project_key = $1 AND s.mtime IS NOT NULL AND ${LIVE}`,
    listSummaries: `
      SELECT s.session_id, s.mtime, coalesce(s.summary::text, s.summary_text) AS summary FROM ${sessions} s
      WHERE s.project_key = $1 AND s.mtime IS NOT NULL AND ${LIVE}`,
    listSubkeys: `
      SELECT t.subpath FROM ${sessions} s ${transcriptOf}
      WHERE s.project_key = $1 AND s.session_id = $2 AND t.subpath <> '' AND ${LIVE}
      ORDER BY t.subpath`,
    deleteTranscript: `DELETE FROM ${transcripts} WHERE project_key = $1 AND session_id = $2 AND subpath = $3`,
    deleteSessionIfEmpty: `
      DELETE FROM ${sessions} s WHERE s.project_key = $1 AND s.session_id = $2
        AND NOT EXISTS (SELECT 1 FROM ${transcripts} t WHERE t.project_key = $1 AND t.session_id = $2)`,
    /** The source of a fork: its main transcript and, with $3, the position of that uuid. */
    forkSource: `
      SELECT t.id, t.length, t.last_uuid, t.last_boundary, coalesce(s.summary::text, s.summary_text) AS summary,
             (SELECT e.seq FROM ${entries} e WHERE e.transcript_id = t.id AND e.uuid = $3::text) AS upto
      FROM ${sessions} s ${transcriptOf} AND t.subpath = ''
      WHERE s.project_key = $1 AND s.session_id = $2 AND ${LIVE}`,
    /** The entries of transcript $1 below $2, for refolding a partial fork's summary. */
    entriesBelow: `SELECT ${ENTRY_JSON} AS json FROM ${entries} e WHERE e.transcript_id = $1 AND e.seq < $2 ORDER BY e.seq`,
    /** Creates the fork's main transcript and copies the first $7 entries of transcript $6 into it. */
    forkCopy: `
      WITH t AS (
        INSERT INTO ${transcripts} (project_key, session_id, subpath, length, last_uuid, last_boundary)
        VALUES ($1, $2, '', $3, $4, $5) RETURNING id
      )
      INSERT INTO ${entries} (transcript_id, seq, uuid, entry, entry_text)
      SELECT t.id, e.seq, e.uuid, e.entry, e.entry_text FROM t, ${entries} e
      WHERE e.transcript_id = $6 AND e.seq < $7`,
    forkFinish: `
      UPDATE ${sessions} SET mtime = ${NOW_MS}, summary = $3::jsonb, summary_text = $4::text,
        expires_at = CASE WHEN $5::bigint > 0 THEN clock_timestamp() + $5::bigint * interval '1 millisecond' ELSE NULL END
      WHERE project_key = $1 AND session_id = $2`,
    /** $3: ms from now, or null for no expiry. Returns the row when the session is live. */
    expire: `
      UPDATE ${sessions} s SET expires_at = CASE WHEN $3::bigint IS NULL THEN NULL ELSE clock_timestamp() + $3::bigint * interval '1 millisecond' END
      WHERE s.project_key = $1 AND s.session_id = $2 AND ${LIVE}`,
    /** Takes the lease unless a live one exists; the token comes from a sequence, so it only grows. */
    acquireLease: `
      INSERT INTO ${leases} AS l (project_key, session_id, holder, token, expires_at)
      VALUES ($1, $2, $3, nextval('${leaseTokens}'), clock_timestamp() + $4::bigint * interval '1 millisecond')
      ON CONFLICT (project_key, session_id) DO UPDATE
        SET holder = excluded.holder, token = excluded.token, expires_at = excluded.expires_at
        WHERE l.expires_at <= clock_timestamp()
      RETURNING l.token, ${epochMs('l.expires_at')} AS expires_at`,
    /** The current lease of a session and whether it is live. */
    readLease: leaseOf('$1', '$2', ''),
    renewLease: `
      UPDATE ${leases} SET expires_at = clock_timestamp() + $4::bigint * interval '1 millisecond'
      WHERE project_key = $1 AND session_id = $2 AND token = $3 AND expires_at > clock_timestamp()
      RETURNING ${epochMs('expires_at')} AS expires_at`,
    releaseLease: `DELETE FROM ${leases} WHERE project_key = $1 AND session_id = $2 AND token = $3`,
    ping: 'SELECT 1',
  };
}

/** The statements of one schema. */
export type Statements = ReturnType<typeof statements>;

/**
 * Values inlined into statement text, for the statements sent with `BEGIN` in one round trip (the
 * simple query protocol that allows several statements takes no parameters). Keys are validated
 * before (letters, digits, `-`, `_`, `.`, `/`), uuids are checked free of NUL, and every value is
 * escaped with node-postgres's `escapeLiteral` besides.
 */
function literal(value: string): string {
  return pg.escapeLiteral(value);
}

function textArray(values: readonly string[]): string {
  return values.length === 0 ? `'{}'::text[]` : `ARRAY[${values.map(literal).join(', ')}]::text[]`;
}
