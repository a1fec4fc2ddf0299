// One HTTP endpoint, several worker processes, sessions in Redis. Node's `cluster` module spreads
// incoming connections over the workers (round-robin), as a load balancer would spread requests
// over machines. No worker remembers anything between requests: each turn loads the session from
// Redis, runs, appends, and answers. So any worker serves any turn of any session.
//
//   POST /sessions/<sessionId>/turns   {"prompt": "..."}   →   {"worker": <pid>, "result": "..."}
//
// Real Claude when ANTHROPIC_API_KEY is set, else the project's local Messages API emulator, started
// by the primary process and shared by the workers. Redis: REDIS_URL, default redis://127.0.0.1:6379.
import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { AgentExecutor } from '@sdk/core';
import { RedisSessionStore } from '@sdk/store-redis';
import { startMessagesEmulator } from '@sdk/testing/emulator';

const smoke = process.argv.includes('--smoke');
const WORKERS = smoke ? 3 : Number(process.env.WORKERS ?? 3);
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

if (cluster.isPrimary) await primary();
else await worker();

/** The primary: starts the emulator if needed, forks the workers, and (smoke run) plays a client. */
async function primary(): Promise<void> {
  const env: Record<string, string> = {
    // The smoke run uses its own port and key prefix, so it never meets a running copy of itself.
    PORT: smoke ? '0' : (process.env.PORT ?? '3000'),
    PREFIX: smoke ? `example-redis-workers-${randomUUID()}` : (process.env.PREFIX ?? 'example-redis-workers'),
  };
  const emulator = smoke || !process.env.ANTHROPIC_API_KEY ? await startMessagesEmulator() : undefined;
  if (emulator) {
    env.EMULATOR_URL = emulator.url; // it answers `echo: <your text> [messages=N]`
    console.log(`Using the LOCAL Messages API emulator at ${emulator.url}, not Claude (no ANTHROPIC_API_KEY, or --smoke).`);
  }

  // Every worker listens on the same port; the primary hands each new connection to the next one.
  const port = await new Promise<number>((resolve) => {
    let listening = 0;
    cluster.on('listening', (_worker, address) => {
      if (++listening === WORKERS) resolve(address.port);
    });
    for (let index = 0; index < WORKERS; index++) cluster.fork(env);
  });
  console.log(`${WORKERS} workers behind http://127.0.0.1:${port}`);

  if (!smoke) {
    const sessionId = randomUUID();
    console.log(`Try:  curl -s -X POST http://127.0.0.1:${port}/sessions/${sessionId}/turns -d '{"prompt":"Hello"}'`);
    console.log('Run the same command again: another worker answers, with the whole conversation. Ctrl-C stops.');
    return;
  }

  // Smoke run: six turns of one session; each request is a new connection, so each may land on another worker.
  const sessionId = randomUUID();
  const servedBy = new Set<number>();
  let failed = false;
  for (let turn = 1; turn <= 6; turn++) {
    const reply = await post(port, `/sessions/${sessionId}/turns`, { prompt: `turn ${turn}` });
    console.log(`turn ${turn}: worker ${reply.worker} → ${reply.result}`);
    servedBy.add(reply.worker);
    // The history grows by two messages a turn, whichever worker ran the previous ones.
    if (reply.result !== `echo: turn ${turn} [messages=${2 * turn - 1}]`) failed = true;
  }
  console.log(`${servedBy.size} different workers served the 6 turns of session ${sessionId}.`);
  if (servedBy.size < 2) failed = true;

  // Clean up: the session's keys in Redis, the workers, the emulator.
  const store = new RedisSessionStore({ url: REDIS_URL }, { prefix: env.PREFIX! });
  await store.delete({ projectKey: 'http-example', sessionId });
  await store.close();
  for (const child of Object.values(cluster.workers ?? {})) child?.kill();
  await emulator?.close();
  if (failed) {
    console.error('smoke run FAILED');
    process.exitCode = 1;
  }
}

/** A worker: an HTTP server whose only state is a Redis connection. */
async function worker(): Promise<void> {
  const store = new RedisSessionStore({ url: REDIS_URL }, { prefix: process.env.PREFIX!, ttlMs: 7 * 24 * 3600_000 });
  const emulatorUrl = process.env.EMULATOR_URL;
  const executor = new AgentExecutor({
    store,
    clientOptions: emulatorUrl ? { baseURL: emulatorUrl, apiKey: 'emulator' } : { apiKey: process.env.ANTHROPIC_API_KEY! },
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/sessions\/([0-9a-f-]{36})\/turns$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) return send(res, 404, { error: 'POST /sessions/<uuid>/turns' });
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const { prompt } = JSON.parse(body || '{}') as { prompt?: string };
    if (typeof prompt !== 'string' || prompt === '') return send(res, 400, { error: 'body: {"prompt": "..."}' });

    let result = '';
    const session = { projectKey: 'http-example', sessionId: match[1]! };
    for await (const message of executor.runTurn({ session, prompt, model: 'claude-sonnet-4-6', maxTokens: 1024 })) {
      if (message.type === 'result') result = message.subtype === 'success' ? message.result : `(${message.subtype})`;
    }
    send(res, 200, { worker: process.pid, result });
  }

  createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error: String(error) }));
  }).listen(Number(process.env.PORT), '127.0.0.1');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify(body));
}

/** A client request on a fresh connection (no keep-alive), so the cluster may pick another worker. */
function post(port: number, path: string, body: unknown): Promise<{ worker: number; result: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'POST', agent: false }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text) as { worker: number; result: string }) : reject(new Error(`${res.statusCode}: ${text}`))));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}
