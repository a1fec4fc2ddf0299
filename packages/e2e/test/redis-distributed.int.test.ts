import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { RedisSessionStore } from '@sdk/store-redis';
import { startMessagesEmulator, type MessagesEmulator } from '@sdk/testing/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL } from './support/executor-harness.js';

// Sixteen worker processes share sessions through one Redis: every turn of a session runs on another
// process than the one before, and the sessions' turns run concurrently. Each process has its own
// store and connection; nothing is shared but Redis.
type Reply = { pid: number; sessionId: string; result: { subtype: string; result?: string } };
type Worker = { child: ChildProcessWithoutNullStreams; reader: Interface; pending: Array<(reply: Reply) => void> };

const WORKER = fileURLToPath(new URL('./support/redis-executor-worker.mjs', import.meta.url));
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const WORKERS = 16;
const SESSIONS = 8;
const TURNS = 4;

describe('AgentExecutor on 16 processes sharing a RedisSessionStore', () => {
  let emulator: MessagesEmulator;
  const workers: Worker[] = [];
  const projectKey = 'redis-distributed';
  const prefix = `e2e-distributed-${process.pid}-${Date.now().toString(36)}`;
  const store = new RedisSessionStore({ url: REDIS_URL }, { prefix });
  const sessions = Array.from({ length: SESSIONS }, () => randomUUID());

  beforeAll(async () => {
    // A missing Redis fails the suite here (StoreUnavailableError): never a silent skip.
    expect(await store.listSessions(projectKey)).toEqual([]);
    emulator = await startMessagesEmulator();
    for (let index = 0; index < WORKERS; index++) {
      const child = spawn(process.execPath, [WORKER], {
        env: { PATH: process.env.PATH ?? '', REDIS_URL, STORE_PREFIX: prefix, EMULATOR_URL: emulator.url, PROJECT_KEY: projectKey, MODEL },
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
    await emulator.close();
    // Deleting each session removes all its keys and its index entry (the index goes with its last member).
    for (const sessionId of sessions) await store.delete({ projectKey, sessionId });
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
          const { pid, result } = await turn(worker, sessionId, `session ${index} turn ${number}`);
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
