// @sdk/store-file: durable appends, loads and listings, each next to the raw fs floor measured in the same run.
import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdtemp, open, readdir, readFile, lstat, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSessionStore } from '@sdk/store-file';
import type { BenchReport, SummaryRow } from './report.js';
import { benchEntries, benchEntry } from './transcript-fixture.js';
import { benchRow, formatTable, measure, percentile } from './stats.js';
import type { BenchRow } from './stats.js';
import { lineChart, PALETTE } from './svg-chart.js';

const PROJECT = '-bench-project';

/** p50 of a measurement and of its floor at one session size, for the chart and the summary. */
type SizePoint = { size: number; ours: number; floor: number };

/** The floor of a durable append: open with O_APPEND, one write, fdatasync, close. */
async function rawAppend(path: string, bytes: Buffer, durable: boolean): Promise<void> {
  const handle = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o600);
  try {
    await handle.write(bytes);
    if (durable) await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** The floor of a load: read the file and JSON.parse every line. */
async function rawLoad(path: string): Promise<unknown[]> {
  const text = await readFile(path, 'utf8');
  const lines = text.split('\n');
  lines.pop();
  return lines.map((line) => JSON.parse(line) as unknown);
}

async function appendRows(root: string, quick: boolean): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const iterations = quick ? 30 : 300;
  const configurations = [
    { durability: 'fsync', lockLingerMs: 20 },
    { durability: 'fsync', lockLingerMs: 0 },
    { durability: 'none', lockLingerMs: 20 },
  ] as const;
  for (const { durability, lockLingerMs } of configurations) {
    const store = new FileSessionStore({ root, durability, lockLingerMs });
    const key = { projectKey: PROJECT, sessionId: randomUUID() };
    const rawPath = join(root, `raw-${durability}-${lockLingerMs}.jsonl`);
    const pool = benchEntries(iterations + 10);
    const durable = durability === 'fsync';
    // Interleaved rounds, so that disk and CPU noise hits both sides alike.
    const ours: number[] = [];
    const floor: number[] = [];
    let next = 0;
    await measure(
      iterations,
      async () => {
        const item = pool[next++ % pool.length]!;
        const bytes = Buffer.from(`${JSON.stringify(item)}\n`);
        let started = process.hrtime.bigint();
        await store.append(key, [item]);
        ours.push(Number(process.hrtime.bigint() - started) / 1e6);
        started = process.hrtime.bigint();
        await rawAppend(rawPath, bytes, durable);
        floor.push(Number(process.hrtime.bigint() - started) / 1e6);
      },
      0,
    );
    await store.flush();
    rows.push(benchRow(`append 1 entry (~1 KB), durability '${durability}', lockLingerMs ${lockLingerMs}`, ours, floor, durable ? 'floor: open + write + fdatasync + close' : 'floor: open + write + close'));
  }
  return rows;
}

/** Durable append (the defaults) to sessions of 10–10,000 entries: its cost should not grow with the file. */
async function appendBySizeRows(root: string, quick: boolean, points: SizePoint[]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const store = new FileSessionStore({ root });
  const iterations = quick ? 20 : 100;
  for (const size of quick ? [10, 100, 1000] : [10, 100, 1000, 10_000]) {
    const key = { projectKey: PROJECT, sessionId: randomUUID() };
    const seed = benchEntries(size);
    for (let at = 0; at < seed.length; at += 1000) await store.append(key, seed.slice(at, at + 1000));
    const rawPath = join(root, `raw-size-${size}.jsonl`);
    let last = seed.at(-1)?.uuid ?? null;
    const ours: number[] = [];
    const floor: number[] = [];
    await measure(
      iterations,
      async () => {
        const item = benchEntry(size, last);
        last = item.uuid ?? null;
        let started = process.hrtime.bigint();
        await store.append(key, [item]);
        ours.push(Number(process.hrtime.bigint() - started) / 1e6);
        started = process.hrtime.bigint();
        await rawAppend(rawPath, Buffer.from(`${JSON.stringify(item)}\n`), true);
        floor.push(Number(process.hrtime.bigint() - started) / 1e6);
      },
      0,
    );
    rows.push(benchRow(`append 1 entry to a ${size.toLocaleString('en-US')}-entry session (defaults: fsync)`, ours, floor, 'floor: open + write + fdatasync + close'));
    points.push({ size, ours: percentile(ours, 50), floor: percentile(floor, 50) });
  }
  await store.flush();
  return rows;
}

