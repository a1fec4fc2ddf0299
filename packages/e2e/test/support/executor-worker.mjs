// A long-lived worker process for executor-processes.test.ts: reads one JSON turn request per
// stdin line ({prompt}), runs it with a fresh AgentExecutor over a FileSessionStore, and writes
// one JSON line per turn ({pid, result}). Plain .mjs so it runs on node without a TypeScript loader.
import { createInterface } from 'node:readline';
import { AgentExecutor } from '@sdk/core';
import { FileSessionStore } from '@sdk/store-file';

const { STORE_ROOT, EMULATOR_URL, PROJECT_KEY, SESSION_ID, MODEL } = process.env;
const store = new FileSessionStore({ root: STORE_ROOT, durability: 'none' });
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const { prompt } = JSON.parse(line);
  const executor = new AgentExecutor({ store, clientOptions: { apiKey: 'x', baseURL: EMULATOR_URL } });
  let result;
  for await (const message of executor.runTurn({ session: { projectKey: PROJECT_KEY, sessionId: SESSION_ID }, prompt, model: MODEL })) {
    if (message.type === 'result') result = message;
  }
  process.stdout.write(`${JSON.stringify({ pid: process.pid, result })}\n`);
}
