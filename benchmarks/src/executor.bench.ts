// @sdk/core AgentExecutor: overhead of a turn next to the same streaming request made directly with
// @anthropic-ai/sdk to the emulator (the floor, the emulator in a process of its own), measured
// interleaved in the same run; and the worker's memory after many sessions.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import Anthropic from '@anthropic-ai/sdk';
import type { BetaMessageParam } from '@anthropic-ai/sdk/resources/beta/messages/messages';
import { AgentExecutor, rebuildConversation, type SessionRef, type SessionStoreEntry } from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';
import { startMessagesEmulator } from '@sdk/testing/emulator';
import { startEmulatorProcess } from './emulator-process.js';
import type { BenchReport, SummaryRow } from './report.js';
import { formatTable, percentile } from './stats.js';
import type { BenchRow } from './stats.js';
import { barChart, lineChart } from './svg-chart.js';

const MODEL = 'claude-sonnet-4-6';
const PROJECT = 'bench-executor';
/** Calls of one kind in a row (see {@link overhead}). */
const BLOCK = 10;

/**
 * An existing session of `turns - 1` exchanges in the official entry format, as the executor writes
 * it, in the state a store holds it: read back through JSON (decision 40). Strings built by joining
 * (these texts, an answer gathered from its deltas) are chains V8 flattens the first time something
 * reads a character of them, as a rebuild does; the direct calls' histories, rebuilt here, were read
 * flat while every executor sample flattened its whole session again (0.08–0.17× of a 1,000-turn
 * call, in alternating runs). A live session's older answers were flattened by the turns after them,
 * and a file, Redis or PostgreSQL store parses flat strings.
 */
function history(sessionId: string, exchanges: number): SessionStoreEntry[] {
  const entries: SessionStoreEntry[] = [];
  let parentUuid: string | null = null;
  const common = { isSidechain: false, userType: 'external', entrypoint: 'sdk-ts', cwd: '/bench', sessionId, version: '0.1.0', timestamp: '2026-11-26T00:00:00.000Z' };
  for (let index = 0; index < exchanges; index++) {
    const prompt: SessionStoreEntry = { ...common, parentUuid, type: 'user', uuid: randomUUID(), message: { role: 'user', content: [{ type: 'text', text: `turn ${index + 1}` }] } };
    const answer: SessionStoreEntry = {
      ...common,
      parentUuid: prompt.uuid,
      type: 'assistant',
      uuid: randomUUID(),
      message: {
        id: `msg_${index}`,
        type: 'message',
        role: 'assistant',
        model: MODEL,
        content: [{ type: 'text', text: `echo: turn ${index + 1} [messages=${2 * index + 1}]` }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 10, output_tokens: 10 },
      },
    };
    entries.push(prompt, answer, { type: 'last-prompt', lastPrompt: `turn ${index + 1}`, leafUuid: answer.uuid, sessionId });
    parentUuid = answer.uuid!;
  }
  return JSON.parse(JSON.stringify(entries)) as SessionStoreEntry[];
}

/**
 * Executor turn vs direct streaming call with the same history, in alternating blocks.
 *
 * Every sample's session is stored before the first sample is timed, as a long session is in a
 * worker's store long before its next turn: storing a 1,000-turn copy right before a sample made
 * whichever call came next pay the garbage collection of building it.
 *
 * First every path runs untimed until V8 has optimised it, the emulator's included (a fresh process
 * needs several hundred calls: a direct call took 1.4 ms over the first 500 and 0.5 ms after 1,500).
 * Then the calls run in blocks of {@link BLOCK} of one kind, the kinds taking turns and the first
 * kind rotating from block to block: a worker runs turns back to back, and alternating single calls
 * with two other HTTP clients charged the executor for the caches and branch history those clients
 * had just used (its turn runs more code than a bare call: a third of a millisecond per turn more
 * CPU interleaved than back to back). Blocks still see the same machine drift (decision 29).
 *
 * The floor is the same call made with the executor's own client (the same `@anthropic-ai/sdk`
 * client and transport: only the executor's work differs). A client with the SDK's defaults (the
 * global `fetch`) is measured too, for what a program calling the SDK itself would see, but in a
 * pass of its own after the pairs (decision 39): interleaved with them, the garbage and background
 * work of its WebAssembly HTTP parser landed on whichever samples followed, the executor's more
 * than the direct call's (1.15–1.25× against 1.07–1.12× in alternate runs of one build).
 */
