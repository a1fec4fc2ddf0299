// Drives N long-lived worker processes that run executor turns against the emulator in this process
// (the line protocol of packages/e2e/test/support/redis-executor-worker.mjs: one JSON request per
// stdin line, one JSON reply per stdout line). The floor is the same processes sending the emulator
// the same calls directly (each turn's streaming request, with the history that turn carries), the
// ceiling it allows. CPU per turn comes from /proc (user + system time of every worker), so it counts
// what the workers spent, not what this process spent driving them.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Interface } from 'node:readline';
import { startMessagesEmulator } from '@sdk/testing/emulator';
import { percentile } from './stats.js';

export const WORKERS_PER_SESSION = 4;
/**
 * Untimed turns of each kind (direct call, executor turn) every worker runs before any measured one,
 * so that neither side is measured on code V8 has not optimised yet (a real worker runs thousands of
 * turns). A cold worker's turn costs 2-3× a warm one's CPU and still ~1.5× after 24 turns; full speed
 * takes a few hundred, more than a two-minute run allows for 64 processes: 64 is the compromise.
 */
export const WARM_UP_TURNS = 64;
/** Workers warmed at the same time: warming 64 at once would cost the CPU of 64 processes thrashing 2 cores. */
const WARM_UP_BATCH = 8;
/** A turn that has not answered after this long counts as failed, so one stuck worker cannot hang the run. */
const REPLY_TIMEOUT_MS = 120_000;
/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on every mainstream architecture. */
const CLOCK_TICKS_PER_SECOND = 100;

type Reply = { pid: number; sessionId: string; result?: { subtype: string }; ms: number; conflicts: number; error?: string };
type Worker = { child: ChildProcessWithoutNullStreams; reader: Interface; pending: Array<(reply: Reply) => void>; stderr: string };
type Drive = { turns: number; failed: number; firstError?: string; seconds: number; p50: number; p99: number; conflicts: number; workerCpuMs: number; driverCpuMs: number };

/** One row of a scale table. */
export type ScaleRow = {
  processes: number;
  sessions: number;
  turnsPerSecond: number;
  p50: number;
  p99: number;
  conflicts: number;
  lost: number;
  failed: number;
  /** The first error a failed turn reported, if any. */
  firstError?: string;
  cpuMsPerTurn: number;
  emulatorCpuMsPerTurn: number;
  ceilingTurnsPerSecond: number;
  ceilingP99: number;
  /** Worker CPU per direct call in the ceiling run: with `emulatorCpuMsPerTurn`'s twin, the CPU budget a turn is compared with. */
  ceilingCpuMsPerTurn: number;
  ceilingEmulatorCpuMsPerTurn: number;
  /** The store server's CPU per turn (Redis), on the same cores; undefined without a server. */
  serverCpuMsPerTurn?: number;
};

export type ScaleSetup = {
  /** The worker script (plain .mjs, run with node). */
  worker: string;
  /** Environment of every worker, besides EMULATOR_URL, PROJECT_KEY, MODEL and PATH. */
  env: Record<string, string>;
  projectKey: string;
  model: string;
  /** How many user entries the session's transcript holds (to count lost turns). */
  storedPrompts: (sessionId: string) => Promise<number>;
  deleteSession: (sessionId: string) => Promise<void>;
  /** CPU ms the store's own server process has used so far (Redis: INFO cpu), when it has one. */
  serverCpuMs?: () => Promise<number>;
};

function send(worker: Worker, request: object): Promise<Reply> {
  if (worker.child.exitCode !== null || worker.child.signalCode !== null) return Promise.resolve(failure(worker, 'worker had exited'));
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      const index = worker.pending.indexOf(answer);
      // Left in the queue as a no-op, so a late reply still lines up with its own request.
      if (index !== -1) worker.pending[index] = () => undefined;
      resolve(failure(worker, `no reply in ${REPLY_TIMEOUT_MS / 1000} s`));
    }, REPLY_TIMEOUT_MS);
    const answer = (reply: Reply): void => {
      clearTimeout(timer);
      resolve(reply);
    };
    worker.pending.push(answer);
    worker.child.stdin.write(`${JSON.stringify(request)}\n`);
  });
}

function failure(worker: Worker, why: string): Reply {
  const stderr = worker.stderr.trim().split('\n').slice(-3).join(' / ');
  return { pid: worker.child.pid ?? 0, sessionId: '', ms: 0, conflicts: 0, error: `${why}${stderr === '' ? '' : `: ${stderr}`}` };
}

