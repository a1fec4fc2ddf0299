import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionStoreEntry } from '@sdk/core';
import { ExitCode } from '../src/exit-codes.js';
import { openStore } from '../src/open-store.js';
import type { OpenedStore } from '../src/opened-store.js';
import { conversation, tempFileStore, tempRedisStore } from './helpers.js';

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(PACKAGE, 'dist', 'bin.js');
const SESSIONS = 1000;
const PROJECTS = ['-home-dev-alpha', '-home-dev-beta', '-home-dev-gamma', '-home-dev-delta'];

type Source = { projectKey: string; sessionId: string; entries: SessionStoreEntry[]; subagent?: SessionStoreEntry[] };

const jsonl = (entries: readonly SessionStoreEntry[]): string => entries.map((entry) => `${JSON.stringify(entry)}\n`).join('');

/** Runs the built bin; resolves with its exit code and output once it ends. */
function spawnBin(args: readonly string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}

/** Sessions whose main transcript the destination holds. */
async function sessionsAt(opened: OpenedStore): Promise<number> {
  let count = 0;
  for (const projectKey of PROJECTS) count += (await opened.store.listSessions!(projectKey)).length;
  return count;
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for progress');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Every session and subagent transcript at `url` equals the source, entry for entry: nothing missing, nothing twice. */
async function expectAllCopied(url: string, sources: readonly Source[]): Promise<void> {
  const opened = await openStore(url);
  try {
    expect(await sessionsAt(opened)).toBe(SESSIONS);
    let duplicates = 0;
    let mismatched = 0;
    for (const session of sources) {
      const key = { projectKey: session.projectKey, sessionId: session.sessionId };
      const copied = (await opened.store.load(key)) ?? [];
      if (new Set(copied.map((entry) => entry.uuid)).size !== copied.length) duplicates++;
      if (JSON.stringify(copied) !== JSON.stringify(session.entries)) mismatched++;
      if (session.subagent) {
        const sub = await opened.store.load({ ...key, subpath: 'subagents/agent-helper' });
        if (JSON.stringify(sub) !== JSON.stringify(session.subagent)) mismatched++;
      }
    }
    expect({ duplicates, mismatched }).toEqual({ duplicates: 0, mismatched: 0 });
  } finally {
    await opened.close();
  }
}

describe('migrating 1,000 sessions, killed midway and resumed', { timeout: 300_000 }, () => {
  const cleanups: Array<() => Promise<void>> = [];
  const sources: Source[] = [];
  let fileStore: Awaited<ReturnType<typeof tempFileStore>>;

  beforeAll(async () => {
    await promisify(execFile)('pnpm', ['--filter', '@sdk/cli', 'build'], { cwd: PACKAGE });
    fileStore = await tempFileStore();
    cleanups.push(fileStore.remove);
    // Written as Claude Code writes them: one JSONL file per session in the project's folder.
    for (let index = 0; index < SESSIONS; index++) {
      const projectKey = PROJECTS[index % PROJECTS.length]!;
      const { sessionId, entries } = conversation({ prompts: [`task ${index}`, 'follow-up', 'and one more'] });
      const session: Source = { projectKey, sessionId, entries };
      const folder = join(fileStore.root, 'projects', projectKey);
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, `${sessionId}.jsonl`), jsonl(entries));
      if (index % 10 === 0) {
        session.subagent = conversation({ sessionId, prompts: ['subtask'] }).entries.map((entry) => ({ ...entry, isSidechain: true }));
        await mkdir(join(folder, sessionId, 'subagents'), { recursive: true });
        await writeFile(join(folder, sessionId, 'subagents', 'agent-helper.jsonl'), jsonl(session.subagent));
      }
      sources.push(session);
    }
  }, 120_000);
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('file → Redis: SIGKILL, then SIGINT, then a run that completes, without duplicates; then Redis → file', async () => {
    const redis = tempRedisStore();
    cleanups.push(redis.remove);
    const watcher = await openStore(redis.url);
    cleanups.push(() => watcher.close());
    const args = ['migrate', '--from', fileStore.url, '--to', redis.url, '--concurrency', '2', '--batch-size', '3'];

    const killed = spawnBin(args);
    await waitFor(async () => (await sessionsAt(watcher)) >= 150, 60_000);
    killed.child.kill('SIGKILL');
    expect((await killed.done).signal).toBe('SIGKILL');
    const afterKill = await sessionsAt(watcher);
    expect(afterKill).toBeLessThan(SESSIONS);

    const interrupted = spawnBin(args);
    await waitFor(async () => (await sessionsAt(watcher)) >= afterKill + 150, 60_000);
    interrupted.child.kill('SIGINT');
    const stopped = await interrupted.done;
    expect(stopped.code).toBe(ExitCode.interrupted);
    const partial = /^migrated (\d+), skipped (\d+), failed 0 \(interrupted after (\d+) of 1000\)\n$/.exec(stopped.stdout);
    expect(partial, stopped.stdout + stopped.stderr).not.toBeNull();
    expect(Number(partial![3])).toBeLessThan(SESSIONS);
    // Every session the killed run finished is recognised as complete.
    expect(Number(partial![2])).toBeGreaterThanOrEqual(afterKill - 2);

    const resumed = spawnBin([...args, '--json']);
    const finished = await resumed.done;
    expect(finished.code, finished.stderr).toBe(ExitCode.ok);
    const report = JSON.parse(finished.stdout);
    expect(report).toMatchObject({ total: SESSIONS, failed: 0, interrupted: false, failures: [] });
    expect(report.migrated + report.skipped).toBe(SESSIONS);
    expect(report.skipped).toBeGreaterThanOrEqual(afterKill + 150 - 4);
    await expectAllCopied(redis.url, sources);

    // And back: Redis → a fresh Claude config folder.
    const back = await tempFileStore();
    cleanups.push(back.remove);
    const returned = spawnBin(['migrate', '--from', redis.url, '--to', back.url]);
    const returnedResult = await returned.done;
    expect(returnedResult.code, returnedResult.stderr).toBe(ExitCode.ok);
    expect(returnedResult.stdout).toBe(`migrated ${SESSIONS}, skipped 0, failed 0\n`);
    await expectAllCopied(back.url, sources);
  });
});
