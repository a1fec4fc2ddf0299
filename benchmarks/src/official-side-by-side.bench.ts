// Issue #10 item 1 / issue #6 targets: the same programs run with @anthropic-ai/claude-agent-sdk
// (which spawns its CLI per query), with @sdk/compat (default file store under CLAUDE_CONFIG_DIR), and
// as the floor (a bare @anthropic-ai/sdk client making the same streaming calls), all against one
// emulator in this process. Each program runs in its own child process with a fresh HOME and cwd, so
// the peak memory of that process tree (the official CLI included) belongs to that program alone.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMessagesEmulator } from '@sdk/testing/emulator';
import { watchPeakMemory } from './process-tree-memory.js';
import { formatRatio, type BenchReport, type SummaryRow } from './report.js';
import { percentile } from './stats.js';
import { barChart } from './svg-chart.js';

const RUNNER = fileURLToPath(new URL('./side-by-side-runner.mjs', import.meta.url));
/**
 * `compat-fsync` is informational (no target): @sdk/compat on a store that fsyncs every append.
 * Compat's default store writes like the official CLI, which never fsyncs its transcripts; this row
 * shows what the stronger durability costs on the same machine in the same run.
 */
const SDKS = ['official', 'compat', 'compat-fsync', 'floor'] as const;
const LABELS: Record<Sdk, string> = {
  official: '@anthropic-ai/claude-agent-sdk',
  compat: '@sdk/compat',
  'compat-fsync': '@sdk/compat, fsync store',
  floor: 'floor: bare @anthropic-ai/sdk',
};
/** Legend names short enough for the chart. */
const SHORT_LABELS: Record<Sdk, string> = {
  official: 'official SDK (+ its CLI)',
  compat: '@sdk/compat',
  'compat-fsync': '@sdk/compat, fsync store',
  floor: 'floor: bare API client',
};
type Sdk = (typeof SDKS)[number];
type Program = 'oneshot' | 'resume' | 'stream';
/** One row of the comparison: a program, how many timed queries or turns, and (stream) whether a whole untimed conversation runs first. */
type Run = {
  id: string;
  program: Program;
  count: number;
  /** Stream only: one whole untimed conversation first, in a query of its own (the runner's --warm-conversation). */
  warmConversation?: boolean;
  label: string;
  unit: string;
  /** official / compat p50 to reach; none for an informational row. */
  target?: number;
  /** Left out of the peak-memory comparison (which keeps measuring the three programs it always did). */
  timingOnly?: boolean;
};
type Outcome = { samples: number[]; peakBytes: number; peakProcesses: number };

