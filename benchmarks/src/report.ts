/** What a benchmark module hands back to run-all: its tables, its lines of the summary, its charts. */

/** One line of the summary printed at the end of a run and written to the results file. */
export type SummaryRow = {
  measurement: string;
  value: string;
  baseline: string;
  /** value / baseline, as the target states it (for example official / ours). */
  ratio?: number;
  /** The target in words, for example '≥ 50×'; empty when the measurement has none. */
  target: string;
  /** Undefined when there is no target to pass or miss. */
  pass?: boolean;
};

/** One SVG chart; `slug` names its file (`<date>-<slug>.svg`). */
export type Chart = { slug: string; title: string; svg: string };

export type BenchReport = { markdown: string; summary: SummaryRow[]; charts: Chart[] };

export type BenchModule = { run: (options: { quick: boolean }) => Promise<string | BenchReport> };

/** A ratio as printed in tables: three significant digits, so 0.334 against a target of 1/3 reads as a miss. */
export function formatRatio(ratio: number | undefined): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return '';
  return ratio >= 100 ? `${ratio.toFixed(0)}×` : ratio >= 10 ? `${ratio.toFixed(1)}×` : ratio >= 1 ? `${ratio.toFixed(2)}×` : `${ratio.toFixed(3)}×`;
}

export function formatSummary(rows: readonly SummaryRow[]): string {
  const lines = ['| measurement | value | baseline | ratio | target | result |', '|---|---|---|---|---|---|'];
  for (const row of rows) {
    const verdict = row.pass === undefined ? '' : row.pass ? 'PASS' : 'MISS';
    lines.push(`| ${row.measurement} | ${row.value} | ${row.baseline} | ${formatRatio(row.ratio)} | ${row.target} | ${verdict} |`);
  }
  return lines.join('\n');
}
