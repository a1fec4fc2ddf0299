// A long-lived worker process for postgres-distributed.int.test.ts: reads one JSON turn request per
// stdin line ({sessionId, prompt}), runs it with a fresh AgentExecutor over a PostgresSessionStore
// that owns its own pool, and writes one JSON line per turn ({pid, sessionId, result, ms, conflicts,
// error?}). Exits when stdin closes. Plain .mjs so it runs on node without a TypeScript loader.
import { createInterface } from 'node:readline';
import { AgentExecutor } from '@sdk/core';
import { PostgresSessionStore } from '@sdk/store-postgres';

const { PG_URL, STORE_SCHEMA, EMULATOR_URL, PROJECT_KEY, MODEL } = process.env;
const store = new PostgresSessionStore({ connectionString: PG_URL, max: 2 }, { schema: STORE_SCHEMA });
// Counts the turns the executor reruns because another worker was running a turn of the session.
let conflicts = 0;
const logger = { debug: (message) => (message.startsWith('session busy') ? conflicts++ : undefined) };
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const { sessionId, prompt } = JSON.parse(line);
  const started = performance.now();
  const before = conflicts;
  let result;
  let error;
  try {
    const executor = new AgentExecutor({ store, logger, clientOptions: { apiKey: 'x', baseURL: EMULATOR_URL } });
    for await (const message of executor.runTurn({ session: { projectKey: PROJECT_KEY, sessionId }, prompt, model: MODEL })) {
      if (message.type === 'result') result = message;
    }
  } catch (caught) {
    error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
  }
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ pid: process.pid, sessionId, result, ms, conflicts: conflicts - before, error })}\n`);
}
await store.close();
