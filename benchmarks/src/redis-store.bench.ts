// @sdk/store-redis: appends and loads, each next to its floor (a PING round trip; LRANGE + JSON.parse)
// measured through the same client in the same run.
import { randomUUID } from 'node:crypto';
import { RedisSessionStore } from '@sdk/store-redis';
import { createClient } from 'redis';
import type { SessionStoreEntry } from '@sdk/core/store';
import { benchEntries, benchEntry } from './transcript-fixture.js';
import type { BenchReport, SummaryRow } from './report.js';
import { benchRow, formatTable, measure, percentile } from './stats.js';
import type { BenchRow } from './stats.js';
import { lineChart, PALETTE } from './svg-chart.js';

const URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PROJECT = 'bench-project';
/** Untimed calls before each measured series (what `measure` does by default). */
const WARMUP = 5;

/** Runs the Redis store benchmark against `REDIS_URL` (default 127.0.0.1:6379) and returns its table. */
export async function run({ quick }: { quick: boolean }): Promise<BenchReport> {
  const client = createClient({ url: URL });
  await client.connect();
  const prefix = `bench-${process.pid}-${Date.now().toString(36)}`;
  const store = new RedisSessionStore({ client }, { prefix });
  const rows: BenchRow[] = [];
  /** [size, ours p50, floor p50] per session size, for the chart and the summary. */
  const appendPoints: Array<[number, number, number]> = [];
  const loadPoints: Array<[number, number, number]> = [];
  const sizes = quick ? [10, 100, 1000] : [10, 100, 1000, 10_000];
  const iterations = quick ? 50 : 300;
  try {
    for (const size of sizes) {
      const key = { projectKey: PROJECT, sessionId: randomUUID() };
      const seed = benchEntries(size);
      for (let at = 0; at < seed.length; at += 500) await store.append(key, seed.slice(at, at + 500));
      // Interleave the measurement and its floor so both see the same machine load.
      const appendSamples: number[] = [];
      const pingSamples: number[] = [];
      const pushSamples: number[] = [];
      const scratch = `${prefix}:scratch`;
      // The entries are made before the clock starts: the fixture's uuid, timestamp and padding are
      // not the store's work. Both appends and the RPUSH floor take theirs from the same chain.
      const chain: SessionStoreEntry[] = [];
      let last = seed.at(-1)?.uuid ?? null;
      for (let index = 0; index < 3 * (iterations + WARMUP) * 2; index++) {
        const next = benchEntry(size, last);
        chain.push(next);
        last = next.uuid ?? null;
      }
      let taken = 0;
      for (let round = 0; round < 3; round++) {
        appendSamples.push(...(await measure(iterations, () => store.append(key, [chain[taken++]!]), WARMUP)));
        pingSamples.push(...(await measure(iterations, () => client.ping(), WARMUP)));
        pushSamples.push(...(await measure(iterations, () => client.rPush(scratch, JSON.stringify(chain[taken++]!)), WARMUP)));
      }
      rows.push(benchRow(`append 1 entry to a ${size}-entry session`, appendSamples, pingSamples, 'floor: PING'));
      appendPoints.push([size, percentile(appendSamples, 50), percentile(pingSamples, 50)]);
      rows.push(benchRow(`append 1 entry to a ${size}-entry session`, appendSamples, pushSamples, 'floor: bare RPUSH of the same entry'));
      await client.del(scratch);

      const loadKey = { projectKey: PROJECT, sessionId: randomUUID() };
      const loadSeed = benchEntries(size);
      for (let at = 0; at < loadSeed.length; at += 500) await store.append(loadKey, loadSeed.slice(at, at + 500));
      const listKey = `{${prefix}:${PROJECT}:${loadKey.sessionId}}:log`;
      const loadIterations = size >= 10_000 ? Math.max(10, iterations / 10) : iterations;
      const loadSamples: number[] = [];
      const floorSamples: number[] = [];
      for (let round = 0; round < 3; round++) {
        loadSamples.push(...(await measure(loadIterations, () => store.load(loadKey))));
        floorSamples.push(
          ...(await measure(loadIterations, async () => (await client.lRange(listKey, 0, -1)).map((line) => JSON.parse(line) as unknown))),
        );
      }
      rows.push(benchRow(`load a ${size}-entry session`, loadSamples, floorSamples, 'floor: LRANGE + JSON.parse'));
      loadPoints.push([size, percentile(loadSamples, 50), percentile(floorSamples, 50)]);
    }
    const summaryKey = { projectKey: `${PROJECT}-list`, sessionId: randomUUID() };
    const listed = quick ? 20 : 100;
    for (let index = 0; index < listed; index++) {
      await store.append({ ...summaryKey, sessionId: randomUUID() }, benchEntries(2));
    }
    const listSamples = await measure(quick ? 20 : 100, () => store.listSessionSummaries(summaryKey.projectKey));
    const pingSamples = await measure(quick ? 20 : 100, () => client.ping());
    rows.push(benchRow(`listSessionSummaries of ${listed} sessions`, listSamples, pingSamples, 'floor: PING'));
  } finally {
    for (const pattern of [`{${prefix}:*`, `${prefix}:*`]) {
      for await (const keys of client.scanIterator({ MATCH: pattern, COUNT: 1000 })) {
        for (const name of keys) await client.unlink(name);
      }
    }
    client.destroy();
  }
  const append = appendPoints.at(-1)!;
  const load = loadPoints.at(-1)!;
  const summary: SummaryRow[] = [
    { measurement: `store floor: redis append to a ${append[0]}-entry session, p50`, value: `${append[1].toFixed(3)} ms`, baseline: `PING ${append[2].toFixed(3)} ms`, ratio: append[1] / append[2], target: '' },
    { measurement: `store floor: redis load of ${load[0]} entries, p50`, value: `${load[1].toFixed(3)} ms`, baseline: `LRANGE + JSON.parse ${load[2].toFixed(3)} ms`, ratio: load[1] / load[2], target: '' },
  ];
  const chart = lineChart({
    title: '@sdk/store-redis: p50 by session size, next to its floor',
    xLabel: 'entries in the session',
    yLabel: 'ms (log)',
    logX: true,
    logY: true,
    series: [
      { color: PALETTE[0]!, name: 'append 1 entry', points: appendPoints.map(([size, ours]) => [size, ours] as const) },
      { color: PALETTE[0]!, name: 'floor: PING', points: appendPoints.map(([size, , floor]) => [size, floor] as const), dashed: true },
      { color: PALETTE[1]!, name: 'load', points: loadPoints.map(([size, ours]) => [size, ours] as const) },
      { color: PALETTE[1]!, name: 'floor: LRANGE + JSON.parse', points: loadPoints.map(([size, , floor]) => [size, floor] as const), dashed: true },
    ],
  });
  return { markdown: formatTable('@sdk/store-redis (127.0.0.1, same client for measurement and floor)', rows), summary, charts: [{ slug: 'store-redis', title: '@sdk/store-redis next to its floor', svg: chart }] };
}
