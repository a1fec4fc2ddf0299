import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, realpath, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  deleteSession,
  getSessionInfo,
  getSessionMessages,
  getSubagentMessages,
  listSessions,
  listSubagents,
  renameSession,
  tagSession,
} from '@anthropic-ai/claude-agent-sdk';
import { projectKeyForDirectory } from '@sdk/core';
import type { SessionStoreEntry } from '@sdk/core';
import { FileSessionStore } from '@sdk/store-file';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/** Two turns in the minimal writer format (transcript-format.md §10). */
function transcript(sessionId: string, cwd: string, prompts: [string, string]): SessionStoreEntry[] {
  const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()] as const;
  const common = { sessionId, cwd, isSidechain: false };
  return [
    { ...common, type: 'user', uuid: ids[0], parentUuid: null, timestamp: '2026-11-26T00:00:00.000Z', message: { role: 'user', content: prompts[0] } },
    {
      ...common,
      type: 'assistant',
      uuid: ids[1],
      parentUuid: ids[0],
      timestamp: '2026-11-26T00:00:01.000Z',
      message: { id: 'msg_01', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: '4' }], stop_reason: 'end_turn', usage: { input_tokens: 10, output_tokens: 1 } },
    },
    { ...common, type: 'user', uuid: ids[2], parentUuid: ids[1], timestamp: '2026-11-26T00:00:02.000Z', message: { role: 'user', content: prompts[1] } },
    {
      ...common,
      type: 'assistant',
      uuid: ids[3],
      parentUuid: ids[2],
      timestamp: '2026-11-26T00:00:03.000Z',
      message: { id: 'msg_02', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: '6' }], stop_reason: 'end_turn', usage: { input_tokens: 20, output_tokens: 1 } },
    },
  ];
}

// The official SDK's pure session functions (no CLI) read CLAUDE_CONFIG_DIR/projects/<key>/*.jsonl.
describe('the official session functions read what FileSessionStore wrote', () => {
  let configDirectory: string;
  let cwd: string;
  let previous: string | undefined;
  let store: FileSessionStore;

  beforeEach(async () => {
    configDirectory = await realpath(await mkdtemp(join(tmpdir(), 'e2e-file-official-')));
    cwd = await realpath(await mkdtemp(join(tmpdir(), 'e2e-file-official-cwd-')));
    previous = process.env.CLAUDE_CONFIG_DIR;
    process.env.CLAUDE_CONFIG_DIR = configDirectory;
    store = new FileSessionStore({ root: configDirectory });
  });

  afterEach(async () => {
    await store.flush();
    if (previous === undefined) delete process.env.CLAUDE_CONFIG_DIR;
    else process.env.CLAUDE_CONFIG_DIR = previous;
    await rm(configDirectory, { recursive: true, force: true });
    await rm(cwd, { recursive: true, force: true });
  });

  it('lists sessions with title, tag, first prompt, cwd and file size, and never lists the bookkeeping folder', async () => {
    const projectKey = projectKeyForDirectory(cwd);
    const first = randomUUID();
    const second = randomUUID();
    await store.append({ projectKey, sessionId: first }, transcript(first, cwd, ['What is 2 + 2?', 'And 3 + 3?']));
    await store.append({ projectKey, sessionId: first }, [
      { type: 'custom-title', customTitle: 'Arithmetic', sessionId: first },
      { type: 'tag', tag: 'math', sessionId: first },
    ]);
    await store.append({ projectKey, sessionId: second }, transcript(second, cwd, ['Second session', 'More']));
    await store.listSessionSummaries(projectKey);
    expect(await readdir(join(configDirectory, 'projects', projectKey))).toContain('.sdk');

    const sessions = await listSessions({ dir: cwd });
    expect(sessions.map(({ sessionId }) => sessionId).sort()).toEqual([first, second].sort());
    const info = sessions.find(({ sessionId }) => sessionId === first)!;
    const file = join(configDirectory, 'projects', projectKey, `${first}.jsonl`);
    expect(info).toMatchObject({ summary: 'Arithmetic', customTitle: 'Arithmetic', tag: 'math', firstPrompt: 'What is 2 + 2?', cwd });
    expect(info.fileSize).toBe((await stat(file)).size);
    expect(info.createdAt).toBe(Date.parse('2026-11-26T00:00:00.000Z'));
    const [ours] = (await store.listSessions(projectKey)).filter(({ sessionId }) => sessionId === first);
    // Both round the file's mtime the way Node's Stats.mtime does.
    expect(info.lastModified).toBe(ours!.mtime);
    expect(await getSessionInfo(first, { dir: cwd })).toMatchObject({ sessionId: first, summary: 'Arithmetic' });
  });

  it('reads the messages and the subagent transcripts', async () => {
    const projectKey = projectKeyForDirectory(cwd);
    const sessionId = randomUUID();
    const entries = transcript(sessionId, cwd, ['What is 2 + 2?', 'And 3 + 3?']);
    await store.append({ projectKey, sessionId }, entries);
    const agentId = 'a0123456789abcdef';
    const subagent = transcript(sessionId, cwd, ['Subagent task', 'Go on']).map((entry) => ({ ...entry, isSidechain: true, agentId }));
    await store.append({ projectKey, sessionId, subpath: `subagents/agent-${agentId}` }, subagent);

    const messages = await getSessionMessages(sessionId, { dir: cwd });
    expect(messages.map(({ type, uuid }) => [type, uuid])).toEqual(entries.map(({ type, uuid }) => [type, uuid]));
    expect(await listSubagents(sessionId, { dir: cwd })).toEqual([agentId]);
    const subagentMessages = await getSubagentMessages(sessionId, agentId, { dir: cwd });
    expect(subagentMessages.map(({ uuid }) => uuid)).toEqual(subagent.map(({ uuid }) => uuid));
    expect(await store.listSubkeys({ projectKey, sessionId })).toEqual([`subagents/agent-${agentId}`]);
  });

  it('sees the official mutations: rename and tag append lines it folds into summaries; delete removes the session', async () => {
    const projectKey = projectKeyForDirectory(cwd);
    const sessionId = randomUUID();
    const key = { projectKey, sessionId };
    const entries = transcript(sessionId, cwd, ['What is 2 + 2?', 'And 3 + 3?']);
    await store.append(key, entries);
    await renameSession(sessionId, 'Renamed officially', { dir: cwd });
    await tagSession(sessionId, 'official-tag', { dir: cwd });
    const loaded = (await store.load(key))!;
    expect(loaded.slice(0, 4)).toEqual(entries);
    expect(loaded.slice(4).map(({ type }) => type)).toEqual(['custom-title', 'tag']);
    const [summary] = await store.listSessionSummaries(projectKey);
    expect(summary!.data).toMatchObject({ customTitle: 'Renamed officially', tag: 'official-tag', firstPrompt: 'What is 2 + 2?' });
    // Our appends after the official ones keep the file valid for both.
    await store.appendIf(key, [{ type: 'custom-title', customTitle: 'Ours again', sessionId }], { expectedLength: 6 });
    expect(await getSessionInfo(sessionId, { dir: cwd })).toMatchObject({ customTitle: 'Ours again' });
    await deleteSession(sessionId, { dir: cwd });
    expect(await store.load(key)).toBeNull();
    expect(await store.listSessions(projectKey)).toEqual([]);
  });
});
