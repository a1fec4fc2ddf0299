// @sdk/store-redis at scale: N worker processes (the e2e worker of redis-distributed.int.test.ts) run
// AgentExecutor turns against the Messages API emulator with one RedisSessionStore each, four workers
// per session with `onConflict: 'retry'`. Floor: the same processes calling the emulator directly
// (no executor, no store), the ceiling the emulator allows. Loopback only; every worker exits when its
// stdin closes, and is killed if it has not after the run.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { RedisSessionStore } from '@sdk/store-redis';
import { startMessagesEmulator } from '@sdk/testing/emulator';
import { percentile } from './stats.js';

const URL_ = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const WORKER = fileURLToPath(new URL('../../packages/e2e/test/support/redis-executor-worker.mjs', import.meta.url));
const MODEL = 'claude-sonnet-4-6';
const PROJECT = 'bench-scale';
const WORKERS_PER_SESSION = 4;

type Reply = { pid: number; sessionId: string; result?: { subtype: string }; ms: number; conflicts: number; error?: string };
type Worker = { child: ChildProcessWithoutNullStreams; reader: Interface; pending: Array<(reply: Reply) => void> };
type Run = { turns: number; failed: number; seconds: number; p50: number; p99: number; conflicts: number };

function turn(worker: Worker, request: object): Promise<Reply> {
  return new Promise((resolve) => {
    worker.pending.push(resolve);
    worker.child.stdin.write(`${JSON.stringify(request)}\n`);
  });
}

/** Every worker runs `turns` turns one after another; all workers at once. */
async function drive(workers: Worker[], requestOf: (worker: number, turn: number) => object, turns: number): Promise<Run> {
  const started = performance.now();
  const replies = await Promise.all(
    workers.map(async (worker, index) => {
      const mine: Reply[] = [];
      for (let number = 0; number < turns; number++) mine.push(await turn(worker, requestOf(index, number)));
      return mine;
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const all = replies.flat();
  const ok = all.filter((reply) => reply.error === undefined && reply.result?.subtype === 'success');
  const latencies = ok.map((reply) => reply.ms);
  return {
    turns: ok.length,
    failed: all.length - ok.length,
    seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    conflicts: all.reduce((sum, reply) => sum + reply.conflicts, 0),
  };
}

/** Runs the scale benchmark and returns its table. */
export async function run({ quick }: { quick: boolean }): Promise<string> {
  const counts = quick ? [1, 4] : [1, 4, 16, 64];
  // At least 64 turns per row, so the small rows have enough samples too.
  const turnsPer = (count: number): number => (quick ? 4 : Math.max(8, Math.ceil(64 / count)));
  const emulator = await startMessagesEmulator();
  const prefix = `bench-scale-${process.pid}-${Date.now().toString(36)}`;
  const store = new RedisSessionStore({ url: URL_ }, { prefix });
  const lines = [
    '## @sdk/store-redis at scale (N processes, 4 per session, onConflict: retry; floor: direct emulator calls)',
    '',
    '| processes | turns/s | p50 ms | p99 ms | conflicts | lost turns | emulator alone turns/s | emulator p99 ms | ratio |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  try {
    for (const count of counts) {
      const turns = turnsPer(count);
      const workers: Worker[] = [];
      try {
        for (let index = 0; index < count; index++) {
          const child = spawn(process.execPath, [WORKER], {
            env: { PATH: process.env.PATH ?? '', REDIS_URL: URL_, STORE_PREFIX: prefix, EMULATOR_URL: emulator.url, PROJECT_KEY: PROJECT, MODEL },
            stdio: ['pipe', 'pipe', 'pipe'],
          });
          const worker: Worker = { child, reader: createInterface({ input: child.stdout }), pending: [] };
          worker.reader.on('line', (line) => worker.pending.shift()?.(JSON.parse(line) as Reply));
          child.stderr.resume();
          workers.push(worker);
        }
        // Warm-up: every process loaded and connected before the clock starts.
        await drive(workers, () => ({ sessionId: randomUUID(), prompt: 'warm-up', direct: true }), 1);
        const sessions = Array.from({ length: Math.max(1, Math.ceil(count / WORKERS_PER_SESSION)) }, () => randomUUID());
        const ceiling = await drive(workers, (worker, number) => ({ sessionId: sessions[0]!, prompt: `direct ${worker} ${number}`, direct: true }), turns);
        const agent = await drive(
          workers,
          (worker, number) => ({ sessionId: sessions[worker % sessions.length]!, prompt: `worker ${worker} turn ${number}`, onConflict: 'retry' }),
          turns,
        );
        // A turn is lost if its prompt is not in its session's transcript.
        let stored = 0;
        for (const sessionId of sessions) {
          const entries = (await store.load({ projectKey: PROJECT, sessionId })) ?? [];
          stored += entries.filter((entry) => entry.type === 'user').length;
        }
        const lost = count * turns - stored;
        const rate = agent.turns / agent.seconds;
        const ceilingRate = ceiling.turns / ceiling.seconds;
        lines.push(
          `| ${count} | ${rate.toFixed(1)} | ${agent.p50.toFixed(1)} | ${agent.p99.toFixed(1)} | ${agent.conflicts} | ${lost}${agent.failed > 0 ? ` (${agent.failed} failed)` : ''} | ${ceilingRate.toFixed(1)} | ${ceiling.p99.toFixed(1)} | ${(rate / ceilingRate).toFixed(2)} |`,
        );
        for (const sessionId of sessions) await store.delete({ projectKey: PROJECT, sessionId });
      } finally {
        for (const worker of workers) {
          worker.child.stdin.end();
          worker.reader.close();
        }
        await Promise.all(
          workers.map(
            (worker) =>
              new Promise<void>((resolve) => {
                if (worker.child.exitCode !== null) return resolve();
                const timer = setTimeout(() => worker.child.kill(), 10_000);
                worker.child.once('exit', () => {
                  clearTimeout(timer);
                  resolve();
                });
              }),
          ),
        );
      }
    }
  } finally {
    await emulator.close();
    await store.close();
  }
  return lines.join('\n');
}
