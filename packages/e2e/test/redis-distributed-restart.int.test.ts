import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { RedisSessionStore } from '@sdk/store-redis';
import { startMessagesEmulator, type MessagesEmulator } from '@sdk/testing/emulator';
import { startRedisServer, type RedisServer } from '@sdk/testing/redis-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL } from './support/executor-harness.js';

// The distributed run of redis-distributed.int.test.ts, with the Redis server killed (SIGKILL) and
// restarted in the middle: workers reconnect by themselves, every acknowledged turn is still in
// its session afterwards, and what fails during the outage fails with a typed error, promptly.
type Reply = { pid: number; sessionId: string; result?: { subtype: string; result?: string; errors?: string[] }; error?: string; ms: number };
type Worker = { child: ChildProcessWithoutNullStreams; reader: Interface; pending: Array<(reply: Reply) => void> };

const WORKER = fileURLToPath(new URL('./support/redis-executor-worker.mjs', import.meta.url));
const PORT = 7151;
const WORKERS = 16;
const SESSIONS = 8;
const TURNS = 6;

describe('16 workers on one Redis, restarted mid-run', () => {
  let emulator: MessagesEmulator;
  let redis: RedisServer;
  const workers: Worker[] = [];
  const projectKey = 'redis-restart';
  const prefix = `e2e-restart-${process.pid}`;

  beforeAll(async () => {
    // Every write persisted before it is acknowledged: a kill loses nothing a worker was told is stored.
    redis = await startRedisServer(PORT, ['--appendonly', 'yes', '--appendfsync', 'always']);
    emulator = await startMessagesEmulator({ respond: (request) => ({ type: 'message', content: [{ type: 'text', text: `ok ${String((request.messages.at(-1)?.content as Array<{ text?: string }>)[0]?.text)}` }], eventDelayMs: 5 }) });
    for (let index = 0; index < WORKERS; index++) {
      const child = spawn(process.execPath, [WORKER], {
        env: { PATH: process.env.PATH ?? '', REDIS_URL: redis.url, STORE_PREFIX: prefix, EMULATOR_URL: emulator.url, PROJECT_KEY: projectKey, MODEL },
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
    await redis?.stop();
  });

  const turn = (worker: Worker, sessionId: string, prompt: string): Promise<Reply> =>
    new Promise((resolve) => {
      worker.pending.push(resolve);
      worker.child.stdin.write(`${JSON.stringify({ sessionId, prompt, onConflict: 'retry' })}\n`);
    });

  it('keeps every acknowledged turn and fails the others with typed errors', async () => {
    const sessions = Array.from({ length: SESSIONS }, () => randomUUID());
    const acknowledged = new Map<string, string[]>(sessions.map((sessionId) => [sessionId, []]));
    const failures: Reply[] = [];
    let completed = 0;
    let restart: Promise<void> | undefined;
    await Promise.all(
      sessions.map(async (sessionId, index) => {
        for (let number = 1; number <= TURNS; number++) {
          const prompt = `session ${index} turn ${number}`;
          // A client retries a failed turn, as a front end would; each attempt on another worker.
          for (let attempt = 0; attempt < 40; attempt++) {
            const reply = await turn(workers[(index * TURNS + number + attempt) % WORKERS]!, sessionId, prompt);
            if (reply.error === undefined && reply.result?.subtype === 'success') {
              acknowledged.get(sessionId)!.push(prompt);
              break;
            }
            failures.push(reply);
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          completed++;
          if (completed === (SESSIONS * TURNS) / 3 && restart === undefined) {
            restart = (async () => {
              await redis.kill();
              await new Promise((resolve) => setTimeout(resolve, 500));
              await redis.start();
            })();
          }
        }
      }),
    );
    await restart;
    expect(restart).toBeDefined();
    // Every turn eventually succeeded, and some failed while the server was down.
    for (const prompts of acknowledged.values()) expect(prompts).toHaveLength(TURNS);
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) {
      const reason = failure.error ?? failure.result?.errors?.join('; ') ?? '';
      expect(reason).toMatch(/StoreUnavailableError|SessionStoreError|SessionConflictError|SessionLeaseError|Redis/);
      expect(failure.ms).toBeLessThan(15_000);
    }
    // Every acknowledged prompt is in its session, in order, with its answer.
    const store = new RedisSessionStore({ url: redis.url }, { prefix });
    try {
      for (const [sessionId, prompts] of acknowledged) {
        const entries = (await store.load({ projectKey, sessionId }))!;
        const texts = entries.flatMap((entry) => {
          const content = (entry.message as { content?: unknown } | undefined)?.content;
          return Array.isArray(content) ? content.flatMap((block: { type?: string; text?: string }) => (block.type === 'text' && typeof block.text === 'string' ? [block.text] : [])) : [];
        });
        let cursor = 0;
        for (const prompt of prompts) {
          const at = texts.indexOf(prompt, cursor);
          expect(at, `${prompt} in ${sessionId}`).toBeGreaterThanOrEqual(0);
          expect(texts.indexOf(`ok ${prompt}`, at)).toBeGreaterThan(at);
          cursor = at + 1;
        }
      }
      // The sessions are still usable: one more turn each, accepted by the API.
      for (const sessionId of sessions) {
        const reply = await turn(workers[0]!, sessionId, 'after the restart');
        expect(reply.result?.subtype).toBe('success');
      }
      expect(emulator.requests.filter((request) => request.rejected !== undefined)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
