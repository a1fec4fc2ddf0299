// @sdk/store-postgres: appends and loads, each next to its floor (a `SELECT 1` round trip, a bare
// INSERT of the same entry, a bare SELECT of the rows + JSON.parse) measured through the same pool in
// the same run. A fresh schema per run, dropped at the end.
import { randomUUID } from 'node:crypto';
import { migrate, PostgresSessionStore } from '@sdk/store-postgres';
import { pgUrl } from './postgres-url.js';
import { benchEntries, benchEntry } from './transcript-fixture.js';
import type { BenchReport, SummaryRow } from './report.js';
import { benchRow, formatTable, measure, percentile } from './stats.js';
import type { BenchRow } from './stats.js';
import { lineChart, PALETTE } from './svg-chart.js';

const PROJECT = 'bench-project';

/** Runs the PostgreSQL store benchmark against `PG_URL` and returns its table. */
export async function run({ quick }: { quick: boolean }): Promise<BenchReport> {
  const schema = `bench_${process.pid}_${Date.now().toString(36)}`;
  // One connection: the store and the floors share it, as the Redis benchmark shares its client.
  const store = new PostgresSessionStore({ connectionString: pgUrl(), max: 1 }, { schema });
  const pool = store.pool;
  const rows: BenchRow[] = [];
  /** [size, ours p50, floor p50] per session size, for the chart and the summary. */
  const appendPoints: Array<[number, number, number]> = [];
  const loadPoints: Array<[number, number, number]> = [];
  const sizes = quick ? [10, 100, 1000] : [10, 100, 1000, 10_000];
  const iterations = quick ? 50 : 300;
  const S = `"${schema}"`;
  try {
    await migrate(pool, { schema });
    await pool.query(`CREATE TABLE ${S}.scratch (seq bigserial PRIMARY KEY, entry jsonb NOT NULL)`);
    for (const size of sizes) {
      const key = { projectKey: PROJECT, sessionId: randomUUID() };
      const seed = benchEntries(size);
      for (let at = 0; at < seed.length; at += 500) await store.append(key, seed.slice(at, at + 500));
      // Interleave the measurement and its floors so all see the same machine load.
      const appendSamples: number[] = [];
      const pingSamples: number[] = [];
      const insertSamples: number[] = [];
      let last = seed.at(-1)?.uuid ?? null;
      for (let round = 0; round < 3; round++) {
        appendSamples.push(
          ...(await measure(iterations, async () => {
            const next = benchEntry(size, last);
            last = next.uuid ?? null;
            await store.append(key, [next]);
          })),
        );
        pingSamples.push(...(await measure(iterations, () => store.ping())));
        insertSamples.push(
          ...(await measure(iterations, () => pool.query(`INSERT INTO ${S}.scratch (entry) VALUES ($1::jsonb)`, [JSON.stringify(benchEntry(size, last))]))),
        );
      }
      rows.push(benchRow(`append 1 entry to a ${size}-entry session`, appendSamples, pingSamples, 'floor: SELECT 1'));
      appendPoints.push([size, percentile(appendSamples, 50), percentile(pingSamples, 50)]);
      rows.push(benchRow(`append 1 entry to a ${size}-entry session`, appendSamples, insertSamples, 'floor: bare INSERT of the same entry'));
      await pool.query(`TRUNCATE ${S}.scratch`);

      const loadKey = { projectKey: PROJECT, sessionId: randomUUID() };
      const loadSeed = benchEntries(size);
      for (let at = 0; at < loadSeed.length; at += 500) await store.append(loadKey, loadSeed.slice(at, at + 500));
      const transcript = await pool.query<{ id: string }>(`SELECT id FROM ${S}.transcripts WHERE session_id = $1 AND subpath = ''`, [loadKey.sessionId]);
      const transcriptId = transcript.rows[0]!.id;
      const loadIterations = size >= 10_000 ? Math.max(10, iterations / 10) : iterations;
      const loadSamples: number[] = [];
      const floorSamples: number[] = [];
      for (let round = 0; round < 3; round++) {
        loadSamples.push(...(await measure(loadIterations, () => store.load(loadKey))));
        floorSamples.push(
          ...(await measure(loadIterations, async () => {
            const result = await pool.query<{ json: string }>(`SELECT entry::text AS json FROM ${S}.entries WHERE transcript_id = $1 ORDER BY seq`, [
              transcriptId,
            ]);
            return result.rows.map((row) => JSON.parse(row.json) as unknown);
          })),
        );
      }
      rows.push(benchRow(`load a ${size}-entry session`, loadSamples, floorSamples, 'floor: SELECT entry::text + JSON.parse'));
      loadPoints.push([size, percentile(loadSamples, 50), percentile(floorSamples, 50)]);
    }
    // The same append without waiting for the WAL flush: what the round trips and the SQL cost alone.
    const asyncStore = new PostgresSessionStore({ connectionString: pgUrl(), max: 1, options: '-c synchronous_commit=off' }, { schema });
    try {
      const key = { projectKey: PROJECT, sessionId: randomUUID() };
      await asyncStore.append(key, benchEntries(100));
      let last: string | null = null;
      const appendSamples: number[] = [];
      const insertSamples: number[] = [];
      for (let round = 0; round < 3; round++) {
        appendSamples.push(
          ...(await measure(iterations, async () => {
            const next = benchEntry(100, last);
            last = next.uuid ?? null;
            await asyncStore.append(key, [next]);
          })),
        );
        insertSamples.push(
          ...(await measure(iterations, () =>
            asyncStore.pool.query(`INSERT INTO ${S}.scratch (entry) VALUES ($1::jsonb)`, [JSON.stringify(benchEntry(100, last))]),
          )),
        );
      }
      rows.push(benchRow('append 1 entry to a 100-entry session, synchronous_commit off', appendSamples, insertSamples, 'floor: bare INSERT, same setting'));
    } finally {
      await asyncStore.close();
    }
    const listed = quick ? 20 : 100;
    const listProject = `${PROJECT}-list`;
    for (let index = 0; index < listed; index++) await store.append({ projectKey: listProject, sessionId: randomUUID() }, benchEntries(2));
    const listSamples = await measure(quick ? 20 : 100, () => store.listSessionSummaries(listProject));
    const pingSamples = await measure(quick ? 20 : 100, () => store.ping());
    rows.push(benchRow(`listSessionSummaries of ${listed} sessions`, listSamples, pingSamples, 'floor: SELECT 1'));
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS ${S} CASCADE`);
    await store.close();
  }
  const append = appendPoints.at(-1)!;
  const load = loadPoints.at(-1)!;
  const summary: SummaryRow[] = [
    { measurement: `store floor: postgres append to a ${append[0]}-entry session, p50`, value: `${append[1].toFixed(3)} ms`, baseline: `SELECT 1 ${append[2].toFixed(3)} ms`, ratio: append[1] / append[2], target: '' },
    { measurement: `store floor: postgres load of ${load[0]} entries, p50`, value: `${load[1].toFixed(3)} ms`, baseline: `SELECT + JSON.parse ${load[2].toFixed(3)} ms`, ratio: load[1] / load[2], target: '' },
  ];
  const chart = lineChart({
    title: '@sdk/store-postgres: p50 by session size, next to its floor',
    xLabel: 'entries in the session',
    yLabel: 'ms (log)',
    logX: true,
    logY: true,
    series: [
      { color: PALETTE[0]!, name: 'append 1 entry', points: appendPoints.map(([size, ours]) => [size, ours] as const) },
      { color: PALETTE[0]!, name: 'floor: SELECT 1', points: appendPoints.map(([size, , floor]) => [size, floor] as const), dashed: true },
      { color: PALETTE[1]!, name: 'load', points: loadPoints.map(([size, ours]) => [size, ours] as const) },
      { color: PALETTE[1]!, name: 'floor: SELECT + JSON.parse', points: loadPoints.map(([size, , floor]) => [size, floor] as const), dashed: true },
    ],
  });
  return { markdown: formatTable('@sdk/store-postgres (127.0.0.1, same connection for measurement and floor)', rows), summary, charts: [{ slug: 'store-postgres', title: '@sdk/store-postgres next to its floor', svg: chart }] };
}
