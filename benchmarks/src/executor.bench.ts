// @sdk/core AgentExecutor: overhead of a turn next to the same streaming request made directly with
// @anthropic-ai/sdk to the emulator (the floor), measured interleaved in the same run; and the
// worker's memory after many sessions.
import { randomUUID } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Anthropic from '@anthropic-ai/sdk';
import { AgentExecutor, rebuildConversation, type SessionRef, type SessionStoreEntry } from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';
import { startMessagesEmulator } from '@sdk/testing/emulator';
import { formatTable, percentile } from './stats.js';
import type { BenchRow } from './stats.js';

const MODEL = 'claude-sonnet-4-6';
const PROJECT = 'bench-executor';

/** An existing session of `turns - 1` exchanges in the official entry format, as the executor writes it. */
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
  return entries;
}

function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** Executor turn vs direct streaming call with the same history, interleaved sample by sample. */
async function overhead(url: string, turns: number, iterations: number): Promise<BenchRow> {
  const store = new InMemorySessionStore();
  const executor = new AgentExecutor({ store, clientOptions: { apiKey: 'x', baseURL: url } });
  const client = new Anthropic({ apiKey: 'x', baseURL: url, maxRetries: 0 });
  const template = history(randomUUID(), turns - 1);
  const executorSamples: number[] = [];
  const directSamples: number[] = [];
  const loadSamples: number[] = [];
  const warmup = 3;
  for (let index = -warmup; index < iterations; index++) {
    // A fresh copy of the session per sample, so every sample runs on a session of exactly `turns - 1` exchanges.
    const session: SessionRef = { projectKey: PROJECT, sessionId: randomUUID() };
    await store.append(session, history(session.sessionId, turns - 1));
    // What the store alone costs for the load every turn starts with (part of the turn's time).
    const loadStarted = performance.now();
    await store.load(session);
    const loadMs = performance.now() - loadStarted;
    const started = performance.now();
    for await (const message of executor.runTurn({ session, prompt: `turn ${turns}`, model: MODEL, cwd: '/bench' })) {
      if (message.type === 'result' && message.is_error) throw new Error(`turn failed: ${JSON.stringify(message)}`);
    }
    const executorMs = performance.now() - started;
    await store.delete(session);

    const messages = [...rebuildConversation(template).messages, { role: 'user' as const, content: [{ type: 'text' as const, text: `turn ${turns}` }] }];
    const directStarted = performance.now();
    const stream = await client.beta.messages.create({ model: MODEL, max_tokens: 8192, messages, stream: true });
    for await (const _event of stream) {
      // consume like the executor does
    }
    const directMs = performance.now() - directStarted;
    if (index >= 0) {
      executorSamples.push(executorMs);
      directSamples.push(directMs);
      loadSamples.push(loadMs);
    }
  }
  const p50 = percentile(executorSamples, 50);
  const floorP50 = percentile(directSamples, 50);
  return {
    name: `turn of a ${turns}-turn session (memory store)`,
    p50,
    p99: percentile(executorSamples, 99),
    floorP50,
    ratio: p50 / floorP50,
    note: `direct p99 ${percentile(directSamples, 99).toFixed(3)} ms; store.load alone p50 ${percentile(loadSamples, 50).toFixed(3)} ms; n=${iterations}; target ratio ≤ 1.2`,
  };
}

type MemoryPoint = { sessions: number; rss: number; heapUsed: number };

/**
 * Memory of one worker as it runs one-turn sessions (each deleted from the store after its turn, so
 * only what the executor keeps could grow), measured after a forced GC at each checkpoint.
 */
async function memoryAfter(url: string, checkpoints: readonly number[], reset: () => void): Promise<MemoryPoint[]> {
  const store = new InMemorySessionStore();
  const executor = new AgentExecutor({ store, clientOptions: { apiKey: 'x', baseURL: url } });
  const points: MemoryPoint[] = [];
  let done = 0;
  for (const target of checkpoints) {
    const worker = async (): Promise<void> => {
      while (done < target) {
        done++;
        const session: SessionRef = { projectKey: PROJECT, sessionId: randomUUID() };
        for await (const _message of executor.runTurn({ session, prompt: 'hello', model: MODEL, cwd: '/bench' })) {
          // drain
        }
        await store.delete(session);
        if (done % 500 === 0) reset();
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    reset();
    collectGarbage();
    const usage = process.memoryUsage();
    points.push({ sessions: done, rss: usage.rss, heapUsed: usage.heapUsed });
  }
  return points;
}

/** Runs the executor benchmarks and returns a markdown report. */
export async function run({ quick }: { quick: boolean }): Promise<string> {
  const emulator = await startMessagesEmulator();
  try {
    const many = quick ? 1000 : 10_000;
    // Memory first, before the long-session samples grow the heap.
    const [small, warm, large] = await memoryAfter(emulator.url, [10, many / 10, many], () => emulator.reset());
    const iterations = quick ? 10 : 50;
    const rows: BenchRow[] = [];
    for (const turns of quick ? [1, 100] : [1, 100, 1000]) {
      rows.push(await overhead(emulator.url, turns, iterations));
      emulator.reset();
    }
    const mebibytes = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
    const growth = (large!.rss - small!.rss) / small!.rss;
    const warmGrowth = (large!.rss - warm!.rss) / warm!.rss;
    return [
      formatTable('AgentExecutor: turn wall time vs the same streaming call made directly (emulator on loopback)', rows),
      '',
      `Worker RSS after ${small!.sessions} sessions: ${mebibytes(small!.rss)} (heap ${mebibytes(small!.heapUsed)}); ` +
        `after ${large!.sessions} sessions: ${mebibytes(large!.rss)} (heap ${mebibytes(large!.heapUsed)}); ` +
        `RSS growth ${(growth * 100).toFixed(1)}% (target ≤ 10%). After ${warm!.sessions} sessions (warmed up): ${mebibytes(warm!.rss)} ` +
        `(heap ${mebibytes(warm!.heapUsed)}), so ${warm!.sessions} → ${large!.sessions} sessions grew RSS ${(warmGrowth * 100).toFixed(1)}%. Same process as the emulator, whose request log is reset every 500 sessions; ` +
        'each session is deleted from the store after its turn.',
    ].join('\n');
  } finally {
    await emulator.close();
  }
}