async function overhead(url: string, turns: number, iterations: number, warmUp: number): Promise<BenchRow> {
  const store = new InMemorySessionStore();
  const executor = new AgentExecutor({ store, clientOptions: { apiKey: 'x', baseURL: url } });
  const defaultClient = new Anthropic({ apiKey: 'x', baseURL: url, maxRetries: 0 });
  // The direct calls' histories: one of their own per sample too, built up front like the sessions,
  // so that neither side reads a history the previous call left in the CPU's caches.
  const conversation = (): BetaMessageParam[] => [
    ...rebuildConversation(history(randomUUID(), turns - 1)).messages,
    { role: 'user', content: [{ type: 'text', text: `turn ${turns}` }] },
  ];
  const warmUpConversation = conversation();
  // A fresh copy of the session per sample, so every sample runs on a session of exactly `turns - 1` exchanges.
  const sessions: SessionRef[] = [];
  const directConversations: BetaMessageParam[][] = [];
  for (let index = 0; index < iterations; index++) {
    directConversations.push(conversation());
    const session: SessionRef = { projectKey: PROJECT, sessionId: randomUUID() };
    await store.append(session, history(session.sessionId, turns - 1));
    sessions.push(session);
  }
  const executorSamples: number[] = [];
  const directSamples: number[] = [];
  const defaultClientSamples: number[] = [];
  const loadSamples: number[] = [];
  const executorTurn = async (session: SessionRef): Promise<number> => {
    const started = performance.now();
    for await (const message of executor.runTurn({ session, prompt: `turn ${turns}`, model: MODEL, cwd: '/bench' })) {
      if (message.type === 'result' && message.is_error) throw new Error(`turn failed: ${JSON.stringify(message)}`);
    }
    return performance.now() - started;
  };
  const directCall = async (client: Anthropic, messages: BetaMessageParam[]): Promise<number> => {
    const started = performance.now();
    const stream = await client.beta.messages.create({ model: MODEL, max_tokens: 8192, messages, stream: true });
    for await (const _event of stream) {
      // consume like the executor does
    }
    return performance.now() - started;
  };
  // Untimed: each path until it is optimised, on throwaway sessions of the same length.
  for (let index = 0; index < warmUp; index++) {
    const session: SessionRef = { projectKey: PROJECT, sessionId: randomUUID() };
    await store.append(session, history(session.sessionId, turns - 1));
    // What the store alone costs for a plain (copying) load of such a session, for reference: the
    // executor's own load is read-only (no copies). Here, so no timed turn finds its session cached.
    const loadStarted = performance.now();
    await store.load(session);
    if (index >= warmUp / 2) loadSamples.push(performance.now() - loadStarted);
    await executorTurn(session);
    await directCall(executor.client, warmUpConversation);
    await store.delete(session);
  }
  for (let first = 0; first < iterations; first += BLOCK) {
    const block = sessions.slice(first, Math.min(first + BLOCK, iterations));
    const kinds = [
      async () => {
        for (const session of block) executorSamples.push(await executorTurn(session));
      },
      async () => {
        for (let index = first; index < first + block.length; index++) directSamples.push(await directCall(executor.client, directConversations[index]!));
      },
    ];
    const rotation = first / BLOCK;
    for (let step = 0; step < kinds.length; step++) await kinds[(rotation + step) % kinds.length]!();
    for (const session of block) await store.delete(session);
  }
  // The default-fetch client's own pass: its blocks alternate with direct calls of the executor's client.
  const directBesideDefault: number[] = [];
  for (let index = 0; index < warmUp; index++) await directCall(defaultClient, warmUpConversation);
  for (let first = 0; first < iterations; first += BLOCK) {
    const count = Math.min(BLOCK, iterations - first);
    const conversations = Array.from({ length: count }, conversation);
    for (const messages of conversations) defaultClientSamples.push(await directCall(defaultClient, messages));
    for (const messages of conversations) directBesideDefault.push(await directCall(executor.client, messages));
  }
  const p50 = percentile(executorSamples, 50);
  const floorP50 = percentile(directSamples, 50);
  const pairedRatio = percentile(
    executorSamples.map((executorMs, index) => executorMs / directSamples[index]!),
    50,
  );
  return {
    name: `turn of a ${turns}-turn session (memory store)`,
    p50,
    p99: percentile(executorSamples, 99),
    floorP50,
    ratio: p50 / floorP50,
    note:
      `direct p99 ${percentile(directSamples, 99).toFixed(3)} ms; median of per-sample ratios ${pairedRatio.toFixed(2)}; ` +
      `a default-fetch SDK client p50 ${percentile(defaultClientSamples, 50).toFixed(3)} ms in a pass of its own, beside direct calls of p50 ${percentile(directBesideDefault, 50).toFixed(3)} ms; ` +
      `copying store.load p50 ${percentile(loadSamples, 50).toFixed(3)} ms; n=${iterations} after ${warmUp} untimed, blocks of ${BLOCK}; target ratio ≤ 1.2`,
  };
}

