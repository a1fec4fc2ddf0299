import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SDKResultMessage, SessionStore, SessionStoreEntry } from '@sdk/core';
import { FileSessionStore } from '@sdk/store-file';
import { RedisSessionStore } from '@sdk/store-redis';
import { createClient } from 'redis';
import { startMessagesEmulator, textReply, type EmulatorReply, type MessagesEmulator, type RecordedRequest } from '@sdk/testing/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRASH_WORKER, LineWorker, runWorker } from './support/workers.js';

// The crash harness: a worker runs one tool-using turn and SIGKILLs itself at injection point N (see
// support/crash-worker.mjs for the points); the parent enumerates N until a worker finishes without
// being killed. After every kill, another worker resumes the session with a new prompt: the emulator
// must accept the history it sends (it validates every request), every entry the killed worker had
// acknowledged must be stored exactly once, and no uuid may appear twice.

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PROJECT_KEY = 'crash-project';
/** More points than a turn has: the enumeration must end by itself before this. */
const MAX_POINTS = 80;

type AckLine = { ack?: string[]; subpath?: string | null; killedAt?: string; point?: number; finished?: number; subtype?: string | null };
type ResumeAnswer = { sessionId: string; result?: SDKResultMessage; error?: string };

/** The model's script for the crash turn: two notes in parallel, then one more, then a text answer. */
function respond(request: RecordedRequest): EmulatorReply {
  const messages = request.messages;
  const last = messages.at(-1);
  const text = textOf(last?.content);
  if (text.includes('resume-turn')) return textReply('resumed');
  if (text.includes('crash-turn')) {
    return {
      type: 'message',
      content: [
        { type: 'text', text: 'Two notes.' },
        { type: 'tool_use', name: 'Note', input: { name: 'a' } },
        { type: 'tool_use', name: 'Note', input: { name: 'b' } },
      ],
      eventDelayMs: 2,
    };
  }
  const previous = JSON.stringify(messages.at(-2)?.content ?? '');
  if (previous.includes('"name":"c"')) return textReply('all noted', { eventDelayMs: 2 });
  return {
    type: 'message',
    content: [
      { type: 'text', text: 'One more.' },
      { type: 'tool_use', name: 'Note', input: { name: 'c' } },
    ],
    eventDelayMs: 2,
  };
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((block): block is { type: 'text'; text: string } => (block as { type?: string }).type === 'text')
    .map((block) => block.text)
    .join('\n');
}

async function readAcks(file: string): Promise<AckLine[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AckLine);
}

type Harness = {
  kind: 'file' | 'redis';
  env: Record<string, string>;
  store: SessionStore;
  close(): Promise<void>;
};

let emulator: MessagesEmulator;
let scratch: string;
const summary: Record<string, { points: string[]; runs: number }> = {};

beforeAll(async () => {
  emulator = await startMessagesEmulator({ respond });
  scratch = await mkdtemp(join(tmpdir(), 'reliability-crash-'));
});

afterAll(async () => {
  await emulator.close();
  await rm(scratch, { recursive: true, force: true });
  for (const [kind, { points, runs }] of Object.entries(summary)) {
    console.log(`crash harness (${kind}): ${points.length} injection points, ${runs} worker runs: ${points.join(' | ')}`);
  }
});

async function fileHarness(): Promise<Harness> {
  const root = join(scratch, 'file-root');
  const store = new FileSessionStore({ root });
  return { kind: 'file', env: { STORE_KIND: 'file', STORE_ROOT: root }, store, close: () => store.flush() };
}

async function redisHarness(): Promise<Harness> {
  const prefix = `reliability-crash-${process.pid}-${randomUUID().slice(0, 8)}`;
  const store = new RedisSessionStore({ url: REDIS_URL }, { prefix });
  return {
    kind: 'redis',
    env: { STORE_KIND: 'redis', REDIS_URL, STORE_PREFIX: prefix },
    store,
    close: async () => {
      await store.close();
      // Remove the prefix's keys.
      const client = createClient({ url: REDIS_URL });
      await client.connect();
      for await (const keys of client.scanIterator({ MATCH: `*${prefix}*`, COUNT: 500 })) if (keys.length > 0) await client.del(keys);
      await client.close();
    },
  };
}

