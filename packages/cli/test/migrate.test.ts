import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionKey, SessionStoreEntry } from '@sdk/core';
import { ExitCode } from '../src/exit-codes.js';
import { run } from '../src/main.js';
import { openStore } from '../src/open-store.js';
import { cli, conversation, tempFileStore, tempRedisStore } from './helpers.js';

async function withOpened<T>(url: string, use: (store: Awaited<ReturnType<typeof openStore>>['store']) => Promise<T>): Promise<T> {
  const opened = await openStore(url);
  try {
    return await use(opened.store);
  } finally {
    await opened.close();
  }
}

const seed = (url: string, key: SessionKey, entries: SessionStoreEntry[]): Promise<void> => withOpened(url, (store) => store.append(key, entries));
const load = (url: string, key: SessionKey): Promise<SessionStoreEntry[] | null> => withOpened(url, (store) => store.load(key));

describe('migrate', () => {
  let source: { url: string; remove(): Promise<void> };
  let destination: { url: string; remove(): Promise<void> };
  const sessions: Array<{ key: SessionKey; entries: SessionStoreEntry[] }> = [];

  beforeEach(async () => {
    source = await tempFileStore();
    destination = tempRedisStore();
    sessions.length = 0;
    for (const projectKey of ['proj-a', 'proj-a', 'proj-b']) {
      const { sessionId, entries } = conversation({ prompts: ['one', 'two'] });
      const key = { projectKey, sessionId };
      await seed(source.url, key, entries);
      sessions.push({ key, entries });
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    const subagent = { ...sessions[0]!.key, subpath: 'subagents/agent-helper' };
    const subEntries = conversation({ sessionId: subagent.sessionId }).entries.map((entry) => ({ ...entry, isSidechain: true }));
    await seed(source.url, subagent, subEntries);
    sessions.push({ key: subagent, entries: subEntries });
  });
  afterEach(async () => {
    await source.remove();
    await destination.remove();
  });

  async function expectCopied(url: string): Promise<void> {
    for (const { key, entries } of sessions) expect(await load(url, key)).toEqual(entries);
  }

  it('copies every session with its subkeys and reports counts (--json)', async () => {
    const result = await cli(['migrate', '--from', source.url, '--to', destination.url, '--json']);
    expect(result.code).toBe(ExitCode.ok);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ total: 3, migrated: 3, skipped: 0, failed: 0, interrupted: false, failures: [] });
    await expectCopied(destination.url);
    const listed = JSON.parse((await cli(['list', '--store', destination.url, '--project', 'proj-a', '--json'])).stdout).sessions;
    expect(listed.map((row: { sessionId: string }) => row.sessionId).sort()).toEqual([sessions[0]!.key.sessionId, sessions[1]!.key.sessionId].sort());
  });

  it('skips sessions already copied and writes nothing the second time', async () => {
    expect((await cli(['migrate', '--from', source.url, '--to', destination.url])).stdout).toBe('migrated 3, skipped 0, failed 0\n');
    const again = await cli(['migrate', '--from', source.url, '--to', destination.url]);
    expect(again).toEqual({ code: ExitCode.ok, stdout: 'migrated 0, skipped 3, failed 0\n', stderr: '' });
    await expectCopied(destination.url);
  });

  it('completes a partly copied session without duplicating its entries', async () => {
    const [first] = sessions;
    await seed(destination.url, first!.key, first!.entries.slice(0, 3));
    const result = await cli(['migrate', '--from', source.url, '--to', destination.url, '--batch-size', '2', '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ migrated: 3, skipped: 0, failed: 0 });
    await expectCopied(destination.url);
  });

  it('never overwrites a destination session that holds something else', async () => {
    const [first] = sessions;
    await seed(destination.url, first!.key, conversation({ sessionId: first!.key.sessionId }).entries);
    const result = await cli(['migrate', '--from', source.url, '--to', destination.url, '--json']);
    expect(result.code).toBe(ExitCode.failure);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ total: 3, migrated: 2, skipped: 0, failed: 1, interrupted: false });
    expect(report.failures).toEqual([{ projectKey: 'proj-a', sessionId: first!.key.sessionId, error: expect.stringContaining('not a prefix of the source') }]);
    const text = await cli(['migrate', '--from', source.url, '--to', destination.url]);
    expect(text.stdout).toBe('migrated 0, skipped 2, failed 1\n');
    expect(text.stderr).toContain(`failed proj-a/${first!.key.sessionId}: `);
  });

  it('copies only the projects named with --project', async () => {
    const result = await cli(['migrate', '--from', source.url, '--to', destination.url, '--project', 'proj-b', '--json']);
    expect(JSON.parse(result.stdout)).toMatchObject({ total: 1, migrated: 1 });
    expect(await load(destination.url, sessions[2]!.key)).toEqual(sessions[2]!.entries);
    expect(await load(destination.url, sessions[0]!.key)).toBeNull();
  });

  it('stops on SIGINT and reports what it did (exit 130)', async () => {
    const interrupt = new AbortController();
    interrupt.abort();
    let stdout = '';
    const code = await run(['migrate', '--from', source.url, '--to', destination.url], {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: () => true },
      signal: interrupt.signal,
      env: {},
    });
    expect(code).toBe(ExitCode.interrupted);
    expect(stdout).toBe('migrated 0, skipped 0, failed 0 (interrupted after 0 of 3)\n');
  });

  it('draws a progress bar on a terminal only', async () => {
    let stderr = '';
    const code = await run(['migrate', '--from', source.url, '--to', destination.url], {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (stderr += text), isTTY: true },
      env: {},
    });
    expect(code).toBe(ExitCode.ok);
    expect(stderr).toContain('migrating [------------------------------] 0/3');
    expect(stderr).toContain('migrating [##############################] 3/3  migrated 3, skipped 0, failed 0');
    expect(stderr.endsWith('\r\x1b[2K')).toBe(true);
  });

  it('rejects missing or identical stores with exit code 2', async () => {
    const missing = await cli(['migrate', '--from', source.url]);
    expect(missing.code).toBe(ExitCode.usage);
    expect(missing.stderr).toContain('--from <url> and --to <url> are required');
    const same = await cli(['migrate', '--from', source.url, '--to', source.url]);
    expect(same.code).toBe(ExitCode.usage);
    const bad = await cli(['migrate', '--from', source.url, '--to', 'ftp://x']);
    expect(bad.code).toBe(ExitCode.usage);
    expect(bad.stderr).toContain('unknown store scheme "ftp:"');
    expect(await load(destination.url, { projectKey: 'proj-a', sessionId: randomUUID() })).toBeNull();
  });
});