/** Runs one program with one SDK in a fresh child process and home; its timings and peak tree RSS. */
async function runProgram(sdk: Sdk, { program, count, warmConversation }: Run, emulatorUrl: string): Promise<Outcome> {
  const home = await mkdtemp(join(tmpdir(), `bench-side-${sdk}-`));
  const cwd = await mkdtemp(join(tmpdir(), `bench-side-cwd-`));
  try {
    const args = [RUNNER, '--sdk', sdk, '--program', program, '--count', String(count), ...(warmConversation === true ? ['--warm-conversation'] : [])];
    const child = spawn(process.execPath, args, {
      cwd,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: home,
        CLAUDE_CONFIG_DIR: join(home, '.claude'),
        ANTHROPIC_BASE_URL: emulatorUrl,
        ANTHROPIC_API_KEY: 'bench-key',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_TELEMETRY: '1',
        DISABLE_AUTOUPDATER: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const watcher = watchPeakMemory(child.pid!);
    let output = '';
    let errors = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    const [code] = (await once(child, 'exit')) as [number | null];
    const { peakBytes, peakProcesses } = await watcher.stop();
    if (code !== 0) throw new Error(`${sdk} ${program} exited with ${String(code)}: ${errors.slice(-2000)}`);
    const { samples } = JSON.parse(output) as { samples: number[] };
    return { samples, peakBytes, peakProcesses };
  } finally {
    await rm(home, { recursive: true, force: true });
    await rm(cwd, { recursive: true, force: true });
  }
}

async function officialVersion(): Promise<string> {
  const path = fileURLToPath(new URL('../node_modules/@anthropic-ai/claude-agent-sdk/package.json', import.meta.url));
  const manifest = JSON.parse(await readFile(path, 'utf8')) as { version: string; claudeCodeVersion?: string };
  return manifest.version;
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const ms = (value: number): string => `${value.toFixed(1)} ms`;

/** Runs the side-by-side comparison and returns its tables, summary lines and charts. */
export async function run({ quick }: { quick: boolean }): Promise<BenchReport> {
  const turns = quick ? 3 : 20;
  const programs: Run[] = [
    { id: 'oneshot', program: 'oneshot', count: quick ? 3 : 20, label: 'one-shot query()', unit: 'query', target: 50 },
    { id: 'resume', program: 'resume', count: turns, label: `${turns}-turn conversation via resume`, unit: 'turn', target: 10 },
    // A server runs many conversations: the timed one is the process's second, after one untimed
    // conversation, as the one-shot row times queries after an untimed one (decision 34). The
    // official SDK starts a CLI per query, so its timed conversation starts cold all the same.
    { id: 'stream', program: 'stream', count: turns, warmConversation: true, label: `${turns} turns in one streaming-input query (the process's second conversation)`, unit: 'turn', target: 10 },
    // Informational: the same program as the process's first conversation, JIT warm-up included.
    { id: 'stream-first', program: 'stream', count: turns, label: `${turns} turns in one streaming-input query (the process's first conversation)`, unit: 'turn', timingOnly: true },
  ];
  const emulator = await startMessagesEmulator();
  const results = new Map<string, Outcome>();
  try {
    for (const run of programs) {
      for (const sdk of SDKS) {
        results.set(`${sdk}/${run.id}`, await runProgram(sdk, run, emulator.url));
        emulator.reset();
      }
    }
  } finally {
    await emulator.close();
  }
  const outcome = (sdk: Sdk, id: string): Outcome => results.get(`${sdk}/${id}`)!;
  const p = (sdk: Sdk, id: string, rank: number): number => percentile(outcome(sdk, id).samples, rank);

  const version = await officialVersion();
  const lines = [
    `## Side by side: the official SDK ${version}, @sdk/compat and the floor, same programs, same emulator${quick ? ' (quick)' : ''}`,
    '',
    'Wall time of each query (one-shot) or turn (resume: each `query()` call; streaming input: from sending a message to its result), ' +
      'and the peak RSS of the program\'s whole process tree, sampled every 20 ms (the official SDK\'s tree includes the CLI it spawns).',
    '',
    '| program | SDK | n | p50 ms | p99 ms | peak RSS (tree) | processes | official / this (p50) | this / floor (p50) |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const { id, label } of programs) {
    for (const sdk of SDKS) {
      const result = outcome(sdk, id);
      lines.push(
        `| ${label} | ${LABELS[sdk]} | ${result.samples.length} | ${p(sdk, id, 50).toFixed(1)} | ${p(sdk, id, 99).toFixed(1)} | ${mib(result.peakBytes)} | ${result.peakProcesses} | ` +
          `${sdk === 'official' ? '' : formatRatio(p('official', id, 50) / p(sdk, id, 50))} | ${sdk === 'floor' ? '' : formatRatio(p(sdk, id, 50) / p('floor', id, 50))} |`,
      );
    }
  }
  const peak = (sdk: Sdk): number => Math.max(...programs.filter((run) => run.timingOnly !== true).map(({ id }) => outcome(sdk, id).peakBytes));
  lines.push(
    '',
    `Peak RSS over the one-shot, resume and streaming programs: official ${mib(peak('official'))}, @sdk/compat ${mib(peak('compat'))}, floor ${mib(peak('floor'))}.`,
    '',
    `The streaming-input program runs ${turns} timed turns in one query after one untimed conversation of ${turns} turns in a query of its own, for every SDK alike, as the one-shot program times its queries after an untimed one: ` +
      "a server's process has run other conversations before (decision 34). *The process's first conversation* is the same program without that warm-up, V8's compilation of what a turn runs included. Informational: no target.",
    '',
    "`@sdk/compat` uses its default store, which appends like the official CLI (no fsync; docs/decisions.md); " +
      '`@sdk/compat, fsync store` runs the same programs with `sessionStore: new FileSessionStore()`, every append `fdatasync`ed (no target).',
  );

  const speedup = (id: string): number => p('official', id, 50) / p('compat', id, 50);
  const summary: SummaryRow[] = [];
  for (const { id, label, unit, target } of programs) {
    const ratio = speedup(id);
    const row: SummaryRow = {
      measurement: `${label}: ${unit} p50, official / compat`,
      value: `compat ${ms(p('compat', id, 50))}`,
      baseline: `official ${ms(p('official', id, 50))}`,
      ratio,
      target: target === undefined ? '' : `≥ ${target}×`,
    };
    if (target !== undefined) row.pass = ratio >= target;
    summary.push(row);
  }
  for (const { id, label, unit } of programs) {
    summary.push({
      measurement: `${label}: ${unit} p50, compat / floor`,
      value: `compat ${ms(p('compat', id, 50))}`,
      baseline: `floor ${ms(p('floor', id, 50))}`,
      ratio: p('compat', id, 50) / p('floor', id, 50),
      target: '',
    });
  }
  for (const { id, label, unit } of programs) {
    summary.push({
      measurement: `${label}: ${unit} p50, official / compat with an fsync store`,
      value: `compat-fsync ${ms(p('compat-fsync', id, 50))}`,
      baseline: `official ${ms(p('official', id, 50))}`,
      ratio: p('official', id, 50) / p('compat-fsync', id, 50),
      target: '',
    });
  }
  const overFloor = peak('compat') / peak('floor');
  const ofOfficial = peak('compat') / peak('official');
  summary.push(
    { measurement: 'peak memory (process tree), compat / floor', value: `compat ${mib(peak('compat'))}`, baseline: `floor ${mib(peak('floor'))}`, ratio: overFloor, target: '≤ 1.15×', pass: overFloor <= 1.15 },
    {
      measurement: 'peak memory (process tree), compat / official',
      value: `compat ${mib(peak('compat'))}`,
      baseline: `official ${mib(peak('official'))}`,
      ratio: ofOfficial,
      target: '< 0.33× (a third)',
      pass: ofOfficial < 1 / 3,
    },
  );

  const categories = programs.map(({ id, unit }) => `${id} (per ${unit})`);
  const charts = [
    {
      slug: 'side-by-side-time',
      title: 'Side by side: wall time p50 per query / turn',
      svg: barChart({
        title: 'Wall time p50 per query / turn (log scale)',
        yLabel: 'ms',
        categories,
        series: SDKS.map((sdk) => ({ name: SHORT_LABELS[sdk], values: programs.map(({ id }) => p(sdk, id, 50)) })),
        logY: true,
      }),
    },
    {
      slug: 'side-by-side-memory',
      title: 'Side by side: peak RSS of the process tree',
      svg: barChart({
        title: 'Peak RSS of the whole process tree',
        yLabel: 'MiB',
        categories: programs.map(({ id }) => id),
        series: SDKS.map((sdk) => ({ name: SHORT_LABELS[sdk], values: programs.map(({ id }) => outcome(sdk, id).peakBytes / 2 ** 20) })),
      }),
    },
  ];
  return { markdown: lines.join('\n'), summary, charts };
}
