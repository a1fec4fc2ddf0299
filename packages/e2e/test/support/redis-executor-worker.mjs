// A long-lived worker process for redis-distributed.int.test.ts: reads one JSON turn request per
// stdin line ({sessionId, prompt}), runs it with a fresh AgentExecutor over a RedisSessionStore that
// owns its own connection, and writes one JSON line per turn ({pid, sessionId, result}). Plain .mjs
// so it runs on node without a TypeScript loader.
import { createInterface } from 'node:readline';
import { AgentExecutor } from '@sdk/core';
import { RedisSessionStore } from '@sdk/store-redis';

const { REDIS_URL, STORE_PREFIX, EMULATOR_URL, PROJECT_KEY, MODEL } = process.env;
const store = new RedisSessionStore({ url: REDIS_URL }, { prefix: STORE_PREFIX });
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const { sessionId, prompt } = JSON.parse(line);
  const executor = new AgentExecutor({ store, clientOptions: { apiKey: 'x', baseURL: EMULATOR_URL } });
  let result;
  for await (const message of executor.runTurn({ session: { projectKey: PROJECT_KEY, sessionId }, prompt, model: MODEL })) {
    if (message.type === 'result') result = message;
  }
  process.stdout.write(`${JSON.stringify({ pid: process.pid, sessionId, result })}\n`);
}
await store.close();
