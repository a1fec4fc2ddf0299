/** Percentile helpers shared by every benchmark: measurements are printed, never asserted. */

/** The p-th percentile (0..100) of `samples`, nearest-rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Runs `operation` `iterations` times after `warmup` untimed runs; returns the durations in ms. */
export async function measure(iterations: number, operation: (index: number) => Promise<unknown>, warmup = 5): Promise<number[]> {
  for (let index = 0; index < warmup; index++) await operation(-1 - index);
  const samples: number[] = [];
  for (let index = 0; index < iterations; index++) {
    const started = process.hrtime.bigint();
    await operation(index);
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return samples;
}

/** A row of a results table: a measurement next to its floor, and their ratio. */
export type BenchRow = { name: string; p50: number; p99: number; floorP50?: number; ratio?: number; note?: string };

export function formatTable(title: string, rows: readonly BenchRow[]): string {
  const lines = [`## ${title}`, '', '| measurement | p50 ms | p99 ms | floor p50 ms | ratio | note |', '|---|---|---|---|---|---|'];
  for (const row of rows) {
    lines.push(
      `| ${row.name} | ${row.p50.toFixed(3)} | ${row.p99.toFixed(3)} | ${row.floorP50?.toFixed(3) ?? ''} | ${row.ratio?.toFixed(2) ?? ''} | ${row.note ?? ''} |`,
    );
  }
  return lines.join('\n');
}

/** A row from raw samples; with `floor`, its p50 and the ratio of the two p50s. */
export function benchRow(name: string, samples: number[], floor?: number[], note?: string): BenchRow {
  const p50 = percentile(samples, 50);
  const result: BenchRow = { name, p50, p99: percentile(samples, 99) };
  if (floor !== undefined) {
    result.floorP50 = percentile(floor, 50);
    result.ratio = p50 / result.floorP50;
  }
  if (note !== undefined) result.note = note;
  return result;
}
