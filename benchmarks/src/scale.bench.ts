// Issue #10 item 3: 1, 4, 16 and 64 worker processes running AgentExecutor turns against the emulator,
// four workers per session with `onConflict: 'retry'`, on Redis (one RedisSessionStore per process,
// packages/e2e/test/support/redis-executor-worker.mjs) and on files (one FileSessionStore per process
// on a shared root, file-executor-worker.mjs). Next to each row: the same processes sending the
// emulator the same streaming requests directly (same history lengths), the ceiling it allows.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileSessionStore } from '@sdk/store-file';
import { RedisSessionStore } from '@sdk/store-redis';
import { createClient } from 'redis';
import type { BenchReport, SummaryRow } from './report.js';
import { formatScaleTable, runScale, WARM_UP_TURNS, type ScaleRow, type ScaleSetup } from './scale-harness.js';
import { lineChart } from './svg-chart.js';

const MODEL = 'claude-sonnet-4-6';
const PROJECT = 'bench-scale';
const REDIS_WORKER = fileURLToPath(new URL('../../packages/e2e/test/support/redis-executor-worker.mjs', import.meta.url));
const FILE_WORKER = fileURLToPath(new URL('./file-executor-worker.mjs', import.meta.url));

const userEntries = (entries: ReadonlyArray<{ type?: unknown }> | null): number => (entries ?? []).filter((entry) => entry.type === 'user').length;

async function redisRows(counts: readonly number[], turnsPer: (count: number) => number): Promise<ScaleRow[]> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `bench-scale-${process.pid}-${Date.now().toString(36)}`;
  const store = new RedisSessionStore({ url }, { prefix });
  // Redis runs on the same cores: its CPU per turn is part of what a turn costs.
  const stats = createClient({ url });
  const setup: ScaleSetup = {
    worker: REDIS_WORKER,
    env: { REDIS_URL: url, STORE_PREFIX: prefix },
    projectKey: PROJECT,
    model: MODEL,
    storedPrompts: async (sessionId) => userEntries(await store.load({ projectKey: PROJECT, sessionId })),
    deleteSession: (sessionId) => store.delete({ projectKey: PROJECT, sessionId }),
    serverCpuMs: async () => {
      const info = await stats.info('cpu');
      const seconds = (name: string): number => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);
      return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1000;
    },
  };
  try {
    await stats.connect();
    return await runScale(setup, counts, turnsPer);
  } finally {
    if (stats.isOpen) stats.destroy();
    await store.close();
  }
}

async function fileRows(counts: readonly number[], turnsPer: (count: number) => number): Promise<ScaleRow[]> {
  const root = await mkdtemp(join(tmpdir(), 'bench-scale-files-'));
  const store = new FileSessionStore({ root });
  const setup: ScaleSetup = {
    worker: FILE_WORKER,
    env: { STORE_ROOT: root },
    projectKey: PROJECT,
    model: MODEL,
    storedPrompts: async (sessionId) => userEntries(await store.load({ projectKey: PROJECT, sessionId })),
    deleteSession: (sessionId) => store.delete({ projectKey: PROJECT, sessionId }),
  };
  try {
    return await runScale(setup, counts, turnsPer);
  } finally {
    await store.flush();
    await rm(root, { recursive: true, force: true });
  }
}

/** Runs both scale tables and returns them with their summary lines and chart. */
export async function run({ quick }: { quick: boolean }): Promise<BenchReport> {
  const counts = quick ? [1, 4] : [1, 4, 16, 64];
  // At least 128 turns per row, and 16 per worker, so the small rows have enough samples and every
  // worker of the wide ones runs long enough to overlap the others.
  const turnsPer = (count: number): number => (quick ? 4 : Math.max(16, Math.ceil(128 / count)));
  const redis = await redisRows(counts, turnsPer);
  const files = await fileRows(counts, turnsPer);
  const note = 'Four processes per session, `onConflict: \'retry\'`; a conflict is a turn the executor reran because another process held the session. ' +
    `One pool of processes (as many as the widest row) is started and warmed up first: each runs ${WARM_UP_TURNS} direct calls and ${WARM_UP_TURNS} turns (on a session of its own), untimed, ` +
    'so neither column runs unoptimised code; the row of N processes runs on the first N. ' +
    'the ceiling is the emulator serving the same calls alone: each turn\'s streaming request (model, max_tokens, no system prompt, `stream: true`), ' +
    'with a history as long as that turn carries, sent directly through the executor\'s own client; it is measured before and after the turns, and the faster run counts. ' +
    'CPU per turn: user + system time of all worker processes (from /proc) over the turns; emulator CPU: this process, which runs the emulator; ' +
    'store server CPU: Redis (INFO cpu). With every core busy, turns/s ÷ emulator alone is about the ceiling\'s CPU per call (worker + emulator) ' +
    'over a turn\'s (worker + emulator + store server).';
  const markdown = [
    formatScaleTable(`Scale on @sdk/store-redis (N processes; floor: the same processes sending the same calls directly)${quick ? ' (quick)' : ''}`, redis),
    '',
    formatScaleTable(`Scale on @sdk/store-file (N processes, one shared root; floor: the same processes sending the same calls directly)${quick ? ' (quick)' : ''}`, files),
    '',
    note,
  ].join('\n');
  const summary: SummaryRow[] = [];
  for (const [label, rows] of [
    ['redis', redis],
    ['file', files],
  ] as const) {
    const widest = rows.at(-1)!;
    summary.push({
      measurement: `scale: ${label} store, ${widest.processes} processes, turns/s vs the emulator alone`,
      value: `${widest.turnsPerSecond.toFixed(1)} turns/s, p99 ${widest.p99.toFixed(0)} ms, ${widest.conflicts} retries, ${widest.lost} lost`,
      baseline: `${widest.ceilingTurnsPerSecond.toFixed(1)} turns/s`,
      ratio: widest.turnsPerSecond / widest.ceilingTurnsPerSecond,
      target: 'no lost turns',
      pass: widest.lost === 0 && widest.failed === 0,
    });
  }
  const chart = lineChart({
    title: 'Turns per second by worker processes',
    xLabel: 'worker processes',
    yLabel: 'turns/s',
    logX: true,
    series: [
      { name: 'Redis store', points: redis.map((row) => [row.processes, row.turnsPerSecond] as const) },
      { name: 'file store', points: files.map((row) => [row.processes, row.turnsPerSecond] as const) },
      { name: 'emulator alone (Redis run)', points: redis.map((row) => [row.processes, row.ceilingTurnsPerSecond] as const), dashed: true },
      { name: 'emulator alone (file run)', points: files.map((row) => [row.processes, row.ceilingTurnsPerSecond] as const), dashed: true },
    ],
  });
  return { markdown, summary, charts: [{ slug: 'scale', title: 'Turns per second by worker processes', svg: chart }] };
}