async function enumerateCrashes(harness: Harness): Promise<void> {
  const resumer = new LineWorker(CRASH_WORKER, { ...harness.env, MODE: 'resume', EMULATOR_URL: emulator.url, PROJECT_KEY, TOOL_DIR: join(scratch, 'resume-tools') });
  const points: string[] = [];
  let runs = 0;
  try {
    for (let killAt = 1; killAt <= MAX_POINTS; killAt++) {
      const sessionId = randomUUID();
      const ackFile = join(scratch, `${harness.kind}-${killAt}.acks`);
      const requestsBefore = emulator.requests.length;
      const exit = await runWorker(CRASH_WORKER, {
        ...harness.env,
        MODE: 'crash',
        EMULATOR_URL: emulator.url,
        PROJECT_KEY,
        SESSION_ID: sessionId,
        KILL_AT: String(killAt),
        ACK_FILE: ackFile,
        TOOL_DIR: join(scratch, `${harness.kind}-${killAt}-tools`),
        LEASE_TTL_MS: '2500',
      });
      runs++;
      const lines = await readAcks(ackFile);
      const finished = lines.find((line) => line.finished !== undefined);
      if (finished !== undefined) {
        // The turn ran to its end: every point was reached once before.
        expect(exit.code, exit.stderr).toBe(0);
        expect(finished.finished).toBe(killAt - 1);
        expect(finished.subtype).toBe('success');
        await expectConsistent(harness.store, sessionId, lines.flatMap((line) => line.ack ?? []));
        break;
      }
      expect(exit.signal, exit.stderr).toBe('SIGKILL');
      const killed = lines.find((line) => line.killedAt !== undefined);
      expect(killed?.point).toBe(killAt);
      points.push(killed!.killedAt!);
      const acknowledged = lines.flatMap((line) => line.ack ?? []);

      // Another worker resumes the session with a new prompt.
      const answer = await resumer.request<ResumeAnswer>({ sessionId, prompt: 'resume-turn' }, 60_000);
      runs++;
      expect(answer.error, `resume after a kill at "${killed!.killedAt}"`).toBeUndefined();
      expect(answer.result?.subtype).toBe('success');
      expect(answer.result && 'result' in answer.result ? answer.result.result : undefined).toBe('resumed');
      const rejected = emulator.requests.slice(requestsBefore).filter((request) => request.rejected !== undefined);
      expect(rejected.map((request) => request.rejected), `kill at "${killed!.killedAt}"`).toEqual([]);
      const entries = await expectConsistent(harness.store, sessionId, acknowledged);
      // The resume turn's own prompt and answer are there, after everything the killed worker wrote.
      const resumedPrompt = entries.findIndex((entry) => entry.type === 'user' && textOf((entry.message as { content?: unknown })?.content) === 'resume-turn');
      expect(resumedPrompt).toBeGreaterThanOrEqual(0);
      for (const uuid of acknowledged) expect(entries.findIndex((entry) => entry.uuid === uuid)).toBeLessThan(resumedPrompt);
    }
  } finally {
    await resumer.close();
    summary[harness.kind] = { points, runs };
  }
  // The enumeration ended by itself (a run finished): every point was tried.
  expect(points.length).toBeGreaterThan(10);
  expect(points.length).toBeLessThan(MAX_POINTS);
}

/**
 * A crash during the resume itself: the first worker dies in the middle of a tool (leaving unanswered
 * tool calls to repair), a second worker resuming the session dies at each of its own points M in
 * turn (before and after writing the repair, mid-stream, ...), and a third worker resumes.
 */
