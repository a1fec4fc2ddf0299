// The crash harness's worker (crash-consistency.test.ts). Plain .mjs so it runs on node without a
// TypeScript loader.
//
// Mode `crash` (one process per run): runs one turn (PROMPT, default the tool-using `crash-turn`) with a
// fresh AgentExecutor over a FileSessionStore or RedisSessionStore and SIGKILLs itself at injection
// point KILL_AT (1-based; 0 = never), or at the first point named KILL_AT_NAME. Injection points, in the order the turn reaches them:
// - store: before and after every `acquireLease`, `append` and `appendIf` call;
// - tools: before a tool runs, in the middle of its work (half of its file written), after it returned;
// - stream: at the 1st and 4th `stream_event` of every API call (`includePartialMessages`).
// After every store write returns, the uuids it carried are written to ACK_FILE and fsynced before
// anything else happens ("acknowledged"). Right before the kill, `{"killedAt": <name>}` is written there
// too. A run that reaches the end writes `{"finished": <points>}` and exits 0.
//
// Mode `resume` (one long-lived process): reads one JSON request per stdin line ({sessionId, prompt}),
// runs the turn with `onConflict: 'retry'` (the killed worker's lease must expire first), and writes one
// JSON line per turn ({sessionId, result, error?}). Exits when stdin closes.
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AgentExecutor, createToolRunner } from '@sdk/core';
import { FileSessionStore } from '@sdk/store-file';
import { RedisSessionStore } from '@sdk/store-redis';

const { MODE, PROMPT, KILL_AT_NAME, STORE_KIND, STORE_ROOT, REDIS_URL, STORE_PREFIX, EMULATOR_URL, PROJECT_KEY, SESSION_ID, KILL_AT, ACK_FILE, TOOL_DIR, LEASE_TTL_MS } = process.env;
const MODEL = 'claude-sonnet-4-6';
const killAt = Number(KILL_AT ?? 0);
let reached = 0;
const ackFd = ACK_FILE === undefined ? undefined : openSync(ACK_FILE, 'a');

function record(line) {
  if (ackFd === undefined) return;
  writeSync(ackFd, `${JSON.stringify(line)}\n`);
  fsyncSync(ackFd);
}

/** Injection point: the process dies here when this is the KILL_AT-th point reached. */
function point(name) {
  reached++;
  if (MODE === 'crash' && (KILL_AT_NAME === undefined ? reached === killAt : name === KILL_AT_NAME)) {
    record({ killedAt: name, point: reached });
    process.kill(process.pid, 'SIGKILL');
  }
}

function openStore() {
  if (STORE_KIND === 'file') return new FileSessionStore({ root: STORE_ROOT });
  return new RedisSessionStore({ url: REDIS_URL }, { prefix: STORE_PREFIX, commandTimeoutMs: 3000 });
}

/** The store, with injection points around its writes and acknowledgements after them. */
function instrument(store) {
  const wrapped = new Set(['append', 'appendIf', 'acquireLease']);
  return new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      if (!wrapped.has(property)) return value.bind(target);
      return async (...args) => {
        point(`before ${property}`);
        const result = await value.apply(target, args);
        if (property !== 'acquireLease') {
          const [key, entries] = args;
          record({ ack: entries.map((entry) => entry.uuid).filter((uuid) => uuid !== undefined), subpath: key.subpath ?? null });
        }
        point(`after ${property}`);
        return result;
      };
    },
  });
}

/** `Note` writes a file in two halves; the process may die between them. */
const tools = createToolRunner([
  {
    name: 'Note',
    description: 'Writes a note file.',
    inputSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
    async run(input) {
      await mkdir(TOOL_DIR, { recursive: true });
      const file = join(TOOL_DIR, `${String(input.name)}.txt`);
      await appendFile(file, 'first half;');
      point(`mid-tool ${String(input.name)}`);
      await appendFile(file, 'second half');
      return `noted ${String(input.name)}`;
    },
  },
]);

const instrumentedTools = {
  definitions: () => tools.definitions(),
  async run(toolUse, context) {
    point(`before tool ${String(toolUse.input?.name)}`);
    const outcome = await tools.run(toolUse, context);
    point(`after tool ${String(toolUse.input?.name)}`);
    return outcome;
  },
};

const store = openStore();

if (MODE === 'crash') {
  const executor = new AgentExecutor({ store: instrument(store), clientOptions: { apiKey: 'x', baseURL: EMULATOR_URL } });
  let events = 0;
  let result;
  for await (const message of executor.runTurn({
    session: { projectKey: PROJECT_KEY, sessionId: SESSION_ID },
    prompt: PROMPT ?? 'crash-turn',
    model: MODEL,
    tools: instrumentedTools,
    includePartialMessages: true,
    // A crash worker resuming after another one waits for the dead worker's lease to expire.
    onConflict: 'retry',
    leaseTtlMs: Number(LEASE_TTL_MS ?? 1000),
    retry: { maxRetries: 0 },
  })) {
    if (message.type === 'stream_event') {
      if (message.event.type === 'message_start') events = 0;
      events++;
      if (events === 1 || events === 4) point(`stream event ${events}`);
    }
    if (message.type === 'result') result = message;
  }
  record({ finished: reached, subtype: result?.subtype ?? null });
  if (ackFd !== undefined) closeSync(ackFd);
  if (typeof store.close === 'function') await store.close();
  if (typeof store.flush === 'function') await store.flush();
} else {
  const executor = new AgentExecutor({ store, clientOptions: { apiKey: 'x', baseURL: EMULATOR_URL } });
  for await (const line of createInterface({ input: process.stdin })) {
    const { sessionId, prompt } = JSON.parse(line);
    let result;
    let error;
    try {
      for await (const message of executor.runTurn({
        session: { projectKey: PROJECT_KEY, sessionId },
        prompt,
        model: MODEL,
        tools,
        onConflict: 'retry',
        retry: { maxRetries: 0 },
      })) {
        if (message.type === 'result') result = message;
      }
    } catch (caught) {
      error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
    }
    process.stdout.write(`${JSON.stringify({ sessionId, result, error })}\n`);
  }
  if (typeof store.flush === 'function') await store.flush();
  if (typeof store.close === 'function') await store.close();
}
