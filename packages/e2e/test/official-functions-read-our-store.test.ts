import { randomUUID } from 'node:crypto';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getSessionMessages, listSessions } from '@anthropic-ai/claude-agent-sdk';
import { projectKeyForDirectory } from '@sdk/core';
import type { SessionStoreEntry } from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

/** A two-turn transcript in the on-disk format, as the CLI writes it. */
function transcript(sessionId: string, cwd: string): SessionStoreEntry[] {
  const common = { sessionId, cwd, isSidechain: false, userType: 'external', version: '2.1.332', gitBranch: 'HEAD' };
  const ids = [randomUUID(), randomUUID(), randomUUID(), randomUUID()] as const;
  return [
    { ...common, type: 'user', uuid: ids[0], parentUuid: null, timestamp: '2026-11-26T00:00:00.000Z', message: { role: 'user', content: 'What is 2 + 2?' } },
    {
      ...common,
      type: 'assistant',
      uuid: ids[1],
      parentUuid: ids[0],
      timestamp: '2026-11-26T00:00:01.000Z',
      message: { id: 'msg_01', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: '4' }], stop_reason: 'end_turn', usage: { input_tokens: 10, output_tokens: 1 } },
    },
    { ...common, type: 'user', uuid: ids[2], parentUuid: ids[1], timestamp: '2026-11-26T00:00:02.000Z', message: { role: 'user', content: 'And 3 + 3?' } },
    {
      ...common,
      type: 'assistant',
      uuid: ids[3],
      parentUuid: ids[2],
      timestamp: '2026-11-26T00:00:03.000Z',
      message: { id: 'msg_02', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [{ type: 'text', text: '6' }], stop_reason: 'end_turn', usage: { input_tokens: 20, output_tokens: 1 } },
    },
    { type: 'custom-title', customTitle: 'Arithmetic', sessionId },
  ];
}

// The official SDK's session functions (pure: no CLI is spawned) read our store as their own.
describe('official session functions on our InMemorySessionStore', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await realpath(await mkdtemp(join(tmpdir(), 'e2e-official-store-')));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('listSessions lists the session with its title, first prompt and mtime', async () => {
    const store = new InMemorySessionStore();
    const sessionId = randomUUID();
    await store.append({ projectKey: projectKeyForDirectory(directory), sessionId }, transcript(sessionId, directory));
    await store.append({ projectKey: 'another-project', sessionId: randomUUID() }, transcript(randomUUID(), '/elsewhere'));
    const sessions = await listSessions({ sessionStore: store, dir: directory });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ sessionId, customTitle: 'Arithmetic', firstPrompt: 'What is 2 + 2?', cwd: directory });
    expect(sessions[0]!.lastModified).toBeGreaterThan(1e12);
  });

  it('getSessionMessages returns the conversation in order', async () => {
    const store = new InMemorySessionStore();
    const sessionId = randomUUID();
    const entries = transcript(sessionId, directory);
    await store.append({ projectKey: projectKeyForDirectory(directory), sessionId }, entries);
    const messages = await getSessionMessages(sessionId, { sessionStore: store, dir: directory });
    expect(messages.map((message) => message.type)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(messages.map((message) => message.uuid)).toEqual(entries.slice(0, 4).map((entry) => entry.uuid));
    expect(messages[2]!.message).toEqual({ role: 'user', content: 'And 3 + 3?' });
  });

  it('getSessionMessages of a session the store does not have is empty', async () => {
    const messages = await getSessionMessages(randomUUID(), { sessionStore: new InMemorySessionStore(), dir: directory });
    expect(messages).toEqual([]);
  });
});
