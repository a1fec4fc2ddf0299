import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Pool, PoolClient, PoolConfig, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { toStoreError } from './pg-errors.js';

/**
 * How the store reaches PostgreSQL: a `pg.Pool` you created (used as is, never ended by the store),
 * or a connection string plus `pg.PoolConfig`, from which the store creates and owns a pool.
 */
export type PostgresConnectionOptions = { pool: Pool } | ({ connectionString: string } & PoolConfig);

/** A statement: text with `$n` placeholders and its values. */
export type Statement = { text: string; values?: unknown[] };

/** Runs statements through one pool, alone or in a transaction, with a deadline and store errors. */
export class PostgresConnection {
  readonly pool: Pool;
  private readonly owned: boolean;
  private ended = false;

  constructor(
    options: PostgresConnectionOptions,
    private readonly timeoutMs: number,
    private readonly schema: string,
    private readonly prepare: boolean,
  ) {
    if ('pool' in options) {
      this.pool = options.pool;
      this.owned = false;
    } else {
      const pool = new pg.Pool({ connectionTimeoutMillis: timeoutMs, ...options });
      // Without a listener an idle client's socket error would crash the process; the next
      // statement on the pool reports the outage instead.
      pool.on('error', () => undefined);
      this.pool = pool;
      this.owned = true;
    }
  }

  /** One statement outside a transaction. */
  async query<R extends QueryResultRow>(operation: string, statement: Statement): Promise<R[]> {
    try {
      const result = await this.pool.query<R>(this.config(statement));
      return result.rows;
    } catch (error) {
      throw toStoreError(error, operation, this.schema);
    }
  }

  /**
   * Runs `body` in a transaction on one client. Commits when `body` returns, unless it called
   * `discard()` (an outcome that must leave no trace, such as an append with nothing to write); rolls
   * back when it throws.
   *
   * `first`, statements without parameters (their values inlined as escaped literals), are sent
   * with `BEGIN` in the same round trip; `body` gets their rows, one array per statement.
   *
   * A client whose statement failed is discarded, not returned to the pool: after a timeout its
   * statement may still run, and closing the connection makes the server abort the transaction.
   */
  async transaction<T>(
    operation: string,
    body: (run: Transaction, discard: () => void, firstResults: QueryResultRow[][]) => Promise<T>,
    first?: string,
  ): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw toStoreError(error, operation, this.schema);
    }
    let broken: Error | undefined;
    const sendAll = async (statement: Statement): Promise<QueryResultRow[][]> => {
      try {
        // Several statements in one text come back as one result each.
        const result = (await client.query<QueryResultRow>(this.config(statement))) as QueryResult<QueryResultRow> | Array<QueryResult<QueryResultRow>>;
        return Array.isArray(result) ? result.map((each) => each.rows) : [result.rows];
      } catch (error) {
        broken = error instanceof Error ? error : new Error(String(error));
        throw toStoreError(error, operation, this.schema);
      }
    };
    const send = async (statement: Statement): Promise<QueryResultRow[]> => (await sendAll(statement))[0] ?? [];
    const run = send as Transaction;
    try {
      const firstResults = await sendAll({ text: first === undefined ? 'BEGIN' : `BEGIN; ${first}` });
      let discarded = false;
      const outcome = await body(
        run,
        () => {
          discarded = true;
        },
        // The first result is BEGIN's.
        firstResults.slice(1),
      );
      await send({ text: discarded ? 'ROLLBACK' : 'COMMIT' });
      return outcome;
    } catch (error) {
      // Statement failures are store errors already; anything else is the caller's own error.
      if (broken === undefined) await send({ text: 'ROLLBACK' }).catch(() => undefined);
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** node-postgres reads `query_timeout` per query, though its types do not declare it. */
  private config(statement: Statement): QueryConfig {
    const config: QueryConfig & { query_timeout: number } = { text: statement.text, query_timeout: this.timeoutMs };
    if (statement.values !== undefined) {
      config.values = statement.values;
      if (this.prepare) config.name = statementName(statement.text);
    }
    return config;
  }

  /** Ends the pool the store created; a pool passed in stays open. */
  async close(): Promise<void> {
    if (!this.owned || this.ended) return;
    this.ended = true;
    await this.pool.end();
  }
}

const names = new Map<string, string>();

/**
 * The name a statement is prepared under on each connection: parsed and planned once per
 * connection instead of on every call. Derived from the text, so equal texts share a name.
 */
function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `sdk_pg_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    names.set(text, name);
  }
  return name;
}

/** Runs one statement inside the current transaction. */
export type Transaction = <R extends QueryResultRow>(statement: Statement) => Promise<R[]>;
