import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { migrate, PostgresSessionStore } from '@sdk/store-postgres';
import { startMessagesEmulator, type MessagesEmulator } from '@sdk/testing/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL } from './support/executor-harness.js';

// Sixteen worker processes share sessions through one PostgreSQL database: every turn of a session
// runs on another process than the one before, and the sessions' turns run concurrently. Each
// process has its own store and pool; nothing is shared but the database.
type Reply = { pid: number; sessionId: string; result: { subtype: string; result?: string }; error?: string };
type Worker = { child: ChildProcessWithoutNullStreams; reader: Interface; pending: Array<(reply: Reply) => void> };

const WORKER = fileURLToPath(new URL('./support/postgres-executor-worker.mjs', import.meta.url));
const WORKERS = 16;
const SESSIONS = 8;
const TURNS = 4;

/** `PG_URL` (default: database `test` on 127.0.0.1) with a role: node-postgres takes it from `USER`, which CI may not set. */
function pgUrl(): string {
  const url = new URL(process.env.PG_URL ?? 'postgres://127.0.0.1:5432/test');
  if (url.username === '') url.username = process.env.PGUSER || process.env.USER || userInfo().username;
  return url.href;
}

describe('AgentExecutor on 16 processes sharing a PostgresSessionStore', () => {
  let emulator: MessagesEmulator;
  const workers: Worker[] = [];
  const projectKey = 'postgres-distributed';
  const url = pgUrl();
  // A fresh schema for this run, dropped with everything in it afterwards.
  const schema = `e2e_distributed_${process.pid}_${Date.now().toString(36)}`;
  const store = new PostgresSessionStore({ connectionString: url, max: 2 }, { schema });
  const sessions = Array.from({ length: SESSIONS }, () => randomUUID());

  beforeAll(async () => {
    // A missing server fails the suite here (StoreUnavailableError): never a silent skip.
    await migrate(store.pool, { schema });
    expect(await store.listSessions(projectKey)).toEqual([]);
    emulator = await startMessagesEmulator();
    for (let index = 0; index < WORKERS; index++) {
      const child = spawn(process.execPath, [WORKER], {
        env: { PATH: process.env.PATH ?? '', PG_URL: url, STORE_SCHEMA: schema, EMULATOR_URL: emulator.url, PROJECT_KEY: projectKey, MODEL },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const worker: Worker = { child, reader: createInterface({ input: child.stdout }), pending: [] };
      worker.reader.on('line', (line) => worker.pending.shift()?.(JSON.parse(line) as Reply));
      workers.push(worker);
    }
  });

  afterAll(async () => {
    for (const worker of workers) {
      worker.reader.close();
      worker.child.kill();
    }
    await emulator?.close();
    await store.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await store.close();
  });

  function turn(worker: Worker, sessionId: string, prompt: string): Promise<Reply> {
    return new Promise((resolve, reject) => {
      worker.pending.push(resolve);
      worker.child.once('exit', (code) => reject(new Error(`worker exited with ${String(code)}`)));
      worker.child.stdin.write(`${JSON.stringify({ sessionId, prompt })}\n`);
    });
  }

  it('keeps every session whole while its turns move between processes', async () => {
    const pidsBySession = new Map<string, number[]>();
    await Promise.all(
      sessions.map(async (sessionId, index) => {
        const pids: number[] = [];
        for (let number = 1; number <= TURNS; number++) {
          const worker = workers[(index * TURNS + number) % WORKERS]!;
          const { pid, result, error } = await turn(worker, sessionId, `session ${index} turn ${number}`);
          expect(error).toBeUndefined();
          expect(result).toMatchObject({ subtype: 'success', result: `echo: session ${index} turn ${number} [messages=${2 * number - 1}]` });
          pids.push(pid);
        }
        pidsBySession.set(sessionId, pids);
      }),
    );
    for (const sessionId of sessions) {
      const pids = pidsBySession.get(sessionId)!;
      expect(new Set(pids).size).toBe(TURNS);
      const entries = (await store.load({ projectKey, sessionId }))!;
      const uuids = entries.map((entry) => entry.uuid).filter((uuid) => uuid !== undefined);
      expect(new Set(uuids).size).toBe(uuids.length);
      expect(entries.filter((entry) => entry.type === 'last-prompt')).toHaveLength(TURNS);
    }
    const listed = await store.listSessions(projectKey);
    expect(listed.map((listing) => listing.sessionId).sort()).toEqual([...sessions].sort());
    expect(new Set(workers.map((worker) => worker.child.pid)).size).toBe(WORKERS);
  });
});
