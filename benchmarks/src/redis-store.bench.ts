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
/** Appends (and as many PINGs and RPUSHes) of one kind in a row (see {@link interleaved}). */
const BLOCK = 10;
/**
 * Untimed calls of each kind before the appends and their floors are timed, at every session size:
 * an append runs far more JavaScript than a PING, which V8 optimises over hundreds of calls (in a
 * fresh process the append's p50 kept falling for its first 300 to 600 calls). With 5, the first
 * size measured part of that: 0.113 ms against 0.057-0.068 ms for the later sizes in the same run.
 * A worker appends all day; its steady state is what the floor is compared with.
 */
const APPEND_WARMUP = 500;

/**
 * Times each of `kinds` `iterations` times, in blocks of {@link BLOCK} calls of one kind, the kinds
 * taking turns and the first kind rotating from block to block (as `executor.bench.ts` does), and
 * returns each kind's samples in ms. Blocks of 300 per kind let the machine change between a
 * measurement and its floor: on the shared 2-core machine a PING round trip takes 0.025 ms while
 * nothing else runs and 0.07 ms while other work keeps a core busy, and one run measured a 1,000-entry session's
 * appends at 0.090 ms against PINGs at 0.056 ms (1.60×) while the next size's PINGs took 0.023 ms.
 * Short blocks spread every change in load over all kinds alike, and the rotation makes each kind
 * follow each other one equally often, so none always runs in the caches another left.
 */
async function interleaved(iterations: number, kinds: ReadonlyArray<() => Promise<unknown>>): Promise<number[][]> {
  const samples = kinds.map((): number[] => []);
  for (let first = 0; first < iterations; first += BLOCK) {
    const count = Math.min(BLOCK, iterations - first);
    for (let step = 0; step < kinds.length; step++) {
      const kind = (first / BLOCK + step) % kinds.length;
      const call = kinds[kind]!;
      for (let index = 0; index < count; index++) {
        const started = process.hrtime.bigint();
        await call();
        samples[kind]!.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    }
  }
  return samples;
}

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
      const scratch = `${prefix}:scratch`;
      // The entries are made before the clock starts: the fixture's uuid, timestamp and padding are
      // not the store's work. Both appends and the RPUSH floor take theirs from the same chain.
      const chain: SessionStoreEntry[] = [];
      let last = seed.at(-1)?.uuid ?? null;
      for (let index = 0; index < 2 * (APPEND_WARMUP + 3 * iterations); index++) {
        const next = benchEntry(size, last);
        chain.push(next);
        last = next.uuid ?? null;
      }
      let taken = 0;
      // The floors go through `sendCommand`, the path the store's own commands take: `client.ping()`
      // and `client.rPush()` add node-redis's command builder to the floor (about 1 µs, 3% of a PING).
      const kinds = [
        () => store.append(key, [chain[taken++]!]),
        () => client.sendCommand(['PING']),
        () => client.sendCommand(['RPUSH', scratch, JSON.stringify(chain[taken++]!)]),
      ];
      for (let index = 0; index < APPEND_WARMUP; index++) for (const call of kinds) await call();
      const [appendSamples, pingSamples, pushSamples] = (await interleaved(3 * iterations, kinds)) as [number[], number[], number[]];
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
