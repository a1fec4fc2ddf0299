// Issue #10 item 4: how a turn's store time grows with the session. One session per backend runs turn
// after turn through AgentExecutor against the emulator; a stopwatch around the store (timed-store.ts)
// gives each turn's load and append time. Without compaction the whole transcript is read every turn;
// with it (a small context window, so it triggers every few dozen turns) only the part after the last
// boundary should be. The curve is the result, so every turn is kept and charted.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentExecutor, type TurnRequest } from '@sdk/core';
import type { SessionStore } from '@sdk/core/store';
import { FileSessionStore } from '@sdk/store-file';
import { InMemorySessionStore } from '@sdk/store-memory';
import { migrate, PostgresSessionStore } from '@sdk/store-postgres';
import { RedisSessionStore } from '@sdk/store-redis';
import { echoReply, startMessagesEmulator, textReply, type EmulatorReply, type RecordedRequest } from '@sdk/testing/emulator';
import { pgUrl } from './postgres-url.js';
import { formatRatio, type BenchReport, type SummaryRow } from './report.js';
import { percentile } from './stats.js';
import { lineChart, PALETTE, type LineSeries } from './svg-chart.js';
import { newStoreClock, timedStore } from './timed-store.js';

const MODEL = 'claude-sonnet-4-6';
const PROJECT = 'bench-growth';
/** Small enough that the emulator's token estimate of a few dozen turns passes 90% of it. */
const COMPACTING: NonNullable<TurnRequest['compaction']> = { contextWindow: 2_000 };
const NOT_COMPACTING: NonNullable<TurnRequest['compaction']> = { auto: false };

/**
 * The echo, except for the executor's summary request: its echo would quote the instructions, whose
 * empty `<summary></summary>` example the executor would take as the (empty, so failed) summary.
 */
function respond(request: RecordedRequest): EmulatorReply {
  const reply = echoReply(request);
  const text = reply.content[0]?.type === 'text' ? reply.content[0].text : '';
  return text.includes('Write a summary of the conversation') ? textReply('<summary>The user sent numbered turns; each answer echoed its turn.</summary>') : reply;
}

type OpenedStore = { store: SessionStore; close: () => Promise<void> };
type Backend = { name: string; open: () => Promise<OpenedStore> };
type TurnTiming = { storeMs: number; readMs: number; writeMs: number; turnMs: number };
type Curve = { backend: string; compaction: boolean; turns: TurnTiming[]; compactions: number };

