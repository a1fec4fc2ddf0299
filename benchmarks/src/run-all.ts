// Runs every benchmark module in turn, prints its tables and a summary, and writes the results file
// and charts to benchmarks/results. `--quick` shrinks sizes (CI smoke run) and writes its results to a
// temporary directory it then deletes, so CI leaves no files. `--only a,b` runs the modules whose
// file names contain one of the words (while working on one benchmark).
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineInfo } from './machine-info.js';
import { startBenchRedis } from './redis-server.js';
import { formatSummary, type BenchModule, type BenchReport } from './report.js';
import { writeResults } from './results-writer.js';

const quick = process.argv.includes('--quick');
const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex === -1 ? undefined : (process.argv[onlyIndex + 1] ?? '').split(',');
const started = performance.now();
const directory = fileURLToPath(new URL('.', import.meta.url));
/** The order of issue #10's list, so the summary reads the same way; a new module runs last. */
const ORDER = ['official-side-by-side', 'memory-store', 'file-store', 'redis-store', 'postgres-store', 'scale', 'growth', 'executor'];
const rank = (file: string): number => {
  const index = ORDER.indexOf(file.replace(/\.bench\.ts$/, ''));
  return index === -1 ? ORDER.length : index;
};
const modules = (await readdir(directory))
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => only === undefined || only.some((word) => file.includes(word)))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));

const redis = await startBenchRedis();
// Every module reads REDIS_URL when it is imported, below.
process.env.REDIS_URL = redis.url;
console.log(`Redis: ${redis.url}${redis.startedHere ? ' (started by this run)' : ' (REDIS_URL)'}\n`);
const reports: BenchReport[] = [];
try {
  for (const file of modules) {
    const module = (await import(new URL(file, import.meta.url).href)) as BenchModule;
    const moduleStarted = performance.now();
    const outcome = await module.run({ quick });
    const report = typeof outcome === 'string' ? { markdown: outcome, summary: [], charts: [] } : outcome;
    reports.push(report);
    console.log(report.markdown);
    console.log(`\n(${file}: ${((performance.now() - moduleStarted) / 1000).toFixed(1)} s)\n`);
  }
  const machine = await machineInfo(redis.url);
  const seconds = (performance.now() - started) / 1000;
  console.log('## Summary\n');
  console.log(formatSummary(reports.flatMap((report) => report.summary)));
  const date = new Date().toISOString().slice(0, 10);
  const target = quick ? await mkdtemp(join(tmpdir(), 'bench-results-')) : fileURLToPath(new URL('../results', import.meta.url));
  const written = await writeResults(target, { date, quick, seconds, machine, reports });
  if (quick) {
    await rm(target, { recursive: true, force: true });
    console.log(`\nQuick mode: wrote and removed ${written.length} result files; ${seconds.toFixed(1)} s in all.`);
  } else {
    console.log(`\nWrote ${written.map((path) => path.replace(`${fileURLToPath(new URL('../', import.meta.url))}`, '')).join(', ')}; ${(seconds / 60).toFixed(1)} minutes in all.`);
  }
} finally {
  await redis.stop();
}
