// Worker process of scale.bench.ts for @sdk/store-file: the protocol of
// packages/e2e/test/support/redis-executor-worker.mjs (one JSON turn request per stdin line:
// {sessionId, prompt, onConflict?, direct?, historyTurns?}; one JSON reply per line: {pid, sessionId, result, ms,
// conflicts, error?}), with a FileSessionStore on the root every worker shares (STORE_ROOT), as
// processes on one machine would share ~/.claude. Plain .mjs so it runs on node without a loader.
import { createInterface } from 'node:readline';
import { AgentExecutor } from '@sdk/core';
import { FileSessionStore } from '@sdk/store-file';
import { directCall } from '../../packages/e2e/test/support/direct-call.mjs';

const { STORE_ROOT, EMULATOR_URL, PROJECT_KEY, MODEL } = process.env;
const store = new FileSessionStore({ root: STORE_ROOT });
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
await store.flush();