const BACKENDS: Backend[] = [
  { name: 'memory', open: async () => ({ store: new InMemorySessionStore(), close: async () => undefined }) },
  {
    name: 'file',
    open: async () => {
      const root = await mkdtemp(join(tmpdir(), 'bench-growth-'));
      const store = new FileSessionStore({ root });
      return {
        store,
        close: async () => {
          await store.flush();
          await rm(root, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: 'redis',
    open: async () => {
      const store = new RedisSessionStore({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }, { prefix: `bench-growth-${process.pid}-${Date.now().toString(36)}` });
      return { store, close: () => store.close() };
    },
  },
  {
    name: 'postgres',
    open: async () => {
      const schema = `bench_growth_${process.pid}_${Date.now().toString(36)}`;
      const store = new PostgresSessionStore({ connectionString: pgUrl(), max: 2 }, { schema });
      await migrate(store.pool, { schema });
      return {
        store,
        close: async () => {
          await store.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await store.close();
        },
      };
    },
  },
];

/** One session of `count` turns; the store time, read and write time and wall time of each turn. */
async function curve(backend: Backend, compaction: boolean, count: number, emulatorUrl: string, reset: () => void): Promise<Curve> {
  const opened = await backend.open();
  const clock = newStoreClock();
  const store = timedStore(opened.store, clock);
  const executor = new AgentExecutor({ store, clientOptions: { apiKey: 'x', baseURL: emulatorUrl } });
  const session = { projectKey: PROJECT, sessionId: randomUUID() };
  const turns: TurnTiming[] = [];
  let compactions = 0;
  try {
    for (let number = 1; number <= count; number++) {
      const before = { ...clock };
      const started = performance.now();
      const request = { session, prompt: `turn ${number}`, model: MODEL, cwd: '/bench', compaction: compaction ? COMPACTING : NOT_COMPACTING };
      for await (const message of executor.runTurn(request)) {
        if (message.type === 'result' && message.is_error) throw new Error(`turn ${number} failed: ${JSON.stringify(message)}`);
        if (message.type === 'system' && message.subtype === 'compact_boundary') compactions++;
      }
      const turnMs = performance.now() - started;
      const readMs = clock.readMs - before.readMs;
      const writeMs = clock.writeMs - before.writeMs;
      turns.push({ storeMs: readMs + writeMs + clock.otherMs - before.otherMs, readMs, writeMs, turnMs });
      // The emulator records every request; a 1,000-turn session would otherwise keep them all.
      if (number % 50 === 0) reset();
    }
  } finally {
    await opened.store.delete?.(session);
    await opened.close();
  }
  return { backend: backend.name, compaction, turns, compactions };
}

/** Median of the five turns ending at `turn` (1-based), so one slow turn does not stand for the point. */
function at(turns: readonly TurnTiming[], turn: number, field: keyof TurnTiming): number {
  return percentile(
    turns.slice(Math.max(0, turn - 5), turn).map((timing) => timing[field]),
    50,
  );
}

/** Turns averaged for issue #9's comparison: about one compaction cycle. */
const CYCLE = 50;

/**
 * Median store time over the `CYCLE` turns ending at `turn` (the first `CYCLE` turns for an
 * earlier checkpoint). With compaction the window grows from the summary to the threshold and
 * starts again, so a single turn's time depends on where it falls in that cycle; a cycle's median
 * does not, and a few fsync stalls do not move it either.
 */
function cycleMedian(turns: readonly TurnTiming[], turn: number): number {
  const end = Math.max(turn, Math.min(CYCLE, turns.length));
  return percentile(
    turns.slice(Math.max(0, end - CYCLE), end).map((timing) => timing.storeMs),
    50,
  );
}

/** The curve as one point per bucket of turns (their median), so a chart of 1,000 turns stays legible. */
function bucketed(turns: readonly TurnTiming[], buckets: number): Array<[number, number]> {
  const size = Math.max(1, Math.ceil(turns.length / buckets));
  const points: Array<[number, number]> = [];
  for (let start = 0; start < turns.length; start += size) {
    const slice = turns.slice(start, start + size);
    points.push([start + slice.length, percentile(slice.map((timing) => timing.storeMs), 50)]);
  }
  return points;
}

/** Runs the growth benchmark and returns its table, summary lines and chart. */
export async function run({ quick }: { quick: boolean }): Promise<BenchReport> {
  const count = quick ? 100 : 1000;
  const checkpoints = quick ? [10, 100] : [10, 100, 1000];
  const emulator = await startMessagesEmulator({ respond });
  const curves: Curve[] = [];
  const skipped: string[] = [];
  try {
    for (const backend of BACKENDS) {
      for (const compaction of [false, true]) {
        try {
          curves.push(await curve(backend, compaction, count, emulator.url, () => emulator.reset()));
        } catch (error) {
          // Only PostgreSQL may be missing (Redis is started by the run); say so rather than stop the run.
          if (backend.name !== 'postgres') throw error;
          skipped.push(`${backend.name}: not measured (${error instanceof Error ? error.message : String(error)})`);
          break;
        }
      }
    }
  } finally {
    await emulator.close();
  }
  const header = checkpoints.map((turn) => `turn ${turn.toLocaleString('en-US')}`);
  const lines = [
    `## Growth: store time per turn through AgentExecutor, by session length${quick ? ' (quick)' : ''}`,
    '',
    'Each cell: load + append time of that turn in ms (median of the five turns ending there), then the whole turn\'s wall time. ' +
      `With compaction: \`compaction: { contextWindow: ${COMPACTING.contextWindow} }\`, so the emulator's token estimate triggers it every few dozen turns.`,
    '',
    `| store | compaction | ${header.map((label) => `store ms, ${label}`).join(' | ')} | ${header.map((label) => `turn ms, ${label}`).join(' | ')} | last / first | compactions |`,
    `|---|---|${checkpoints.map(() => '---|').join('')}${checkpoints.map(() => '---|').join('')}---|---|`,
  ];
  const summary: SummaryRow[] = [];
  const cycleRows: string[] = [];
  for (const result of curves) {
    const store = checkpoints.map((turn) => at(result.turns, turn, 'storeMs'));
    const wall = checkpoints.map((turn) => at(result.turns, turn, 'turnMs'));
    const growth = store.at(-1)! / store[0]!;
    lines.push(
      `| ${result.backend} | ${result.compaction ? 'on' : 'off'} | ${store.map((value) => value.toFixed(3)).join(' | ')} | ${wall.map((value) => value.toFixed(1)).join(' | ')} | ${formatRatio(growth)} | ${result.compactions} |`,
    );
    summary.push({
      measurement: `growth: ${result.backend} store time per turn, turn ${checkpoints.at(-1)!.toLocaleString('en-US')} / turn ${checkpoints[0]}, compaction ${result.compaction ? 'on' : 'off'}`,
      value: `${store.at(-1)!.toFixed(3)} ms`,
      baseline: `${store[0]!.toFixed(3)} ms`,
      ratio: growth,
      target: '',
    });
    if (result.compaction) {
      const last = checkpoints.at(-1)!;
      const first = cycleMedian(result.turns, checkpoints[0]!);
      const latest = cycleMedian(result.turns, last);
      cycleRows.push(`| ${result.backend} | ${checkpoints.map((turn) => cycleMedian(result.turns, turn).toFixed(3)).join(' | ')} | ${formatRatio(latest / first)} |`);
      summary.push({
        measurement: `growth (#9): ${result.backend} median store time per turn over turns ${last - CYCLE + 1}–${last} / turns 1–${CYCLE}, compaction on`,
        value: `${latest.toFixed(3)} ms`,
        baseline: `${first.toFixed(3)} ms`,
        ratio: latest / first,
        target: '≤ 2×',
        pass: latest / first <= 2,
      });
    }
  }
  if (cycleRows.length > 0) {
    lines.push(
      '',
      `With compaction, the median store time per turn over the ${CYCLE} turns ending at each checkpoint (the first ${CYCLE} for turn 10): about one compaction cycle, so where a single turn falls in the cycle does not decide the comparison.`,
      '',
      `| store | ${header.map((label) => `median ms, ${CYCLE} turns to ${label}`).join(' | ')} | last / first |`,
      `|---|${checkpoints.map(() => '---|').join('')}---|`,
      ...cycleRows,
    );
  }
  if (skipped.length > 0) lines.push('', ...skipped);
  const series: LineSeries[] = curves.map((result) => ({
    name: `${result.backend}${result.compaction ? ', compaction' : ''}`,
    points: bucketed(result.turns, 50),
    color: PALETTE[BACKENDS.findIndex((backend) => backend.name === result.backend)]!,
    ...(result.compaction ? { dashed: true } : {}),
  }));
  const chart = lineChart({ title: 'Store time per turn (load + append), by turn number', xLabel: 'turn', yLabel: 'ms per turn (log)', series, logY: true });
  return { markdown: lines.join('\n'), summary, charts: [{ slug: 'growth', title: 'Store time per turn by turn number', svg: chart }] };
}
