// @sdk/store-memory: appends and loads of 10–10,000-entry sessions, each next to its floor measured
// in the same run: a plain array push for an append, a copy of an array for a load. The store keeps
// entries as JSON text (so callers never share objects with it), so the serialising floors (stringify +
// push, JSON.parse per entry) are the ones the summary and chart compare a load with.
import { randomUUID } from 'node:crypto';
import type { SessionStoreEntry } from '@sdk/core/store';
import { InMemorySessionStore } from '@sdk/store-memory';
import type { BenchReport, SummaryRow } from './report.js';
import { benchRow, formatTable, measure, percentile } from './stats.js';
import type { BenchRow } from './stats.js';
import { lineChart, PALETTE } from './svg-chart.js';
import { benchEntries } from './transcript-fixture.js';

const PROJECT = 'bench-project';

/** Runs the memory store benchmark and returns its table, summary lines and chart. */
export async function run({ quick }: { quick: boolean }): Promise<BenchReport> {
  const store = new InMemorySessionStore();
  const sizes = quick ? [10, 100, 1000] : [10, 100, 1000, 10_000];
  const iterations = quick ? 200 : 2000;
  const rows: BenchRow[] = [];
  const appendPoints: Array<[number, number, number]> = [];
  const loadPoints: Array<[number, number, number]> = [];
  for (const size of sizes) {
    const key = { projectKey: PROJECT, sessionId: randomUUID() };
    await store.append(key, benchEntries(size));
    const array: SessionStoreEntry[] = benchEntries(size);
    const lines = array.map((entry) => JSON.stringify(entry));
    const pool = benchEntries(64);
    const ours: number[] = [];
    const push: number[] = [];
    const serialisedPush: number[] = [];
    // Interleaved, so that GC pauses and machine noise hit every column alike.
    await measure(iterations, async (index) => {
      const entry = { ...pool[Math.abs(index) % pool.length]!, uuid: randomUUID() };
      let started = process.hrtime.bigint();
      await store.append(key, [entry]);
      if (index >= 0) ours.push(Number(process.hrtime.bigint() - started) / 1e6);
      started = process.hrtime.bigint();
      array.push(entry);
      if (index >= 0) push.push(Number(process.hrtime.bigint() - started) / 1e6);
      started = process.hrtime.bigint();
      lines.push(JSON.stringify(entry));
      if (index >= 0) serialisedPush.push(Number(process.hrtime.bigint() - started) / 1e6);
    });
    rows.push(benchRow(`append 1 entry to a ${size}-entry session`, ours, push, 'floor: array push'));
    rows.push(benchRow(`append 1 entry to a ${size}-entry session`, ours, serialisedPush, 'floor: JSON.stringify + array push'));
    appendPoints.push([size, percentile(ours, 50), percentile(push, 50)]);

    const loadKey = { projectKey: PROJECT, sessionId: randomUUID() };
    await store.append(loadKey, benchEntries(size));
    const loadIterations = Math.max(quick ? 5 : 20, Math.min(iterations, Math.floor((quick ? 20_000 : 200_000) / size)));
    const loads: number[] = [];
    const copies: number[] = [];
    const parses: number[] = [];
    await measure(loadIterations, async (index) => {
      let started = process.hrtime.bigint();
      const loaded = await store.load(loadKey);
      if (index >= 0) loads.push(Number(process.hrtime.bigint() - started) / 1e6);
      started = process.hrtime.bigint();
      const copy = array.slice(0, size);
      if (index >= 0) copies.push(Number(process.hrtime.bigint() - started) / 1e6);
      started = process.hrtime.bigint();
      const parsed = lines.slice(0, size).map((line) => JSON.parse(line) as unknown);
      if (index >= 0) parses.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (loaded?.length !== copy.length || parsed.length !== size) throw new Error('load returned a different number of entries');
    });
    rows.push(benchRow(`load a ${size}-entry session`, loads, copies, 'floor: array copy'));
    rows.push(benchRow(`load a ${size}-entry session`, loads, parses, 'floor: JSON.parse per entry'));
    loadPoints.push([size, percentile(loads, 50), percentile(parses, 50)]);
  }
  const largest = sizes.at(-1)!;
  const append = appendPoints.at(-1)!;
  const load = loadPoints.at(-1)!;
  const summary: SummaryRow[] = [
    { measurement: `store floor: memory append to a ${largest}-entry session, p50`, value: `${append[1].toFixed(4)} ms`, baseline: `array push ${append[2].toFixed(4)} ms`, ratio: append[1] / append[2], target: '' },
    { measurement: `store floor: memory load of ${largest} entries, p50`, value: `${load[1].toFixed(3)} ms`, baseline: `JSON.parse per entry ${load[2].toFixed(3)} ms`, ratio: load[1] / load[2], target: '' },
  ];
  const chart = lineChart({
    title: '@sdk/store-memory: p50 by session size, next to its floor',
    xLabel: 'entries in the session',
    yLabel: 'ms (log)',
    logX: true,
    logY: true,
    series: [
      { color: PALETTE[0]!, name: 'append 1 entry', points: appendPoints.map(([size, ours]) => [size, ours] as const) },
      { color: PALETTE[0]!, name: 'floor: array push', points: appendPoints.map(([size, , floor]) => [size, floor] as const), dashed: true },
      { color: PALETTE[1]!, name: 'load', points: loadPoints.map(([size, ours]) => [size, ours] as const) },
      { color: PALETTE[1]!, name: 'floor: JSON.parse per entry', points: loadPoints.map(([size, , floor]) => [size, floor] as const), dashed: true },
    ],
  });
  return {
    markdown: formatTable(`@sdk/store-memory${quick ? ' (quick)' : ''}`, rows),
    summary,
    charts: [{ slug: 'store-memory', title: '@sdk/store-memory next to its floor', svg: chart }],
  };
}