async function enumerateDoubleCrashes(harness: Harness): Promise<void> {
  const resumer = new LineWorker(CRASH_WORKER, { ...harness.env, MODE: 'resume', EMULATOR_URL: emulator.url, PROJECT_KEY, TOOL_DIR: join(scratch, 'resume-tools') });
  const points: string[] = [];
  let runs = 0;
  const base = { ...harness.env, MODE: 'crash', EMULATOR_URL: emulator.url, PROJECT_KEY, LEASE_TTL_MS: '2500' };
  try {
    for (let killAt = 1; killAt <= MAX_POINTS; killAt++) {
      const sessionId = randomUUID();
      const firstAcks = join(scratch, `${harness.kind}-double-${killAt}-first.acks`);
      const secondAcks = join(scratch, `${harness.kind}-double-${killAt}-second.acks`);
      const requestsBefore = emulator.requests.length;
      const first = await runWorker(CRASH_WORKER, { ...base, SESSION_ID: sessionId, KILL_AT_NAME: 'mid-tool a', ACK_FILE: firstAcks, TOOL_DIR: join(scratch, `${harness.kind}-double-${killAt}-tools`) });
      expect(first.signal, first.stderr).toBe('SIGKILL');
      // Let the dead worker's lease expire, so the second worker's points are not lease retries.
      await new Promise((resolve) => setTimeout(resolve, 2600));
      const second = await runWorker(CRASH_WORKER, { ...base, SESSION_ID: sessionId, PROMPT: 'resume-turn', KILL_AT: String(killAt), ACK_FILE: secondAcks, TOOL_DIR: join(scratch, `${harness.kind}-double-${killAt}-tools`) });
      runs += 2;
      const lines = [...(await readAcks(firstAcks)), ...(await readAcks(secondAcks))];
      const acknowledged = lines.flatMap((line) => line.ack ?? []);
      const finished = (await readAcks(secondAcks)).find((line) => line.finished !== undefined);
      if (finished !== undefined) {
        expect(second.code, second.stderr).toBe(0);
        expect(finished.subtype).toBe('success');
        await expectConsistent(harness.store, sessionId, acknowledged);
        break;
      }
      expect(second.signal, second.stderr).toBe('SIGKILL');
      points.push(lines.filter((line) => line.killedAt !== undefined).at(-1)!.killedAt!);
      const answer = await resumer.request<ResumeAnswer>({ sessionId, prompt: 'resume-turn' }, 60_000);
      runs++;
      expect(answer.error, `resume after a kill of the resuming worker at "${points.at(-1)}"`).toBeUndefined();
      expect(answer.result?.subtype).toBe('success');
      const rejected = emulator.requests.slice(requestsBefore).filter((request) => request.rejected !== undefined);
      expect(rejected.map((request) => request.rejected)).toEqual([]);
      await expectConsistent(harness.store, sessionId, acknowledged);
    }
  } finally {
    await resumer.close();
    summary[`${harness.kind}, crash during the resume`] = { points, runs };
  }
  expect(points.length).toBeGreaterThanOrEqual(6);
  expect(points.length).toBeLessThan(MAX_POINTS);
}

/** Every acknowledged uuid stored once, no uuid twice, every tool_use answered. */
async function expectConsistent(store: SessionStore, sessionId: string, acknowledged: string[]): Promise<SessionStoreEntry[]> {
  const entries = (await store.load({ projectKey: PROJECT_KEY, sessionId })) ?? [];
  const counts = new Map<string, number>();
  for (const entry of entries) if (entry.uuid !== undefined) counts.set(entry.uuid, (counts.get(entry.uuid) ?? 0) + 1);
  expect([...counts].filter(([, count]) => count > 1)).toEqual([]);
  expect(acknowledged.filter((uuid) => !counts.has(uuid))).toEqual([]);
  const toolUses = new Set<string>();
  const results = new Set<string>();
  for (const entry of entries) {
    const content = (entry.message as { content?: unknown } | undefined)?.content;
    if (!Array.isArray(content)) continue;
    for (const block of content as Array<{ type: string; id?: string; tool_use_id?: string }>) {
      if (block.type === 'tool_use') toolUses.add(block.id!);
      if (block.type === 'tool_result') results.add(block.tool_use_id!);
    }
  }
  expect([...toolUses].filter((id) => !results.has(id))).toEqual([]);
  return entries;
}

describe('crash consistency: SIGKILL at every step boundary of a tool-using turn', () => {
  it.concurrent('file store: resumable, nothing acknowledged lost, nothing duplicated', async () => {
    const harness = await fileHarness();
    try {
      await enumerateCrashes(harness);
    } finally {
      await harness.close();
    }
  }, 240_000);

  it.concurrent('Redis store: resumable, nothing acknowledged lost, nothing duplicated', async () => {
    const harness = await redisHarness();
    try {
      await enumerateCrashes(harness);
    } finally {
      await harness.close();
    }
  }, 240_000);

  it.concurrent('file store: a crash at every point of the resume after a crash mid-tool', async () => {
    const harness = await fileHarness();
    try {
      await enumerateDoubleCrashes(harness);
    } finally {
      await harness.close();
    }
  }, 240_000);

  it.concurrent('Redis store: a crash at every point of the resume after a crash mid-tool', async () => {
    const harness = await redisHarness();
    try {
      await enumerateDoubleCrashes(harness);
    } finally {
      await harness.close();
    }
  }, 240_000);
});
