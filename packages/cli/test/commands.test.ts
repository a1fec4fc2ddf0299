import { randomUUID } from 'node:crypto';
import { readFile, realpath, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { projectKeyForPath } from '@sdk/core';
import type { SessionKey, SessionStoreEntry } from '@sdk/core';
import { ExitCode } from '../src/exit-codes.js';
import { openStore } from '../src/open-store.js';
import { cli, conversation, conversationCost, tempFileStore, tempRedisStore } from './helpers.js';

const ROW_KEYS = [
  'bytes',
  'costUsd',
  'createdAt',
  'customTitle',
  'entries',
  'firstPrompt',
  'gitBranch',
  'lastModified',
  'projectKey',
  'sessionId',
  'tag',
  'title',
  'tokens',
];

type TempStore = { url: string; remove(): Promise<void>; root?: string };

const backends: Array<[string, () => Promise<TempStore>]> = [
  ['file', tempFileStore],
  ['redis', async () => tempRedisStore()],
];

/** Writes entries through the store the URL opens, as any program using the store would. */
async function seed(url: string, key: SessionKey, entries: SessionStoreEntry[]): Promise<void> {
  const opened = await openStore(url);
  try {
    await opened.store.append(key, entries);
  } finally {
    await opened.close();
  }
}

async function load(url: string, key: SessionKey): Promise<SessionStoreEntry[] | null> {
  const opened = await openStore(url);
  try {
    return await opened.store.load(key);
  } finally {
    await opened.close();
  }
}

const jsonl = (entries: readonly SessionStoreEntry[]): string => entries.map((entry) => `${JSON.stringify(entry)}\n`).join('');

describe.each(backends)('commands on the %s store', (_name, create) => {
  let store: TempStore;
  let cleanups: Array<() => Promise<void>>;
  beforeEach(async () => {
    store = await create();
    cleanups = [store.remove];
  });
  afterEach(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  describe('list', () => {
    it('lists sessions newest first with title, size, tokens and cost (--json)', async () => {
      const older = conversation({ prompts: ['Read the README please', 'And the license?'] });
      const newer = conversation({ prompts: ['Fix the failing test'] });
      await seed(store.url, { projectKey: 'proj-a', sessionId: older.sessionId }, older.entries);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await seed(store.url, { projectKey: 'proj-a', sessionId: newer.sessionId }, newer.entries);

      const result = await cli(['list', '--store', store.url, '--json']);
      expect(result.code).toBe(ExitCode.ok);
      expect(result.stderr).toBe('');
      const { sessions, ...rest } = JSON.parse(result.stdout);
      expect(rest).toEqual({});
      expect(sessions.map((row: { sessionId: string }) => row.sessionId)).toEqual([newer.sessionId, older.sessionId]);
      const row = sessions[1];
      expect(Object.keys(row).sort()).toEqual(ROW_KEYS);
      expect(Object.keys(row.tokens).sort()).toEqual(['cacheCreation', 'cacheRead', 'input', 'output', 'total']);
      expect(row).toMatchObject({
        projectKey: 'proj-a',
        sessionId: older.sessionId,
        // The official precedence: no custom or AI title, no last-prompt entry: the first prompt.
        title: 'Read the README please',
        customTitle: null,
        tag: null,
        gitBranch: 'main',
        firstPrompt: 'Read the README please',
        createdAt: older.entries[0]!.timestamp,
        entries: older.entries.length,
        bytes: Buffer.byteLength(jsonl(older.entries)),
        // Three API calls: the tool-call response (two entries, one message id), the final answer, the second answer.
        tokens: { input: 300, output: 60, cacheRead: 3000, cacheCreation: 150, total: 3510 },
      });
      expect(row.costUsd).toBeCloseTo(conversationCost(3), 6);
      expect(Date.parse(row.lastModified)).toBeLessThanOrEqual(Date.parse(sessions[0].lastModified));
    });

    it('prints a table for people, one line per session', async () => {
      const { sessionId, entries } = conversation({ prompts: ['Summarize the design document'] });
      await seed(store.url, { projectKey: 'proj-a', sessionId }, entries);
      const result = await cli(['list', '--store', store.url]);
      expect(result.code).toBe(ExitCode.ok);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^MODIFIED \(UTC\)\s+SESSION\s+ENTRIES\s+SIZE\s+TOKENS\s+COST\s+TITLE$/);
      expect(lines[1]).toContain(sessionId);
      expect(lines[1]).toContain('Summarize the design document');
      expect(lines[1]).toContain(`$${conversationCost(2).toFixed(4)}`);
    });

    it('filters by --project and cuts at --limit', async () => {
      const a = conversation();
      const b = conversation();
      const c = conversation();
      await seed(store.url, { projectKey: 'proj-a', sessionId: a.sessionId }, a.entries);
      await seed(store.url, { projectKey: 'proj-b', sessionId: b.sessionId }, b.entries);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await seed(store.url, { projectKey: 'proj-b', sessionId: c.sessionId }, c.entries);

      const all = JSON.parse((await cli(['list', '--store', store.url, '--json'])).stdout).sessions;
      expect(all.map((row: { sessionId: string }) => row.sessionId).sort()).toEqual([a.sessionId, b.sessionId, c.sessionId].sort());
      const onlyA = JSON.parse((await cli(['list', '--store', store.url, '--project', 'proj-a', '--json'])).stdout).sessions;
      expect(onlyA.map((row: { sessionId: string }) => row.sessionId)).toEqual([a.sessionId]);
      const newest = JSON.parse((await cli(['list', '--store', store.url, '--project', 'proj-b', '--limit', '1', '--json'])).stdout).sessions;
      expect(newest.map((row: { sessionId: string }) => row.sessionId)).toEqual([c.sessionId]);
      const table = (await cli(['list', '--store', store.url])).stdout;
      expect(table.split('\n')[0]).toContain('PROJECT');
    });

    it('lists the project of a directory (--dir), keyed as the official SDK keys it', async () => {
      const directory = await realpath(tmpdir());
      const { sessionId, entries } = conversation({ cwd: directory });
      await seed(store.url, { projectKey: projectKeyForPath(directory), sessionId }, entries);
      await seed(store.url, { projectKey: 'elsewhere', sessionId: randomUUID() }, conversation().entries);
      const result = await cli(['list', '--store', store.url, '--dir', tmpdir(), '--json']);
      expect(JSON.parse(result.stdout).sessions.map((row: { projectKey: string; sessionId: string }) => [row.projectKey, row.sessionId])).toEqual([
        [projectKeyForPath(directory), sessionId],
      ]);
      const both = await cli(['list', '--store', store.url, '--dir', tmpdir(), '--project', 'elsewhere']);
      expect(both.code).toBe(ExitCode.usage);
      expect(both.stderr).toContain('give --project or --dir, not both');
    });

    it('says so when there are no sessions', async () => {
      const table = await cli(['list', '--store', store.url]);
      expect(table).toEqual({ code: ExitCode.ok, stdout: '', stderr: 'no sessions\n' });
      const json = await cli(['list', '--store', store.url, '--json']);
      expect(JSON.parse(json.stdout)).toEqual({ sessions: [] });
    });

    it('rejects a bad --limit and a bad --project with exit code 2', async () => {
      const limit = await cli(['list', '--store', store.url, '--limit', 'ten']);
      expect(limit.code).toBe(ExitCode.usage);
      expect(limit.stderr).toContain('--limit must be a positive integer');
      const project = await cli(['list', '--store', store.url, '--project', '../etc']);
      expect(project.code).toBe(ExitCode.usage);
      expect(project.stderr).toMatch(/^sdk-sessions: .*projectKey/);
    });
  });

  describe('show', () => {
    it('prints the conversation with tool calls and results', async () => {
      const { sessionId, entries } = conversation({ prompts: ['Read the README please', 'Thanks!'] });
      await seed(store.url, { projectKey: 'proj-a', sessionId }, entries);
      const result = await cli(['show', sessionId, '--store', store.url]);
      expect(result.code).toBe(ExitCode.ok);
      expect(result.stdout).toContain(`session   ${sessionId}`);
      expect(result.stdout).toContain('project   proj-a');
      expect(result.stdout).toContain('title     Read the README please');
      expect(result.stdout).toContain('── user\nRead the README please');
      expect(result.stdout).toContain('── assistant (claude-sonnet-4-5-20250929)\nI will read it.');
      expect(result.stdout).toMatch(/→ Read \{"file_path":"\/work\/project\/README.md"\} {2}\(toolu_\w+\)/);
      expect(result.stdout).toMatch(/← result \(toolu_\w+\)\n {2}# Project\n {2}Hello from the README/);
      expect(result.stdout).toContain('The README says hello.');
      expect(result.stdout.indexOf('Read the README please')).toBeLessThan(result.stdout.indexOf('Answer to: Thanks!'));
    });

    it('prints the session and its messages (--json)', async () => {
      const { sessionId, entries } = conversation();
      await seed(store.url, { projectKey: 'proj-a', sessionId }, entries);
      await seed(store.url, { projectKey: 'proj-a', sessionId, subpath: 'subagents/agent-a1b2' }, conversation({ sessionId }).entries);
      const result = await cli(['show', sessionId, '--store', store.url, '--json']);
      expect(result.code).toBe(ExitCode.ok);
      const shown = JSON.parse(result.stdout);
      expect(Object.keys(shown).sort()).toEqual(['messages', 'session', 'subagents']);
      expect(Object.keys(shown.session).sort()).toEqual(ROW_KEYS);
      expect(shown.subagents).toEqual(['a1b2']);
      expect(shown.messages.map((message: { uuid: string }) => message.uuid)).toEqual(entries.map((entry) => entry.uuid));
      expect(Object.keys(shown.messages[0]).sort()).toEqual(['message', 'parent_agent_id', 'parent_tool_use_id', 'session_id', 'timestamp', 'type', 'uuid']);
    });

    it('exits 3 for an unknown session and 2 for an id that is not one', async () => {
      const missing = randomUUID();
      const unknown = await cli(['show', missing, '--store', store.url]);
      expect(unknown.code).toBe(ExitCode.notFound);
      expect(unknown.stderr).toBe(`sdk-sessions: session ${missing} not found in ${store.url}\n`);
      const invalid = await cli(['show', 'not-a-uuid', '--store', store.url]);
      expect(invalid.code).toBe(ExitCode.usage);
      expect(invalid.stderr).toContain('invalid session id "not-a-uuid" (must be a UUID)');
      const absent = await cli(['show', '--store', store.url]);
      expect(absent.code).toBe(ExitCode.usage);
      expect(absent.stderr).toContain('show: missing <sessionId>');
    });

    it('asks for --project when a session id exists in two projects', async () => {
      const { sessionId, entries } = conversation();
      await seed(store.url, { projectKey: 'proj-a', sessionId }, entries);
      await seed(store.url, { projectKey: 'proj-b', sessionId }, entries);
      const ambiguous = await cli(['show', sessionId, '--store', store.url]);
      expect(ambiguous.code).toBe(ExitCode.usage);
      expect(ambiguous.stderr).toContain('exists in several projects (proj-a, proj-b): choose one with --project');
      expect((await cli(['show', sessionId, '--store', store.url, '--project', 'proj-b'])).code).toBe(ExitCode.ok);
    });
  });

  describe('rename, tag, fork, delete', () => {
    it('renames a session: the title changes in the listing', async () => {
      const { sessionId, entries } = conversation();
      await seed(store.url, { projectKey: 'proj-a', sessionId }, entries);
      const result = await cli(['rename', sessionId, '  Release planning ', '--store', store.url, '--json']);
      expect(result.code).toBe(ExitCode.ok);
      expect(JSON.parse(result.stdout)).toEqual({ projectKey: 'proj-a', sessionId, title: 'Release planning' });
      const [row] = JSON.parse((await cli(['list', '--store', store.url, '--json'])).stdout).sessions;
      expect(row).toMatchObject({ title: 'Release planning', customTitle: 'Release planning', entries: entries.length + 1 });
      const stored = await load(store.url, { projectKey: 'proj-a', sessionId });
      expect(stored?.at(-1)).toMatchObject({ type: 'custom-title', customTitle: 'Release planning', sessionId });
    });

    it('rejects an empty title and an unknown session', async () => {
      const { sessionId, entries } = conversation();
      await seed(store.url, { projectKey: 'proj-a', sessionId }, entries);
      const empty = await cli(['rename', sessionId, '   ', '--store', store.url]);
      expect(empty.code).toBe(ExitCode.usage);
      expect(empty.stderr).toContain('rename: missing <title>');
      const unknown = await cli(['rename', randomUUID(), 'x', '--store', store.url]);
      expect(unknown.code).toBe(ExitCode.notFound);
      expect(await load(store.url, { projectKey: 'proj-a', sessionId })).toHaveLength(entries.length);
    });

    it('tags and clears the tag of a session', async () => {
      const { sessionId, entries } = conversation();
      await seed(store.url, { projectKey: 'proj-a', sessionId }, entries);
      const tagged = await cli(['tag', sessionId, 'urgent', '--store', store.url, '--json']);
      expect(tagged.code).toBe(ExitCode.ok);
      expect(JSON.parse(tagged.stdout)).toEqual({ projectKey: 'proj-a', sessionId, tag: 'urgent' });
      expect(JSON.parse((await cli(['list', '--store', store.url, '--json'])).stdout).sessions[0].tag).toBe('urgent');
      expect((await cli(['list', '--store', store.url])).stdout).toContain('[urgent]');
      const cleared = await cli(['tag', sessionId, '--clear', '--store', store.url, '--json']);
      expect(JSON.parse(cleared.stdout)).toEqual({ projectKey: 'proj-a', sessionId, tag: null });
      expect(JSON.parse((await cli(['list', '--store', store.url, '--json'])).stdout).sessions[0].tag).toBeNull();
      const both = await cli(['tag', sessionId, 'x', '--clear', '--store', store.url]);
      expect(both.code).toBe(ExitCode.usage);
    });

    it('forks a session into a new one with fresh ids', async () => {
      const { sessionId, entries } = conversation();
      await seed(store.url, { projectKey: 'proj-a', sessionId }, entries);
      const result = await cli(['fork', sessionId, '--title', 'Experiment', '--store', store.url, '--json']);
      expect(result.code).toBe(ExitCode.ok);
      const forked = JSON.parse(result.stdout);
      expect(Object.keys(forked).sort()).toEqual(['forkedFrom', 'projectKey', 'sessionId']);
      expect(forked).toMatchObject({ projectKey: 'proj-a', forkedFrom: sessionId });
      const copy = await load(store.url, { projectKey: 'proj-a', sessionId: forked.sessionId });
      const messages = copy!.filter((entry) => entry.type === 'user' || entry.type === 'assistant');
      expect(messages).toHaveLength(entries.length);
      expect(messages.every((entry) => entry.sessionId === forked.sessionId)).toBe(true);
      expect(messages.some((entry) => entries.some((original) => original.uuid === entry.uuid))).toBe(false);
      const titles = JSON.parse((await cli(['list', '--store', store.url, '--json'])).stdout).sessions.map((row: { title: string }) => row.title);
      expect(titles).toContain('Experiment');
      const plain = await cli(['fork', sessionId, '--store', store.url]);
      expect(plain.stdout).toMatch(/^[0-9a-f-]{36}\n$/);
    });

    it('deletes a session with its subagents only when confirmed', async () => {
      const { sessionId, entries } = conversation();
      const key = { projectKey: 'proj-a', sessionId };
      await seed(store.url, key, entries);
      await seed(store.url, { ...key, subpath: 'subagents/agent-x' }, conversation({ sessionId }).entries);

      const unconfirmed = await cli(['delete', sessionId, '--store', store.url]);
      expect(unconfirmed.code).toBe(ExitCode.usage);
      expect(unconfirmed.stderr).toContain('without confirmation: pass --yes');
      const questions: string[] = [];
      const declined = await cli(['delete', sessionId, '--store', store.url], { confirm: async (question) => (questions.push(question), false) });
      expect(declined.code).toBe(ExitCode.failure);
      expect(questions[0]).toContain(`delete session ${sessionId} (${entries.length} entries)`);
      expect(await load(store.url, key)).toHaveLength(entries.length);

      const deleted = await cli(['delete', sessionId, '--yes', '--store', store.url, '--json']);
      expect(deleted.code).toBe(ExitCode.ok);
      expect(JSON.parse(deleted.stdout)).toEqual({ projectKey: 'proj-a', sessionId, deleted: true });
      expect(await load(store.url, key)).toBeNull();
      expect(await load(store.url, { ...key, subpath: 'subagents/agent-x' })).toBeNull();
      expect((await cli(['show', sessionId, '--store', store.url])).code).toBe(ExitCode.notFound);
      expect((await cli(['delete', sessionId, '--yes', '--store', store.url])).code).toBe(ExitCode.notFound);
    });
  });

  describe('export and import', () => {
    it('exports the raw transcript as JSONL', async () => {
      const { sessionId, entries } = conversation();
      await seed(store.url, { projectKey: 'proj-a', sessionId }, entries);
      const result = await cli(['export', sessionId, '--store', store.url]);
      expect(result.code).toBe(ExitCode.ok);
      expect(result.stdout).toBe(jsonl(entries));
      if (store.root !== undefined) {
        // Byte for byte what the file store (Claude Code's layout) holds on disk.
        expect(result.stdout).toBe(await readFile(join(store.root, 'projects', 'proj-a', `${sessionId}.jsonl`), 'utf8'));
      }
    });

    it('exports to a file (--out) and imports it into another store, idempotently', async () => {
      const { sessionId, entries } = conversation({ cwd: '/home/dev/app' });
      await seed(store.url, { projectKey: 'proj-a', sessionId }, entries);
      const target = await tempFileStore();
      cleanups.push(target.remove);
      const file = join(target.root, 'export.jsonl');

      const exported = await cli(['export', sessionId, '--out', file, '--store', store.url, '--json']);
      expect(exported.code).toBe(ExitCode.ok);
      expect(JSON.parse(exported.stdout)).toEqual({ projectKey: 'proj-a', sessionId, entries: entries.length, bytes: Buffer.byteLength(jsonl(entries)), out: file });
      expect(await readFile(file, 'utf8')).toBe(jsonl(entries));

      const imported = await cli(['import', file, '--store', target.url, '--json']);
      expect(imported.code).toBe(ExitCode.ok);
      // The project comes from the transcript's cwd, keyed as Claude Code keys it.
      expect(JSON.parse(imported.stdout)).toEqual({ projectKey: '-home-dev-app', sessionId, entries: entries.length, appended: entries.length });
      expect(await load(target.url, { projectKey: '-home-dev-app', sessionId })).toEqual(entries);

      const again = await cli(['import', file, '--store', target.url, '--json']);
      expect(JSON.parse(again.stdout).appended).toBe(0);
      expect(await load(target.url, { projectKey: '-home-dev-app', sessionId })).toHaveLength(entries.length);
    });

    it('imports under another session id and project', async () => {
      const source = await tempFileStore();
      cleanups.push(source.remove);
      const { sessionId, entries } = conversation();
      const file = join(source.root, `${sessionId}.jsonl`);
      await writeFile(file, jsonl(entries));
      const newId = randomUUID();
      const result = await cli(['import', file, '--session-id', newId, '--project', 'proj-z', '--store', store.url]);
      expect(result.code).toBe(ExitCode.ok);
      expect(result.stdout).toBe(`${newId}\n`);
      const stored = await load(store.url, { projectKey: 'proj-z', sessionId: newId });
      expect(stored?.map((entry) => entry.sessionId)).toEqual(entries.map(() => newId));
      expect(stored?.map((entry) => entry.uuid)).toEqual(entries.map((entry) => entry.uuid));
    });

    it('refuses corrupt files, missing files and conflicting sessions', async () => {
      const source = await tempFileStore();
      cleanups.push(source.remove);
      const { sessionId, entries } = conversation();
      const corrupt = join(source.root, 'corrupt.jsonl');
      await writeFile(corrupt, `${JSON.stringify(entries[0])}\n{"type":"user",\n`);
      const bad = await cli(['import', corrupt, '--store', store.url]);
      expect(bad.code).toBe(ExitCode.failure);
      expect(bad.stderr).toContain(`${corrupt}:2: not JSON`);

      const missing = await cli(['import', join(source.root, 'nope.jsonl'), '--store', store.url]);
      expect(missing.code).toBe(ExitCode.usage);
      expect(missing.stderr).toContain('no such file');

      await seed(store.url, { projectKey: 'proj-a', sessionId }, conversation({ sessionId }).entries);
      const file = join(source.root, 'session.jsonl');
      await writeFile(file, jsonl(entries));
      const conflict = await cli(['import', file, '--project', 'proj-a', '--store', store.url]);
      expect(conflict.code).toBe(ExitCode.conflict);
      expect(conflict.stderr).toContain('not a prefix of the source');
    });
  });
});

describe('the command line', () => {
  it('lists the commands on --help and exits 0', async () => {
    const result = await cli(['--help']);
    expect(result.code).toBe(ExitCode.ok);
    for (const name of ['list', 'show', 'tail', 'fork', 'rename', 'tag', 'delete', 'export', 'import', 'migrate']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
  });

  it('prints help on stderr and exits 2 without a command', async () => {
    const result = await cli([]);
    expect(result.code).toBe(ExitCode.usage);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('usage: sdk-sessions <command>');
  });

  it('rejects unknown commands and options with exit code 2', async () => {
    const command = await cli(['lsit']);
    expect(command).toEqual({
      code: ExitCode.usage,
      stdout: '',
      stderr: 'sdk-sessions: unknown command "lsit"; commands: list, show, tail, fork, rename, tag, delete, export, import, migrate, inspect\n',
    });
    const option = await cli(['list', '--stroe', 'memory:']);
    expect(option.code).toBe(ExitCode.usage);
    expect(option.stderr).toContain("list: Unknown option '--stroe'");
    expect(option.stderr).toContain('usage: sdk-sessions list');
  });

  it("prints a command's usage on --help", async () => {
    const result = await cli(['migrate', '--help']);
    expect(result.code).toBe(ExitCode.ok);
    expect(result.stdout).toMatch(/^usage: sdk-sessions migrate --from <url> --to <url>/);
  });

  it('takes the store from SDK_SESSIONS_STORE', async () => {
    const { sessionId, entries } = conversation();
    await seed('memory:from-environment', { projectKey: 'p', sessionId }, entries);
    const result = await cli(['list', '--json'], { env: { SDK_SESSIONS_STORE: 'memory:from-environment' } });
    expect(JSON.parse(result.stdout).sessions[0].sessionId).toBe(sessionId);
  });
});
