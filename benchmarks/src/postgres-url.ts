// Where the PostgreSQL benchmarks connect: `PG_URL`, else database `test` on 127.0.0.1.
import { userInfo } from 'node:os';

/** `PG_URL` (default: database `test` on 127.0.0.1) with a role, which node-postgres otherwise takes from `USER`. */
export function pgUrl(): string {
  const url = new URL(process.env.PG_URL ?? 'postgres://127.0.0.1:5432/test');
  if (url.username === '') url.username = process.env.PGUSER || process.env.USER || userInfo().username;
  return url.href;
}