async function cpuMsOf(pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name, which may itself hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

async function totalCpuMs(workers: readonly Worker[]): Promise<number> {
  const values = await Promise.all(workers.map((worker) => cpuMsOf(worker.child.pid!)));
  return values.reduce((sum, value) => sum + value, 0);
}

/** Every worker runs `turns` turns one after another; all workers at once. */
async function drive(workers: Worker[], requestOf: (worker: number, turn: number) => object, turns: number): Promise<Drive> {
  const cpuBefore = await totalCpuMs(workers);
  const driverBefore = process.cpuUsage();
  const started = performance.now();
  const replies = await Promise.all(
    workers.map(async (worker, index) => {
      const mine: Reply[] = [];
      for (let number = 0; number < turns; number++) mine.push(await send(worker, requestOf(index, number)));
      return mine;
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const driver = process.cpuUsage(driverBefore);
  const workerCpuMs = (await totalCpuMs(workers)) - cpuBefore;
  const all = replies.flat();
  const ok = all.filter((reply) => reply.error === undefined && reply.result?.subtype === 'success');
  const latencies = ok.map((reply) => reply.ms);
  const firstError = all.find((reply) => reply.error !== undefined)?.error;
  return {
    ...(firstError === undefined ? {} : { firstError }),
    turns: ok.length,
    failed: all.length - ok.length,
    seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    conflicts: all.reduce((sum, reply) => sum + reply.conflicts, 0),
    workerCpuMs,
    driverCpuMs: (driver.user + driver.system) / 1000,
  };
}

function startWorkers(count: number, setup: ScaleSetup, emulatorUrl: string): Worker[] {
  return Array.from({ length: count }, () => {
    const child = spawn(process.execPath, [setup.worker], {
      env: { PATH: process.env.PATH ?? '', ...setup.env, EMULATOR_URL: emulatorUrl, PROJECT_KEY: setup.projectKey, MODEL: setup.model },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const worker: Worker = { child, reader: createInterface({ input: child.stdout }), pending: [], stderr: '' };
    worker.reader.on('line', (line) => worker.pending.shift()?.(JSON.parse(line) as Reply));
    // The last few KB of stderr, to say why a worker died.
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (worker.stderr = (worker.stderr + chunk).slice(-4096)));
    // A worker that dies answers its outstanding turns as failed instead of leaving them pending.
    child.once('exit', (code, signal) => {
      for (const answer of worker.pending.splice(0)) answer(failure(worker, `worker exited (${signal ?? `code ${String(code)}`})`));
    });
    return worker;
  });
}

/** Ends every worker (stdin closed); kills one still running after 10 s. */
async function stopWorkers(workers: readonly Worker[]): Promise<void> {
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

/**
 * Warms every worker up, a batch at a time: each runs WARM_UP_TURNS direct calls then as many turns,
 * on a session of its own (deleted afterwards), the direct calls carrying the history those turns
 * carry, so both sides warm on the same work. The emulator, in this process, warms with them.
 */
async function warmUp(workers: readonly Worker[], setup: ScaleSetup): Promise<void> {
  for (let first = 0; first < workers.length; first += WARM_UP_BATCH) {
    const batch = workers.slice(first, first + WARM_UP_BATCH);
    const sessions = batch.map(() => randomUUID());
    const prompt = (worker: number, number: number): string => `worker ${first + worker} turn ${number}`;
    await drive(batch, (worker, number) => ({ sessionId: sessions[worker]!, prompt: prompt(worker, number), direct: true, historyTurns: number }), WARM_UP_TURNS);
    await drive(batch, (worker, number) => ({ sessionId: sessions[worker]!, prompt: prompt(worker, number) }), WARM_UP_TURNS);
    for (const sessionId of sessions) await setup.deleteSession(sessionId);
  }
}

/**
 * Runs each process count in turn and returns one row per count. One pool of processes (as many as
 * the largest count) is started and warmed up first; the row of N processes runs on the first N of
 * them, on fresh sessions.
 */
export async function runScale(setup: ScaleSetup, counts: readonly number[], turnsPer: (count: number) => number): Promise<ScaleRow[]> {
  const emulator = await startMessagesEmulator();
  const rows: ScaleRow[] = [];
  const pool = startWorkers(Math.max(...counts), setup, emulator.url);
  try {
    // Every process loaded, connected and through both code paths, often enough to run them
    // optimised, before any clock starts (a cold process runs most of a turn in the interpreter).
    await warmUp(pool, setup);
    for (const count of counts) {
      const turns = turnsPer(count);
      const workers = pool.slice(0, count);
      const sessions = Array.from({ length: Math.max(1, Math.ceil(count / WORKERS_PER_SESSION)) }, () => randomUUID());
      // Worker w runs on session w mod S, as the (w div S)-th of that session's P workers; its turn n
      // is about the session's (n·P + w div S)-th, so its direct twin carries that many exchanges (over
      // all workers, exactly the histories the turns carry).
      const perSession = (worker: number): number => Math.floor((count - 1 - (worker % sessions.length)) / sessions.length) + 1;
      const historyTurns = (worker: number, number: number): number => number * perSession(worker) + Math.floor(worker / sessions.length);
      const direct = (): Promise<Drive> =>
        drive(
          workers,
          (worker, number) => ({ sessionId: sessions[0]!, prompt: `worker ${worker} turn ${number}`, direct: true, historyTurns: historyTurns(worker, number) }),
          turns,
        );
      const before = await direct();
      emulator.reset();
      const serverBefore = await setup.serverCpuMs?.();
      const agent = await drive(
        workers,
        (worker, number) => ({ sessionId: sessions[worker % sessions.length]!, prompt: `worker ${worker} turn ${number}`, onConflict: 'retry' }),
        turns,
      );
      const serverAfter = await setup.serverCpuMs?.();
      emulator.reset();
      // The ceiling is measured before and after the turns and the faster run counts: on shared
      // cores a burst of other work during one short run would otherwise lower the ceiling and
      // flatter the ratio.
      const after = await direct();
      emulator.reset();
      const ceiling = after.turns / after.seconds > before.turns / before.seconds ? after : before;
      // A turn is lost if its prompt is not in its session's transcript.
      let stored = 0;
      for (const sessionId of sessions) stored += await setup.storedPrompts(sessionId);
      rows.push({
        processes: count,
        sessions: sessions.length,
        turnsPerSecond: agent.turns / agent.seconds,
        p50: agent.p50,
        p99: agent.p99,
        conflicts: agent.conflicts,
        lost: count * turns - stored,
        failed: agent.failed,
        ...(agent.firstError === undefined ? {} : { firstError: agent.firstError }),
        cpuMsPerTurn: agent.workerCpuMs / Math.max(1, agent.turns),
        emulatorCpuMsPerTurn: agent.driverCpuMs / Math.max(1, agent.turns),
        ceilingTurnsPerSecond: ceiling.turns / ceiling.seconds,
        ceilingP99: ceiling.p99,
        ceilingCpuMsPerTurn: ceiling.workerCpuMs / Math.max(1, ceiling.turns),
        ceilingEmulatorCpuMsPerTurn: ceiling.driverCpuMs / Math.max(1, ceiling.turns),
        ...(serverBefore === undefined || serverAfter === undefined ? {} : { serverCpuMsPerTurn: (serverAfter - serverBefore) / Math.max(1, agent.turns) }),
      });
      for (const sessionId of sessions) await setup.deleteSession(sessionId);
    }
  } finally {
    await stopWorkers(pool);
    await emulator.close();
  }
  return rows;
}

export function formatScaleTable(title: string, rows: readonly ScaleRow[]): string {
  const lines = [
    `## ${title}`,
    '',
    '| processes | sessions | turns/s | p50 ms | p99 ms | conflicts (retried turns) | lost turns | worker CPU ms/turn | emulator CPU ms/turn | store server CPU ms/turn | emulator alone turns/s | emulator alone p99 ms | emulator alone: worker + emulator CPU ms/call | turns/s ÷ emulator alone |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const row of rows) {
    lines.push(
      `| ${row.processes} | ${row.sessions} | ${row.turnsPerSecond.toFixed(1)} | ${row.p50.toFixed(1)} | ${row.p99.toFixed(1)} | ${row.conflicts} | ${row.lost}${row.failed > 0 ? ` (${row.failed} failed)` : ''} | ` +
        `${row.cpuMsPerTurn.toFixed(2)} | ${row.emulatorCpuMsPerTurn.toFixed(2)} | ${row.serverCpuMsPerTurn?.toFixed(2) ?? ''} | ${row.ceilingTurnsPerSecond.toFixed(1)} | ${row.ceilingP99.toFixed(1)} | ` +
        `${row.ceilingCpuMsPerTurn.toFixed(2)} + ${row.ceilingEmulatorCpuMsPerTurn.toFixed(2)} | ${(row.turnsPerSecond / row.ceilingTurnsPerSecond).toFixed(2)} |`,
    );
  }
  for (const row of rows) {
    if (row.firstError !== undefined) lines.push('', `${row.processes} processes: ${row.failed} turns failed; the first: ${row.firstError}`);
  }
  return lines.join('\n');
}
