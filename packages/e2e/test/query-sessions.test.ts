import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createQuery, projectKeyForDirectory, SessionNotFoundError } from '@sdk/core';
import { FileSessionStore } from '@sdk/store-file';
import { InMemorySessionStore } from '@sdk/store-memory';

import { beforeEach, describe, expect, it } from 'vitest';
import { collect, conversationOf, emulatorEnvironment, messageRequests, type QueryMessage } from './support/query-harness.js';
import { emulatorForThisFile } from './support/file-emulator.js';

const emulator = await emulatorForThisFile();
let store: InMemorySessionStore;
const query = createQuery({ defaultStore: () => store });
const cwd = tmpdir();
const projectKey = projectKeyForDirectory(cwd);

beforeEach(() => {
  store = new InMemorySessionStore();
});

const options = (): { env: Record<string, string>; cwd: string } => ({ env: emulatorEnvironment(emulator.url), cwd });

function sessionOf(messages: readonly QueryMessage[]): string {
  const init = messages[0];
  if (init?.type !== 'system' || init.subtype !== 'init') throw new Error('no system/init first');
  return init.session_id;
}

const lastConversation = (): string[] => conversationOf(messageRequests(emulator.requests).at(-1)!).map((turn) => `${turn.role}: ${turn.text}`);

describe('session options', () => {
  it('resume sends the prior history and continues the same session', async () => {
    const first = sessionOf(await collect(query({ prompt: 'first', options: options() })));
    const resumed = await collect(query({ prompt: 'second', options: { ...options(), resume: first } }));
    expect(sessionOf(resumed)).toBe(first);
    expect(lastConversation()).toEqual(['user: first', 'assistant: echo: first [messages=1]', 'user: second']);
  });

  it('resume of an unknown session fails on iteration', async () => {
    const run = query({ prompt: 'x', options: { ...options(), resume: '7f3e2d1c-0b9a-4876-9543-210fedcba987' } });
    await expect(collect(run)).rejects.toBeInstanceOf(SessionNotFoundError);
  });

  it('continue resumes the most recently written session of the project', async () => {
    const older = sessionOf(await collect(query({ prompt: 'older', options: options() })));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const newer = sessionOf(await collect(query({ prompt: 'newer', options: options() })));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await collect(query({ prompt: 'touch older', options: { ...options(), resume: older } }));
    const continued = await collect(query({ prompt: 'continued', options: { ...options(), continue: true } }));
    expect(sessionOf(continued)).toBe(older);
    expect(sessionOf(continued)).not.toBe(newer);
    expect(lastConversation()[0]).toBe('user: older');
  });

  it('continue with no session in the project starts a new one', async () => {
    const messages = await collect(query({ prompt: 'fresh', options: { ...options(), continue: true } }));
    expect(messages.at(-1)).toMatchObject({ type: 'result', subtype: 'success' });
    expect(lastConversation()).toEqual(['user: fresh']);
  });

  it('forkSession copies the conversation to the sessionId given and leaves the source untouched', async () => {
    const source = sessionOf(await collect(query({ prompt: 'base', options: options() })));
    const before = await store.load({ projectKey, sessionId: source });
    const forkId = '0e9d8c7b-6a5f-4e3d-9c2b-1a0f9e8d7c6b';
    const forked = await collect(query({ prompt: 'in the fork', options: { ...options(), resume: source, forkSession: true, sessionId: forkId } }));
    expect(sessionOf(forked)).toBe(forkId);
    expect(lastConversation()).toEqual(['user: base', 'assistant: echo: base [messages=1]', 'user: in the fork']);
    expect(await store.load({ projectKey, sessionId: source })).toEqual(before);
    const fork = (await store.load({ projectKey, sessionId: forkId }))!;
    const sourceUuids = before!.filter((entry) => entry.type === 'user' || entry.type === 'assistant').map((entry) => entry.uuid);
    // Same uuids (transcript-format.md §6), re-addressed to the fork.
    expect(fork.slice(0, sourceUuids.length).map((entry) => entry.uuid)).toEqual(sourceUuids);
    expect(fork.filter((entry) => 'sessionId' in entry).every((entry) => entry.sessionId === forkId)).toBe(true);
  });

  it('forkSession without sessionId forks to a fresh id', async () => {
    const source = sessionOf(await collect(query({ prompt: 'base', options: options() })));
    const forked = sessionOf(await collect(query({ prompt: 'branch', options: { ...options(), resume: source, forkSession: true } })));
    expect(forked).not.toBe(source);
    expect((await store.listSessions(projectKey)).map((session) => session.sessionId).sort()).toEqual([source, forked].sort());
  });

  it('resumeSessionAt continues from the named entry, dropping what came after', async () => {
    const session = sessionOf(await collect(query({ prompt: 'one', options: options() })));
    await collect(query({ prompt: 'two', options: { ...options(), resume: session } }));
    const entries = (await store.load({ projectKey, sessionId: session }))!;
    const firstAnswer = entries.find((entry) => entry.type === 'assistant')!;
    await collect(query({ prompt: 'instead of two', options: { ...options(), resume: session, resumeSessionAt: firstAnswer.uuid! } }));
    expect(lastConversation()).toEqual(['user: one', 'assistant: echo: one [messages=1]', 'user: instead of two']);
    // A later plain resume follows the new branch.
    await collect(query({ prompt: 'after', options: { ...options(), resume: session } }));
    expect(lastConversation().slice(0, 4)).toEqual(['user: one', 'assistant: echo: one [messages=1]', 'user: instead of two', 'assistant: echo: instead of two [messages=3]']);
  });

  it('persistSession: false writes nothing, yet can resume a stored session', async () => {
    const stored = sessionOf(await collect(query({ prompt: 'kept', options: options() })));
    const before = await store.load({ projectKey, sessionId: stored });
    async function* twoTurns(): AsyncGenerator<Extract<QueryMessage, { type: 'user' }>> {
      yield { type: 'user', message: { role: 'user', content: 'not kept 1' }, parent_tool_use_id: null };
      yield { type: 'user', message: { role: 'user', content: 'not kept 2' }, parent_tool_use_id: null };
    }
    const run = await collect(query({ prompt: twoTurns(), options: { ...options(), resume: stored, persistSession: false } }));
    expect(run.filter((message) => message.type === 'result')).toHaveLength(2);
    // The second turn saw the first (kept in process), then everything was dropped.
    expect(lastConversation()).toEqual(['user: kept', 'assistant: echo: kept [messages=1]', 'user: not kept 1', 'assistant: echo: not kept 1 [messages=3]', 'user: not kept 2']);
    expect(await store.load({ projectKey, sessionId: stored })).toEqual(before);
    expect(await store.listSessions(projectKey)).toHaveLength(1);
  });
});

describe('with the file store', () => {
  it('writes a Claude Code transcript that resume reads back', async () => {
    const root = await mkdtemp(join(tmpdir(), 'query-file-'));
    try {
      const fileQuery = createQuery({ defaultStore: () => new FileSessionStore({ root }) });
      const session = sessionOf(await collect(fileQuery({ prompt: 'on disk', options: options() })));
      const text = await readFile(join(root, 'projects', projectKey, `${session}.jsonl`), 'utf8');
      expect(text).toContain('"on disk"');
      await collect(fileQuery({ prompt: 'again', options: { ...options(), resume: session } }));
      expect(lastConversation()).toEqual(['user: on disk', 'assistant: echo: on disk [messages=1]', 'user: again']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
