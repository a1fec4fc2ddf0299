// A long-lived worker process for redis-distributed.int.test.ts and benchmarks/src/scale.bench.ts:
// reads one JSON turn request per stdin line ({sessionId, prompt, onConflict?, direct?, historyTurns?}),
// runs it with the process's AgentExecutor over a RedisSessionStore that owns its own connection (or,
// with `direct`, as the streaming request such a turn sends, with `historyTurns` earlier exchanges,
// made directly without a store: direct-call.mjs), and writes one JSON line per turn ({pid,
// sessionId, result, ms, conflicts, error?}). Exits when stdin closes. Plain .mjs so it runs on node
// without a TypeScript loader.
import { createInterface } from 'node:readline';
import { AgentExecutor } from '@sdk/core';
import { RedisSessionStore } from '@sdk/store-redis';
import { directCall } from './direct-call.mjs';

const { REDIS_URL, STORE_PREFIX, EMULATOR_URL, PROJECT_KEY, MODEL } = process.env;
const store = new RedisSessionStore({ url: REDIS_URL }, { prefix: STORE_PREFIX });
// Counts the turns the executor reruns because another worker was running a turn of the session.
let conflicts = 0;
const logger = { debug: (message) => (message.startsWith('session busy') ? conflicts++ : undefined) };
// One executor for every turn, as a worker process would run it (it keeps nothing between turns).
// The direct calls go through the executor's own client: both paths share one transport and its
// connections, and pay their set-up once.
const executor = new AgentExecutor({ store, logger, clientOptions: { apiKey: 'x', baseURL: EMULATOR_URL } });
const client = executor.client;
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const { sessionId, prompt, onConflict, direct, historyTurns } = JSON.parse(line);
  const started = performance.now();
  const before = conflicts;
  let result;
  let error;
  try {
    if (direct) {
      result = await directCall(client, { model: MODEL, prompt, historyTurns });
    } else {
      const request = { session: { projectKey: PROJECT_KEY, sessionId }, prompt, model: MODEL };
      if (onConflict !== undefined) request.onConflict = onConflict;
      for await (const message of executor.runTurn(request)) {
        if (message.type === 'result') result = message;
      }
    }
  } catch (caught) {
    error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
  }
  const ms = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ pid: process.pid, sessionId, result, ms, conflicts: conflicts - before, error })}\n`);
}
await store.close();