/** One checkpoint of executor-memory-worker.mjs. */
type MemoryPoint = { sessions: number; rss: number; heapUsed: number; heapTotal: number; external: number };

/**
 * V8 flags that give the young generation its full size (2 × 16 MiB semi-spaces, Node 20's default
 * maximum) from the start, instead of growing it as the allocation rate rises: what is left of RSS
 * growth after that is not the runtime settling in.
 */
const PRESIZED_YOUNG_GENERATION = ['--min-semi-space-size=16', '--max-semi-space-size=16'];

/**
 * V8 flag that keeps the young generation at its starting size (1 MiB semi-spaces): the RSS target is
 * judged with it (decision 28). With Node's defaults V8 grows the young generation to 16 MiB
 * semi-spaces as the allocation rate rises, and a worker making the same calls with a bare client
 * grows just as much, so the defaults measure V8's sizing, not what the worker keeps.
 */
const FIXED_YOUNG_GENERATION = ['--max-semi-space-size=1'];

/**
 * Memory of one worker as it runs one-turn sessions (each deleted from the store after its turn, so
 * only what the executor keeps could grow): a child process (`--expose-gc`) against the emulator in
 * this process, read after forced GCs at each checkpoint.
 */
async function memoryAfter(
  url: string,
  checkpoints: readonly number[],
  reset: () => void,
  mode: 'executor' | 'direct',
  nodeFlags: readonly string[] = [],
): Promise<MemoryPoint[]> {
  const worker = fileURLToPath(new URL('./executor-memory-worker.mjs', import.meta.url));
  const child = spawn(process.execPath, ['--expose-gc', ...nodeFlags, worker, url, checkpoints.join(','), mode], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // The emulator keeps a request log; clear it while the child runs so it does not grow this process.
  const resetter = setInterval(reset, 1000);
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  try {
    const [code] = (await once(child, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`memory worker exited with ${String(code)}`);
  } finally {
    clearInterval(resetter);
  }
  return JSON.parse(output) as MemoryPoint[];
}

/** Runs the executor benchmarks and returns its tables, summary lines and charts. */
export async function run({ quick }: { quick: boolean }): Promise<BenchReport> {
  const emulator = await startMessagesEmulator();
  try {
    const many = quick ? 1000 : 10_000;
    // Memory first, before the long-session samples grow the heap.
    const checkpoints = [10, 100, many / 10, many / 2, many];
    const memory = await memoryAfter(emulator.url, checkpoints, () => emulator.reset(), 'executor');
    const floorMemory = await memoryAfter(emulator.url, checkpoints, () => emulator.reset(), 'direct');
    const fixed = await memoryAfter(emulator.url, checkpoints, () => emulator.reset(), 'executor', FIXED_YOUNG_GENERATION);
    const fixedFloor = await memoryAfter(emulator.url, checkpoints, () => emulator.reset(), 'direct', FIXED_YOUNG_GENERATION);
    const presized = await memoryAfter(emulator.url, checkpoints, () => emulator.reset(), 'executor', PRESIZED_YOUNG_GENERATION);
    const presizedFloor = await memoryAfter(emulator.url, checkpoints, () => emulator.reset(), 'direct', PRESIZED_YOUNG_GENERATION);
    // More samples where they are cheap: a p50 of 50 moved by ±0.1 between runs here. A 1,000-turn
    // sample stores its own 3,000-entry session up front, so it keeps 50.
    const iterationsFor = (turns: number): number => (quick ? 10 : turns >= 1000 ? 50 : 200);
    // Enough calls for V8 to optimise every path (fewer for the 1,000-turn calls, 5 ms each).
    const warmUpFor = (turns: number): number => (quick ? 20 : turns >= 1000 ? 150 : 500);
    const rows: BenchRow[] = [];
    // The API in a process of its own, as it is on another machine in production: in this process
    // its parsing of each large request, and the garbage collection of it, would be charged to
    // whichever call of the pair triggered the collection.
    const api = await startEmulatorProcess();
    try {
      for (const turns of quick ? [1, 100] : [1, 100, 1000]) rows.push(await overhead(api.url, turns, iterationsFor(turns), warmUpFor(turns)));
    } finally {
      await api.close();
    }
    const mebibytes = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
    const point = (at: MemoryPoint): string =>
      `${at.sessions} sessions: RSS ${mebibytes(at.rss)}, heap used ${mebibytes(at.heapUsed)} of ${mebibytes(at.heapTotal)}, external ${mebibytes(at.external)}`;
    const memoryLine = (label: string, points: MemoryPoint[]): string => {
      const small = points[0];
      const warm = points.find((at) => at.sessions >= many / 10);
      const large = points.at(-1);
      return (
        `${label}: ${points.map(point).join('; ')}. ` +
        `RSS growth ${small!.sessions} → ${large!.sessions}: ${((100 * (large!.rss - small!.rss)) / small!.rss).toFixed(1)}% (target ≤ 10%); ` +
        `after warm-up (${warm!.sessions} → ${large!.sessions}): ${((100 * (large!.rss - warm!.rss)) / warm!.rss).toFixed(1)}%; ` +
        `heap used ${small!.sessions} → ${large!.sessions}: +${mebibytes(large!.heapUsed - small!.heapUsed)}.`
      );
    };
    const ratioRow = (measurement: string, points: readonly MemoryPoint[], target = ''): SummaryRow => {
      const first = points[0]!;
      const last = points.at(-1)!;
      const ratio = last.rss / first.rss;
      return {
        measurement: `${measurement}: RSS after ${last.sessions.toLocaleString('en-US')} sessions vs after ${first.sessions}`,
        value: mebibytes(last.rss),
        baseline: mebibytes(first.rss),
        ratio,
        target,
        ...(target === '' ? {} : { pass: ratio <= 1.1 }),
      };
    };
    const summary: SummaryRow[] = [
      ...rows.map((row) => ({
        measurement: `executor: ${row.name}, p50 vs the same call made directly`,
        value: `${row.p50.toFixed(2)} ms`,
        baseline: `direct ${row.floorP50!.toFixed(2)} ms`,
        ratio: row.ratio!,
        target: '≤ 1.2×',
        pass: row.ratio! <= 1.2,
      })),
      ratioRow(`memory: executor worker, young generation fixed (${FIXED_YOUNG_GENERATION.join(' ')})`, fixed, '≤ 1.10× (growth ≤ 10%)'),
      ratioRow('memory floor: direct calls, young generation fixed', fixedFloor),
      ratioRow('memory: executor worker, young generation sized up front (16 MiB semi-spaces)', presized),
      ratioRow('memory floor: direct calls, young generation sized up front', presizedFloor),
      ratioRow("memory: executor worker, Node's defaults (V8 grows the young generation)", memory),
      ratioRow("memory floor: direct calls, Node's defaults", floorMemory),
      {
        measurement: `memory: executor worker RSS vs the direct-call worker, both after ${memory.at(-1)!.sessions.toLocaleString('en-US')} sessions, defaults`,
        value: mebibytes(memory.at(-1)!.rss),
        baseline: mebibytes(floorMemory.at(-1)!.rss),
        ratio: memory.at(-1)!.rss / floorMemory.at(-1)!.rss,
        target: '',
      },
    ];
    const memoryChart = lineChart({
      title: 'Worker memory as sessions pass through it',
      xLabel: 'sessions run (each deleted after its turn)',
      yLabel: 'MiB',
      logX: true,
      series: [
        { name: 'RSS', points: memory.map((point) => [point.sessions, point.rss / 2 ** 20] as const) },
        { name: 'heap used', points: memory.map((point) => [point.sessions, point.heapUsed / 2 ** 20] as const) },
        { name: 'heap total', points: memory.map((point) => [point.sessions, point.heapTotal / 2 ** 20] as const), dashed: true },
        { name: 'RSS, direct calls (floor)', points: floorMemory.map((point) => [point.sessions, point.rss / 2 ** 20] as const), dashed: true },
      ],
    });
    const overheadChart = barChart({
      title: 'Executor turn vs the same streaming call made directly',
      yLabel: 'ms (p50)',
      categories: rows.map((row) => row.name.replace(/^turn of an? /, '').replace(' (memory store)', '')),
      series: [
        { name: 'AgentExecutor turn', values: rows.map((row) => row.p50) },
        { name: 'direct @anthropic-ai/sdk call', values: rows.map((row) => row.floorP50!) },
      ],
    });
    return {
      markdown: [
        formatTable('AgentExecutor: turn wall time vs the same streaming call made directly (emulator in its own process, on loopback)', rows),
        '',
        'Worker memory (a child process on plain node running only the executor: 8 concurrent one-turn sessions, each deleted after its turn; read after two forced GCs, RSS settled: the lowest of 20 readings over the next second).',
        memoryLine('Checkpoints', memory),
        '',
        'The same worker making the same calls with the executor\'s own @anthropic-ai/sdk client (same transport), no executor and no store: what the HTTP client and the runtime grow by themselves.',
        memoryLine('Floor checkpoints', floorMemory),
        '',
        `The same two workers with V8's young generation kept at its starting size (${FIXED_YOUNG_GENERATION.join(' ')}), so that its growth under load does not count as the worker's (the target's configuration, decision 28):`,
        memoryLine('Executor, young generation fixed', fixed),
        memoryLine('Floor, young generation fixed', fixedFloor),
        '',
        `And with the young generation at its full size from the start (${PRESIZED_YOUNG_GENERATION.join(' ')}):`,
        memoryLine('Executor, young generation sized up front', presized),
        memoryLine('Floor, young generation sized up front', presizedFloor),
      ].join('\n'),
      summary,
      charts: [
        { slug: 'executor-overhead', title: 'Executor turn vs the direct call', svg: overheadChart },
        { slug: 'memory', title: 'Worker memory as sessions pass through it', svg: memoryChart },
      ],
    };
  } finally {
    await emulator.close();
  }
}
