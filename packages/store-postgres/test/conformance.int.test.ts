import { runStoreConformance } from '@sdk/testing/conformance';
import { afterAll, beforeAll } from 'vitest';
import { migrate, PostgresSessionStore } from '../src/index.js';
import { testPool, uniqueSchema } from './postgres-server.js';

// One schema for the whole run (each test's sessions have their own random ids, so tests stay
// isolated); created before the first test and dropped with everything in it after the last.
const pool = testPool(20);
const schema = uniqueSchema('conf');

beforeAll(async () => {
  await migrate(pool, { schema });
});
afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

runStoreConformance({
  name: 'PostgresSessionStore (127.0.0.1:5432)',
  timeoutMs: 30_000,
  // Construction does not touch the database, so the probe store made while collecting is fine.
  create: () => new PostgresSessionStore({ pool }, { schema }),
});
