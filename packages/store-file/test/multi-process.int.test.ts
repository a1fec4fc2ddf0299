import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '@sdk/core/store';
import { FileSessionStore } from '../src/file-session-store.js';
import { chain, temporaryRoot } from './helpers.js';

const packageRoot = dirname(dirname(fileURLToPath(import.meta.url)));
const dist = join(packageRoot, 'dist');
const workers = join(packageRoot, 'test', 'workers');
const children: ChildProcess[] = [];

/** Builds dist/ when a source file is newer: the children must run the built package. */
beforeAll(async () => {
  const built = await stat(join(dist, 'index.js')).then((stats) => stats.mtimeMs, () => 0);
  const sources = (await readdir(join(packageRoot, 'src'))).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
  const newest = Math.max(...(await Promise.all(sources.map(async (name) => (await stat(join(packageRoot, 'src', name))).mtimeMs))));
  if (newest > built) {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: packageRoot });
  }
}, 120_000);

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function run(script: string, args: string[]): { child: ChildProcess; output: Promise<string> } {
  const child = spawn(process.execPath, [join(workers, script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const output = new Promise<string>((resolve, reject) => {
    child.on('exit', (code, signal) => (code === 0 ? resolve(stdout) : reject(new Error(`${script} exited ${code ?? signal}: ${stderr}`))));
  });
  // Callers that kill the child on purpose never await its output.
  output.catch(() => undefined);
  return { child, output };
}

async function waitForLine(child: ChildProcess, line: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(line)) resolve();
    });
    child.on('exit', () => reject(new Error(`exited before printing ${line}`)));
  });
}

describe('several processes', () => {
  it('8 processes appending conditionally to 3 sessions: every entry exactly once, lines whole, writer order kept', async () => {
    const root = await temporaryRoot();
    const projectKey = '-multi-process';
    const sessionIds = [randomUUID(), randomUUID(), randomUUID()];
    const perWriter = 30;
    const runs = Array.from({ length: 8 }, (_, writer) =>
      run('append-worker.mjs', [pathToFileURL(join(dist, 'index.js')).href, root, projectKey, sessionIds.join(','), `w${writer}`, String(perWriter)]),
    );
    const reports = (await Promise.all(runs.map(({ output }) => output))).map((text) => JSON.parse(text) as { conflicts: number });
    const seen = new Map<string, number>();
    for (const sessionId of sessionIds) {
      const text = await readFile(join(root, 'projects', projectKey, `${sessionId}.jsonl`), 'utf8');
      expect(text.endsWith('\n')).toBe(true);
      const entries = text
        .slice(0, -1)
        .split('\n')
        .map((line) => JSON.parse(line) as { writer: string; seq: number; message: { content: string } });
      const lastSeq = new Map<string, number>();
      for (const { writer, seq, message } of entries) {
        expect(message.content).toBe('x'.repeat((seq * 997) % 24_000));
        expect(seq).toBeGreaterThan(lastSeq.get(writer) ?? -1);
        lastSeq.set(writer, seq);
        seen.set(`${writer}/${seq}`, (seen.get(`${writer}/${seq}`) ?? 0) + 1);
      }
      expect(await new FileSessionStore({ root }).load({ projectKey, sessionId })).toHaveLength(entries.length);
    }
    expect(seen.size).toBe(8 * perWriter);
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
    // The retries prove the writers really raced.
    expect(reports.reduce((sum, { conflicts }) => sum + conflicts, 0)).toBeGreaterThan(0);
  }, 120_000);

  async function heldLock(staleMs: number) {
    const root = await temporaryRoot();
    const key = { projectKey: '-locked', sessionId: randomUUID() };
    const bookkeeping = join(root, 'projects', key.projectKey, '.sdk');
    await mkdir(bookkeeping, { recursive: true, mode: 0o700 });
    const holder = run('hold-lock.mjs', [pathToFileURL(join(dist, 'session-lock.js')).href, join(bookkeeping, `${key.sessionId}.lock`), String(staleMs)]);
    await waitForLine(holder.child, 'locked');
    const blocked = await new FileSessionStore({ root, lockTimeoutMs: 300 }).append(key, chain(1)).catch((caught: unknown) => caught);
    expect(blocked).toBeInstanceOf(StoreUnavailableError);
    return { root, key, holder: holder.child };
  }

  it('a lock holder killed with SIGKILL does not block the session', async () => {
    const { root, key, holder } = await heldLock(10_000);
    holder.kill('SIGKILL');
    await new Promise((resolve) => holder.once('exit', resolve));
    const started = Date.now();
    const entries = chain(2);
    await new FileSessionStore({ root, lockStaleMs: 10_000 }).append(key, entries);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(await new FileSessionStore({ root }).load(key)).toEqual(entries);
  }, 30_000);

  it('a stopped (unresponsive) holder loses the lock after lockStaleMs, not before', async () => {
    const staleMs = 1000;
    const { root, key, holder } = await heldLock(staleMs);
    holder.kill('SIGSTOP');
    const started = Date.now();
    await new FileSessionStore({ root, lockStaleMs: staleMs, lockTimeoutMs: 10_000 }).append(key, chain(1));
    const waited = Date.now() - started;
    // The last heartbeat came at most staleMs / 3 before the stop.
    expect(waited).toBeGreaterThanOrEqual(staleMs / 2);
    expect(waited).toBeLessThan(staleMs + 3000);
    expect(await new FileSessionStore({ root }).load(key)).toHaveLength(1);
    holder.kill('SIGKILL');
  }, 30_000);
});
