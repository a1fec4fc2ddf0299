import { tmpdir } from 'node:os';
import { createQuery, projectKeyForDirectory, type SessionStore } from '@sdk/core';
import { startMessagesEmulator, type MessagesEmulator } from '@sdk/testing/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERY_STORE } from './support/every-store.js';
import { collect, conversationOf, emulatorEnvironment, messageRequests, type QueryMessage } from './support/query-harness.js';

// Forking and branching through query() on every store: the fork gets a new id and the whole
// history up to the fork point; later turns in either session leave the other alone;
// resumeSessionAt branches from the named message.
const cwd = tmpdir();
const projectKey = projectKeyForDirectory(cwd);
let emulator: MessagesEmulator;
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  emulator = await startMessagesEmulator();
});
afterAll(async () => {
  for (const close of closers) await close();
  await emulator.close();
});

/** Opens a fresh store of the backend, disposed of after the file. */
const using = async (open: (typeof EVERY_STORE)[number][1]): Promise<SessionStore> => {
  const { store, dispose } = await open();
  closers.push(dispose);
  return store;
};

const sessionOf = (messages: readonly QueryMessage[]): string => (messages.at(-1) as { session_id: string }).session_id;
const lastConversation = (): string[] => conversationOf(messageRequests(emulator.requests).at(-1)!).map((turn) => `${turn.role}: ${turn.text}`);

describe.each(EVERY_STORE)('fork and branch on the %s store', (_, open) => {
  it('forks to a new id with the history so far; the two sessions then go their own ways', async () => {
    const store = await using(open);
    const query = createQuery({ defaultStore: () => store });
    const options = { env: emulatorEnvironment(emulator.url), cwd };
    const source = sessionOf(await collect(query({ prompt: 'base', options })));
    await collect(query({ prompt: 'second', options: { ...options, resume: source } }));
    const fork = sessionOf(await collect(query({ prompt: 'in the fork', options: { ...options, resume: source, forkSession: true } })));
    expect(fork).not.toBe(source);
    expect(lastConversation()).toEqual(['user: base', 'assistant: echo: base [messages=1]', 'user: second', 'assistant: echo: second [messages=3]', 'user: in the fork']);
    await collect(query({ prompt: 'source goes on', options: { ...options, resume: source } }));
    expect(lastConversation().slice(4)).toEqual(['user: source goes on']);
    await collect(query({ prompt: 'fork goes on', options: { ...options, resume: fork } }));
    expect(lastConversation().slice(4)).toEqual(['user: in the fork', 'assistant: echo: in the fork [messages=5]', 'user: fork goes on']);
  });

  it('resumeSessionAt branches from the named answer', async () => {
    const store = await using(open);
    const query = createQuery({ defaultStore: () => store });
    const options = { env: emulatorEnvironment(emulator.url), cwd };
    const session = sessionOf(await collect(query({ prompt: 'one', options })));
    await collect(query({ prompt: 'two', options: { ...options, resume: session } }));
    const firstAnswer = (await store.load({ projectKey, sessionId: session }))!.find((entry) => entry.type === 'assistant')!;
    await collect(query({ prompt: 'instead of two', options: { ...options, resume: session, resumeSessionAt: firstAnswer.uuid! } }));
    expect(lastConversation()).toEqual(['user: one', 'assistant: echo: one [messages=1]', 'user: instead of two']);
    await collect(query({ prompt: 'after', options: { ...options, resume: session } }));
    expect(lastConversation()).toEqual(['user: one', 'assistant: echo: one [messages=1]', 'user: instead of two', 'assistant: echo: instead of two [messages=3]', 'user: after']);
  });
});
