import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionKey, SessionStoreEntry } from '@sdk/core';
import { ExitCode } from '../src/exit-codes.js';
import { openStore } from '../src/open-store.js';
import { cli, conversation, tempFileStore, tempPostgresStore } from './helpers.js';

async function withOpened<T>(url: string, use: (opened: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> {
  const opened = await openStore(url);
  try {
    return await use(opened);
  } finally {
    await opened.close();
  }
}

const sessionIdsOf = (stdout: string): string[] => (JSON.parse(stdout) as { sessions: Array<{ sessionId: string }> }).sessions.map((row) => row.sessionId).sort();

describe('postgres:// store URLs', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  describe('migrating file → postgres → file', () => {
    let source: Awaited<ReturnType<typeof tempFileStore>>;
    let back: Awaited<ReturnType<typeof tempFileStore>>;
    let postgres: ReturnType<typeof tempPostgresStore>;
    const sessions: Array<{ key: SessionKey; entries: SessionStoreEntry[] }> = [];

    beforeEach(async () => {
      source = await tempFileStore();
      back = await tempFileStore();
      postgres = tempPostgresStore();
      cleanups.push(source.remove, back.remove, postgres.remove);
      sessions.length = 0;
      for (const projectKey of ['proj-a', 'proj-a', 'proj-b']) {
        const { sessionId, entries } = conversation({ prompts: ['one', 'two'] });
        sessions.push({ key: { projectKey, sessionId }, entries });
      }
      const main = sessions[0]!.key;
      const subEntries = conversation({ sessionId: main.sessionId }).entries.map((entry) => ({ ...entry, isSidechain: true }));
      sessions.push({ key: { ...main, subpath: 'subagents/agent-helper' }, entries: subEntries });
      await withOpened(source.url, async ({ store }) => {
        for (const { key, entries } of sessions) await store.append(key, entries);
      });
    });

    it('copies every session and subagent there and back, creating the schema on first open', async () => {
      const there = await cli(['migrate', '--from', source.url, '--to', postgres.url, '--json']);
      expect(there.stderr).toBe('');
      expect(there.code).toBe(ExitCode.ok);
      expect(JSON.parse(there.stdout)).toMatchObject({ total: 3, migrated: 3, skipped: 0, failed: 0 });

      await withOpened(postgres.url, async (opened) => {
        expect(await opened.listProjects?.()).toEqual(['proj-a', 'proj-b']);
        for (const { key, entries } of sessions) expect(await opened.store.load(key)).toEqual(entries);
      });
      const listed = await cli(['list', '--store', postgres.url, '--json']);
      expect(listed.code).toBe(ExitCode.ok);
      expect(sessionIdsOf(listed.stdout)).toEqual(sessions.slice(0, 3).map(({ key }) => key.sessionId).sort());
      const again = await cli(['migrate', '--from', source.url, '--to', postgres.url, '--json']);
      expect(JSON.parse(again.stdout)).toMatchObject({ total: 3, migrated: 0, skipped: 3, failed: 0 });

      const home = await cli(['migrate', '--from', postgres.url, '--to', back.url, '--json']);
      expect(home.code).toBe(ExitCode.ok);
      expect(JSON.parse(home.stdout)).toMatchObject({ total: 3, migrated: 3, failed: 0 });
      await withOpened(back.url, async ({ store }) => {
        for (const { key, entries } of sessions) expect(await store.load(key)).toEqual(entries);
      });
      const shown = await cli(['show', sessions[0]!.key.sessionId, '--store', postgres.url, '--json']);
      expect(JSON.parse(shown.stdout).subagents).toEqual(['helper']);
    });
  });

  it('opens a migrated schema without migrating it again', async () => {
    const postgres = tempPostgresStore();
    cleanups.push(postgres.remove);
    const versions = async (): Promise<unknown[]> =>
      withOpened(postgres.url, async (opened) => {
        const pool = (opened.store as unknown as { pool: { query(text: string): Promise<{ rows: unknown[] }> } }).pool;
        return (await pool.query(`SELECT version, applied_at FROM "${postgres.schema}".schema_migrations ORDER BY version`)).rows;
      });
    const first = await versions();
    expect(first).toHaveLength(1);
    expect(await versions()).toEqual(first);
    expect(await cli(['list', '--store', postgres.url])).toEqual({ code: ExitCode.ok, stdout: '', stderr: 'no sessions\n' });
  });

  it.each([
    ['an unknown parameter', 'postgres://u@127.0.0.1:5432/test?shema=x', /unknown parameter "shema".*accept schema, ssl/],
    ['a bad schema name', 'postgresql://u@127.0.0.1:5432/test?schema=Bad-Name', /invalid schema in .*lower-case letters/],
    ['no host', 'postgres:///test', /names no host/],
  ])('rejects %s with exit code 2', async (_case, url, message) => {
    const result = await cli(['list', '--store', url]);
    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr).toMatch(message);
  });

  it('reports an unreachable server with exit code 4, without the password', async () => {
    const result = await cli(['list', '--store', 'postgres://someone:secret@127.0.0.1:1/test']);
    expect(result.code).toBe(ExitCode.storeUnavailable);
    expect(result.stderr).toMatch(/^sdk-sessions: cannot reach PostgreSQL at postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/test: /);
    expect(result.stderr).not.toContain('secret');
  });
});
