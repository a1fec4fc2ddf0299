// Writes a run to `<dir>/<date>.md` plus one `<date>-<slug>.svg` per chart, linked from the .md.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatMachine, type MachineInfo } from './machine-info.js';
import { formatSummary, type BenchReport } from './report.js';

export type RunRecord = { date: string; quick: boolean; seconds: number; machine: MachineInfo; reports: readonly BenchReport[] };

/** Writes the results file and its charts; returns the paths written. */
export async function writeResults(directory: string, run: RunRecord): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  const written: string[] = [];
  const sections: string[] = [];
  for (const report of run.reports) {
    const images: string[] = [];
    for (const chart of report.charts) {
      const name = `${run.date}-${chart.slug}.svg`;
      const path = join(directory, name);
      await writeFile(path, chart.svg);
      written.push(path);
      images.push(`![${chart.title}](./${name})`);
    }
    sections.push([report.markdown, ...(images.length > 0 ? ['', ...images] : [])].join('\n'));
  }
  const summary = run.reports.flatMap((report) => report.summary);
  const document = [
    `# Benchmark results, ${run.date}${run.quick ? ' (quick mode)' : ''}`,
    '',
    `\`pnpm bench\`${run.quick ? ' --quick' : ''}, ${(run.seconds / 60).toFixed(1)} minutes end to end. How to read each table: [benchmarks/README.md](../README.md).`,
    '',
    '## Machine',
    '',
    formatMachine(run.machine),
    '',
    '## Summary: each measurement against its baseline in the same run',
    '',
    formatSummary(summary),
    '',
    ...sections.flatMap((section) => [section, '']),
  ].join('\n');
  const path = join(directory, `${run.date}.md`);
  await writeFile(path, document);
  written.unshift(path);
  return written;
}