async function loadRows(root: string, quick: boolean, points: SizePoint[]): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const store = new FileSessionStore({ root, durability: 'none' });
  for (const size of quick ? [10, 100, 1000] : [10, 100, 1000, 10_000]) {
    const key = { projectKey: PROJECT, sessionId: randomUUID() };
    await store.append(key, benchEntries(size));
    const path = join(root, 'projects', PROJECT, `${key.sessionId}.jsonl`);
    const iterations = Math.max(quick ? 5 : 20, Math.min(quick ? 50 : 300, Math.floor(100_000 / size)));
    const ours: number[] = [];
    const floor: number[] = [];
    await measure(iterations, async (index) => {
      let started = process.hrtime.bigint();
      const loaded = await store.load(key);
      if (index >= 0) ours.push(Number(process.hrtime.bigint() - started) / 1e6);
      started = process.hrtime.bigint();
      const raw = await rawLoad(path);
      if (index >= 0) floor.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (loaded?.length !== raw.length) throw new Error('load returned a different number of entries');
    });
    rows.push(benchRow(`load ${size.toLocaleString('en-US')} entries`, ours, floor, 'floor: readFile + JSON.parse per line'));
    points.push({ size, ours: percentile(ours, 50), floor: percentile(floor, 50) });
  }
  return rows;
}

async function listingRows(root: string, quick: boolean): Promise<BenchRow[]> {
  const sessions = quick ? 200 : 1000;
  const projectKey = '-bench-listing';
  const store = new FileSessionStore({ root, durability: 'none' });
  const keys = Array.from({ length: sessions }, () => ({ projectKey, sessionId: randomUUID() }));
  for (let index = 0; index < keys.length; index += 50) {
    await Promise.all(keys.slice(index, index + 50).map((key, offset) => store.append(key, [benchEntry(index + offset, null), benchEntry(1, null)])));
  }
  const directory = join(root, 'projects', projectKey);
  const iterations = quick ? 5 : 30;
  // Interleaved, so that a burst of disk activity from elsewhere hits every column alike.
  const floor: number[] = [];
  const listed: number[] = [];
  const summaries: number[] = [];
  const time = async (samples: number[], operation: () => Promise<number>, expected: number, index: number) => {
    const started = process.hrtime.bigint();
    const count = await operation();
    if (index >= 0) samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (count !== expected) throw new Error(`listed ${count} of ${expected} sessions`);
  };
  await measure(iterations, async (index) => {
    await time(
      floor,
      async () => {
        const names = (await readdir(directory)).filter((name) => name.endsWith('.jsonl'));
        return (await Promise.all(names.map((name) => lstat(join(directory, name))))).length;
      },
      sessions,
      index,
    );
    await time(listed, async () => (await store.listSessions(projectKey)).length, sessions, index);
    await time(summaries, async () => (await store.listSessionSummaries(projectKey)).length, sessions, index);
  }, 3);
  const count = sessions.toLocaleString('en-US');
  return [
    benchRow(`listSessions, ${count} sessions`, listed, floor, 'target < 50 ms; floor: readdir + lstat each'),
    benchRow(`listSessionSummaries, ${count} sessions`, summaries, floor, 'one small meta file per session, no transcript read'),
  ];
}

/** Runs the file store benchmark and returns its table, summary lines and chart. */
export async function run({ quick }: { quick: boolean }): Promise<BenchReport> {
  const root = await mkdtemp(join(tmpdir(), 'bench-store-file-'));
  const appends: SizePoint[] = [];
  const loads: SizePoint[] = [];
  try {
    const rows = [
      ...(await appendRows(root, quick)),
      ...(await appendBySizeRows(root, quick, appends)),
      ...(await loadRows(root, quick, loads)),
      ...(await listingRows(root, quick)),
    ];
    const append = appends.at(-1)!;
    const load = loads.at(-1)!;
    const summary: SummaryRow[] = [
      {
        measurement: `store floor: file append to a ${append.size}-entry session (fsync), p50`,
        value: `${append.ours.toFixed(2)} ms`,
        baseline: `open+write+fdatasync ${append.floor.toFixed(2)} ms`,
        ratio: append.ours / append.floor,
        target: '',
      },
      { measurement: `store floor: file load of ${load.size} entries, p50`, value: `${load.ours.toFixed(2)} ms`, baseline: `readFile+JSON.parse ${load.floor.toFixed(2)} ms`, ratio: load.ours / load.floor, target: '' },
    ];
    const chart = lineChart({
      title: '@sdk/store-file: p50 by session size, next to its floor',
      xLabel: 'entries in the session',
      yLabel: 'ms (log)',
      logX: true,
      logY: true,
      series: [
        { color: PALETTE[0]!, name: 'append 1 entry (fsync)', points: appends.map((point) => [point.size, point.ours] as const) },
        { color: PALETTE[0]!, name: 'floor: write + fdatasync', points: appends.map((point) => [point.size, point.floor] as const), dashed: true },
        { color: PALETTE[1]!, name: 'load', points: loads.map((point) => [point.size, point.ours] as const) },
        { color: PALETTE[1]!, name: 'floor: readFile + parse', points: loads.map((point) => [point.size, point.floor] as const), dashed: true },
      ],
    });
    return {
      markdown: formatTable(`@sdk/store-file${quick ? ' (quick)' : ''}`, rows),
      summary,
      charts: [{ slug: 'store-file', title: '@sdk/store-file next to its floor', svg: chart }],
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
