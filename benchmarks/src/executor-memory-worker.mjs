// Child process of executor.bench.ts: one worker running one-turn sessions against the emulator in
// the parent, so its RSS is the executor's alone (not the emulator's, not the bench's samples).
// Plain .mjs on plain node, so no TypeScript loader sits in the memory measured (as in production).
// With `direct` as the mode, the same worker makes the same calls with the same @anthropic-ai/sdk
// client (the executor's own, same transport), no executor: the floor, what the HTTP client and the
// runtime grow by themselves.
//
//   node --expose-gc executor-memory-worker.mjs <emulator url> <checkpoint,...> [executor|direct]
//
// Prints one JSON line: [{ sessions, rss, heapUsed, heapTotal, external }, …], one per checkpoint
// (rss: the settled reading, see below).
import { randomUUID } from 'node:crypto';
import { AgentExecutor } from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';

const [url, checkpointList, mode = 'executor'] = process.argv.slice(2);
const gc = globalThis.gc;
if (url === undefined || checkpointList === undefined || gc === undefined) {
  throw new Error('usage: node --expose-gc executor-memory-worker.mjs <emulator url> <checkpoint,...> [executor|direct]');
}

const store = new InMemorySessionStore();
const executor = new AgentExecutor({ store, clientOptions: { apiKey: 'x', baseURL: url } });

async function directCall() {
  const stream = await executor.client.beta.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 8192, messages: [{ role: 'user', content: 'hello' }], stream: true });
  for await (const _event of stream) {
    // drain
  }
}

async function executorTurn() {
  const session = { projectKey: 'bench-executor', sessionId: randomUUID() };
  for await (const _message of executor.runTurn({ session, prompt: 'hello', model: 'claude-sonnet-4-6', cwd: '/bench' })) {
    // drain
  }
  await store.delete(session);
}

const points = [];
let done = 0;
for (const target of checkpointList.split(',').map(Number)) {
  const worker = async () => {
    while (done < target) {
      done++;
      await (mode === 'direct' ? directCall() : executorTurn());
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  // Two full GCs around a pause, so finalizers and idle sockets are gone before reading.
  gc();
  await new Promise((resolve) => setTimeout(resolve, 100));
  gc();
  const usage = process.memoryUsage();
  // V8's helper threads unmap freed pages for a while after a GC, so one reading lands anywhere in
  // a 10–30 MiB band. The settled RSS is the lowest of 20 readings over the next second: what the
  // process keeps, not what it is still giving back.
  let rss = usage.rss;
  for (let reading = 0; reading < 20; reading++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    rss = Math.min(rss, process.memoryUsage.rss());
  }
  points.push({ sessions: done, rss, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, external: usage.external });
}
process.stdout.write(`${JSON.stringify(points)}\n`);
