import { cp, mkdir, mkdtemp, readdir, readFile, realpath, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as official from '@anthropic-ai/claude-agent-sdk';
import * as compat from '@sdk/compat';
import { createSessionFunctions, projectKeyForDirectory, SessionNotFoundError } from '@sdk/core';
import type { SessionStoreEntry } from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';
import { FileSessionStore } from '@sdk/store-file';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixtureSessions,
  fixtureUuid,
  knownStrings,
  normalizeFresh,
  subagentTranscript,
  type FixtureSession,
} from './support/session-transcripts.js';

// Without `sessionStore` the official functions read the local transcripts under
// $CLAUDE_CONFIG_DIR/projects. Ours, given the file store of that folder as the local default
// store, must return and write the same.

const plain = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
const AGENT = 'a0123456789abcdef';

let officialRoot: string;
let ourRoot: string;
let directory: string;
let projectKey: string;
let sessions: FixtureSession[];
let main: FixtureSession;
const OTHER_PROJECT = '-elsewhere-other-project';
let otherSession: FixtureSession;
const localFunctions = (root: string) =>
  createSessionFunctions({
    defaultStore: () => new FileSessionStore({ root, durability: 'none' }),
    defaultStoreIsLocal: true,
    defaultStoreProjectKeys: async () =>
      (await readdir(join(root, 'projects'), { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name),
  });

/** Writes the sessions as the CLI would: one JSON document per line, distinct file mtimes. */
async function writeTranscripts(root: string): Promise<void> {
  const folder = join(root, 'projects', projectKey);
  await mkdir(join(folder, main.sessionId, 'subagents'), { recursive: true });
  let mtime = 1_790_000_000;
  // The sessions that are never listed (sidechain only, metadata only) are the newest, so that
  // pages with an offset cross them: the official SDK counts the offset in sessions shown.
  const hidden = new Set(['sidechain only', 'metadata only']);
  for (const { sessionId, entries, name } of [...sessions.filter((item) => !hidden.has(item.name)), ...sessions.filter((item) => hidden.has(item.name))]) {
    const file = join(folder, `${sessionId}.jsonl`);
    await writeFile(file, entries.map((entry) => JSON.stringify(entry)).join('\n') + '\n');
    await utimes(file, mtime, mtime);
    mtime += name === 'branches' ? 0 : 10;
  }
  // A second project, found only when a call without dir searches every project.
  const other = join(root, 'projects', OTHER_PROJECT);
  await mkdir(other, { recursive: true });
  await writeFile(join(other, `${otherSession.sessionId}.jsonl`), otherSession.entries.map((entry) => JSON.stringify(entry)).join('\n') + '\n');
  await utimes(join(other, `${otherSession.sessionId}.jsonl`), mtime, mtime);
  const subagent = subagentTranscript(main.sessionId, AGENT, directory, {}).filter((entry) => entry.type !== 'agent_metadata');
  await writeFile(join(folder, main.sessionId, 'subagents', `agent-${AGENT}.jsonl`), subagent.map((entry) => JSON.stringify(entry)).join('\n') + '\n');
}

async function readTranscript(root: string, sessionId: string): Promise<SessionStoreEntry[] | undefined> {
  try {
    const text = await readFile(join(root, 'projects', projectKey, `${sessionId}.jsonl`), 'utf8');
    return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as SessionStoreEntry);
  } catch {
    return undefined;
  }
}

beforeAll(async () => {
  const scratch = await realpath(await mkdtemp(join(tmpdir(), 'e2e-local-sessions-')));
  officialRoot = join(scratch, 'official-config');
  ourRoot = join(scratch, 'our-config');
  directory = join(scratch, 'project');
  await mkdir(directory);
  projectKey = projectKeyForDirectory(directory);
  sessions = fixtureSessions(directory);
  main = sessions[0]!;
  otherSession = { ...fixtureSessions('/elsewhere/other-project').find((item) => item.name === 'branches')!, name: 'other project' };
  otherSession = { ...otherSession, sessionId: fixtureUuid(0x0e1, 0), entries: otherSession.entries.map((entry) => ({ ...entry, sessionId: fixtureUuid(0x0e1, 0) })) };
  await writeTranscripts(officialRoot);
  await cp(officialRoot, ourRoot, { recursive: true, preserveTimestamps: true });
  process.env.CLAUDE_CONFIG_DIR = officialRoot;
});
afterAll(async () => {
  delete process.env.CLAUDE_CONFIG_DIR;
  await rm(join(officialRoot, '..'), { recursive: true, force: true });
});

describe('reads of local transcripts equal the official ones', () => {
  it.each([{}, { limit: 2 }, { offset: 3 }, { limit: 3, offset: 2 }, { offset: 7 }])('listSessions %j', async (options) => {
    const ours = localFunctions(officialRoot);
    const expected = await official.listSessions({ ...options, dir: directory });
    expect(plain(await ours.listSessions({ ...options, dir: directory }))).toEqual(plain(expected));
    expect(expected.length).toBeGreaterThan(0);
    // Read from files, the size is reported: a difference from reading a store.
    expect(expected.every((info) => typeof info.fileSize === 'number')).toBe(true);
  });

  it('getSessionInfo and getSessionMessages of every fixture', async () => {
    const ours = localFunctions(officialRoot);
    for (const { sessionId, name } of sessions) {
      expect(plain(await ours.getSessionInfo(sessionId, { dir: directory })), name).toEqual(plain(await official.getSessionInfo(sessionId, { dir: directory })));
      for (const options of [{}, { includeSystemMessages: true }, { limit: 2, offset: 1 }]) {
        const expected = await official.getSessionMessages(sessionId, { ...options, dir: directory });
        expect(plain(await ours.getSessionMessages(sessionId, { ...options, dir: directory })), name).toEqual(plain(expected));
      }
    }
  });

  it('@sdk/compat, called without a store, reads $CLAUDE_CONFIG_DIR like the official package', async () => {
    expect(plain(await compat.listSessions({ dir: directory }))).toEqual(plain(await official.listSessions({ dir: directory })));
    for (const { sessionId, name } of sessions) {
      expect(plain(await compat.getSessionInfo(sessionId, { dir: directory })), name).toEqual(plain(await official.getSessionInfo(sessionId, { dir: directory })));
      expect(plain(await compat.getSessionMessages(sessionId, { dir: directory })), name).toEqual(
        plain(await official.getSessionMessages(sessionId, { dir: directory })),
      );
    }
    expect(await compat.listSubagents(main.sessionId, { dir: directory })).toEqual([AGENT]);
    // Without dir, every project folder is searched.
    expect(plain(await compat.listSessions())).toEqual(plain(await official.listSessions()));
    expect(plain(await compat.getSessionMessages(otherSession.sessionId))).toEqual(plain(await official.getSessionMessages(otherSession.sessionId)));
    expect((await compat.getSessionMessages(otherSession.sessionId)).length).toBeGreaterThan(0);
  });

  it('without dir, search every project like the official functions', async () => {
    const ours = localFunctions(officialRoot);
    for (const page of [{}, { limit: 3 }, { limit: 2, offset: 4 }]) {
      const expected = await official.listSessions(page);
      expect(plain(await ours.listSessions(page))).toEqual(plain(expected));
      if (!('offset' in page)) expect(expected.map((info) => info.sessionId)).toContain(otherSession.sessionId);
    }
    for (const { sessionId } of [otherSession, main]) {
      expect(plain(await ours.getSessionInfo(sessionId))).toEqual(plain(await official.getSessionInfo(sessionId)));
      expect(plain(await ours.getSessionMessages(sessionId))).toEqual(plain(await official.getSessionMessages(sessionId)));
    }
    expect(await ours.listSubagents(main.sessionId)).toEqual(await official.listSubagents(main.sessionId));
    expect((await ours.getSessionMessages(otherSession.sessionId)).length).toBeGreaterThan(0);
  });

  it('listSubagents and getSubagentMessages', async () => {
    const ours = localFunctions(officialRoot);
    expect(await ours.listSubagents(main.sessionId, { dir: directory })).toEqual(await official.listSubagents(main.sessionId, { dir: directory }));
    const expected = await official.getSubagentMessages(main.sessionId, AGENT, { dir: directory });
    expect(expected.length).toBeGreaterThan(0);
    expect(plain(await ours.getSubagentMessages(main.sessionId, AGENT, { dir: directory }))).toEqual(plain(expected));
  });
});

describe('mutations of local transcripts write what the official ones write', () => {
  const known = () => knownStrings(sessions);
  const session = (name: string) => sessions.find((candidate) => candidate.name === name)!;

  it('renameSession and tagSession append bare metadata lines', async () => {
    const ours = localFunctions(ourRoot);
    const { sessionId } = session('branches');
    await official.renameSession(sessionId, ' Colours ', { dir: directory });
    await ours.renameSession(sessionId, ' Colours ', { dir: directory });
    await official.tagSession(sessionId, 'palette', { dir: directory });
    await ours.tagSession(sessionId, 'palette', { dir: directory });
    await official.tagSession(sessionId, null, { dir: directory });
    await ours.tagSession(sessionId, null, { dir: directory });
    const expected = await readTranscript(officialRoot, sessionId);
    expect(await readTranscript(ourRoot, sessionId)).toEqual(expected);
    expect(expected!.slice(-3)).toEqual([
      { type: 'custom-title', customTitle: 'Colours', sessionId },
      { type: 'tag', tag: 'palette', sessionId },
      { type: 'tag', tag: '', sessionId },
    ]);
  });

  it.each([
    ['a whole session', 'tool calls, title, tag', {}],
    ['up to a message', 'tool calls, title, tag', { upToMessageId: fixtureUuid(1, 6) }],
    ['a long session (title from the first prompt)', 'long', {}],
    ['an AI-titled session', 'slash command and AI title', { title: ' Mine ' }],
  ])('forkSession of %s writes the same transcript', async (_label, name, options) => {
    const ours = localFunctions(ourRoot);
    const { sessionId } = session(name);
    const expected = await official.forkSession(sessionId, { ...options, dir: directory });
    const actual = await ours.forkSession(sessionId, { ...options, dir: directory });
    const expectedEntries = await readTranscript(officialRoot, expected.sessionId);
    expect(expectedEntries!.length).toBeGreaterThan(1);
    expect(normalizeFresh(await readTranscript(ourRoot, actual.sessionId), known())).toEqual(normalizeFresh(expectedEntries, known()));
  });

  it('archiveSession and unarchiveSession write the mark the official SDK reads, and the reverse', async () => {
    const [listed] = await official.listSessions({ dir: directory });
    const sessionId = listed!.sessionId;
    const archivedOf = async (list: typeof official.listSessions): Promise<boolean | undefined> =>
      (await list({ dir: directory })).find((session) => session.sessionId === sessionId)?.archived;
    expect(await archivedOf(official.listSessions)).toBeUndefined();
    await compat.archiveSession(sessionId, { dir: directory });
    expect(await archivedOf(official.listSessions)).toBe(true);
    expect(await archivedOf(compat.listSessions)).toBe(true);
    await official.unarchiveSession(sessionId, { dir: directory });
    expect(await archivedOf(compat.listSessions)).toBe(false);
    await official.archiveSession(sessionId, { dir: directory });
    expect(await archivedOf(compat.listSessions)).toBe(true);
    await compat.unarchiveSession(sessionId, { dir: directory });
    expect(await archivedOf(official.listSessions)).toBe(false);
    expect(plain(await compat.listSessions({ dir: directory }))).toEqual(plain(await official.listSessions({ dir: directory })));
    await expect(compat.archiveSession('00000000-0000-4000-8000-000000000000', { dir: directory })).rejects.toBeInstanceOf(SessionNotFoundError);
    await expect(compat.archiveSession(sessionId, { dir: directory, sessionStore: new InMemorySessionStore() })).rejects.toThrow(/sessionStore/);
  });

  it('deleteSession removes the transcript and its subagents, and rejects a missing session', async () => {
    const ours = localFunctions(ourRoot);
    await official.deleteSession(main.sessionId, { dir: directory });
    await ours.deleteSession(main.sessionId, { dir: directory });
    for (const root of [officialRoot, ourRoot]) {
      const names = await readdir(join(root, 'projects', projectKey));
      expect(names.filter((name) => name.startsWith(main.sessionId))).toEqual([]);
    }
    await expect(official.deleteSession(main.sessionId, { dir: directory })).rejects.toThrow(/not found/);
    await expect(ours.deleteSession(main.sessionId, { dir: directory })).rejects.toBeInstanceOf(SessionNotFoundError);
    await expect(official.renameSession(main.sessionId, 'x', { dir: directory })).rejects.toThrow(/not found/);
    await expect(ours.renameSession(main.sessionId, 'x', { dir: directory })).rejects.toBeInstanceOf(SessionNotFoundError);
  });
});

describe('a corrupt line', () => {
  it('is skipped by @sdk/compat as by the official reader', async () => {
    const root = join(officialRoot, '..', 'corrupt-config');
    const folder = join(root, 'projects', projectKey);
    await mkdir(folder, { recursive: true });
    const lines = main.entries.map((entry) => JSON.stringify(entry));
    lines.splice(5, 0, '{"type":"user","torn');
    await writeFile(join(folder, `${main.sessionId}.jsonl`), lines.join('\n') + '\n');
    process.env.CLAUDE_CONFIG_DIR = root;
    try {
      const expected = await official.getSessionMessages(main.sessionId, { dir: directory });
      expect(expected.length).toBeGreaterThan(5);
      expect(plain(await compat.getSessionMessages(main.sessionId, { dir: directory }))).toEqual(plain(expected));
      // The one difference: the official size is the file's, ours that of the lines that parse.
      const [officialInfo] = await official.listSessions({ dir: directory });
      const [ourInfo] = await compat.listSessions({ dir: directory });
      expect(ourInfo!.fileSize).toBe(officialInfo!.fileSize! - Buffer.byteLength('{"type":"user","torn\n'));
      expect(plain({ ...ourInfo, fileSize: 0 })).toEqual(plain({ ...officialInfo, fileSize: 0 }));
    } finally {
      process.env.CLAUDE_CONFIG_DIR = officialRoot;
    }
  });
});

describe('importSessionToStore', () => {
  it('copies the same entries and subagents from the local transcripts', async () => {
    const ours = localFunctions(officialRoot);
    const { sessionId } = sessions.find((candidate) => candidate.name === 'pasted, bash, meta, denial')!;
    const expectedStore = new InMemorySessionStore();
    const actualStore = new InMemorySessionStore();
    const calls = { official: [] as number[], ours: [] as number[] };
    const recording = (store: InMemorySessionStore, sizes: number[]) => ({
      append: (key: Parameters<InMemorySessionStore['append']>[0], entries: SessionStoreEntry[]) => {
        sizes.push(entries.length);
        return store.append(key, entries);
      },
      load: store.load.bind(store),
    });
    await official.importSessionToStore(sessionId, recording(expectedStore, calls.official), { dir: directory, batchSize: 4 });
    await ours.importSessionToStore(sessionId, recording(actualStore, calls.ours), { dir: directory, batchSize: 4 });
    const key = { projectKey, sessionId };
    expect(await actualStore.load(key)).toEqual(await expectedStore.load(key));
    expect(calls.ours).toEqual(calls.official);
    expect(calls.ours.every((size) => size <= 4)).toBe(true);
    await expect(official.importSessionToStore(fixtureUuid(0xdead, 1), actualStore, { dir: directory })).rejects.toThrow(/not found/);
    await expect(ours.importSessionToStore(fixtureUuid(0xdead, 1), actualStore, { dir: directory })).rejects.toBeInstanceOf(SessionNotFoundError);
  });

  it('copies subagent transcripts unless told not to', async () => {
    // The main session was deleted above: import from a fresh copy of the transcripts.
    const root = join(officialRoot, '..', 'import-config');
    await writeTranscripts(root);
    const fromFresh = localFunctions(root);
    process.env.CLAUDE_CONFIG_DIR = root;
    try {
      for (const includeSubagents of [true, false]) {
        const expectedStore = new InMemorySessionStore();
        const actualStore = new InMemorySessionStore();
        await official.importSessionToStore(main.sessionId, expectedStore, { dir: directory, includeSubagents });
        await fromFresh.importSessionToStore(main.sessionId, actualStore, { dir: directory, includeSubagents });
        const ref = { projectKey, sessionId: main.sessionId };
        expect(await actualStore.listSubkeys(ref)).toEqual(await expectedStore.listSubkeys(ref));
        expect(await actualStore.listSubkeys(ref)).toHaveLength(includeSubagents ? 1 : 0);
        for (const subpath of await expectedStore.listSubkeys(ref)) {
          expect(await actualStore.load({ ...ref, subpath })).toEqual(await expectedStore.load({ ...ref, subpath }));
        }
        expect(await actualStore.load(ref)).toEqual(await expectedStore.load(ref));
      }
    } finally {
      process.env.CLAUDE_CONFIG_DIR = officialRoot;
    }
  });
});
