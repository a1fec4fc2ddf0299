import { describe, expect, it } from 'vitest';
import { SessionNotFoundError, StoreCapabilityError } from '../errors.js';
import type { SessionStoreEntry } from '../store/session-store.js';
import { ScratchSessionStore } from './scratch-store.js';
import { forkCopy, startSession } from './session-start.js';

const PROJECT = 'p';
const SOURCE = '11111111-1111-4111-8111-111111111111';
const FORK = '22222222-2222-4222-8222-222222222222';
const ENTRY_A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const ENTRY_B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';

const transcript: SessionStoreEntry[] = [
  { type: 'queue-operation', operation: 'enqueue', sessionId: SOURCE },
  { type: 'user', uuid: ENTRY_A, parentUuid: null, sessionId: SOURCE, message: { role: 'user', content: 'hi' } },
  { type: 'assistant', uuid: ENTRY_B, parentUuid: ENTRY_A, sessionId: SOURCE, message: { role: 'assistant', content: [] } },
  { type: 'user', uuid: 'cccccccc-cccc-4ccc-8ccc-cccccccccccc', isSidechain: true, sessionId: SOURCE },
  { type: 'last-prompt', lastPrompt: 'hi', sessionId: SOURCE },
];

let counter = 0;
const context = (store: ScratchSessionStore): Parameters<typeof startSession>[1] => ({
  store,
  projectKey: PROJECT,
  generateId: () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`,
  loadTimeoutMs: 1000,
});

async function seeded(): Promise<ScratchSessionStore> {
  const store = new ScratchSessionStore(undefined);
  await store.append({ projectKey: PROJECT, sessionId: SOURCE }, transcript);
  return store;
}

describe('forkCopy', () => {
  it('keeps main-chain entries with their uuids and rewrites the session id', () => {
    const copy = forkCopy(transcript, FORK);
    expect(copy.map((entry) => entry.uuid)).toEqual([ENTRY_A, ENTRY_B]);
    expect(copy.every((entry) => entry.sessionId === FORK)).toBe(true);
    expect(transcript[1]!.sessionId).toBe(SOURCE);
  });
});

describe('startSession', () => {
  it('starts a new session with the sessionId option or a fresh id', async () => {
    const store = new ScratchSessionStore(undefined);
    expect(await startSession({ sessionId: FORK }, context(store))).toEqual({ sessionId: FORK });
    expect((await startSession({}, context(store))).sessionId).toMatch(/^00000000-0000-4000-8000-/);
  });

  it('resumes an existing session, at an entry when asked', async () => {
    const store = await seeded();
    expect(await startSession({ resume: SOURCE }, context(store))).toEqual({ sessionId: SOURCE });
    expect(await startSession({ resume: SOURCE, resumeSessionAt: ENTRY_A }, context(store))).toEqual({ sessionId: SOURCE, resumeAt: ENTRY_A });
  });

  it('rejects resuming a missing session or entry', async () => {
    const store = await seeded();
    await expect(startSession({ resume: FORK }, context(store))).rejects.toBeInstanceOf(SessionNotFoundError);
    await expect(startSession({ resume: SOURCE, resumeSessionAt: FORK }, context(store))).rejects.toBeInstanceOf(SessionNotFoundError);
  });

  it('forks into the given id and leaves the source as it was', async () => {
    const store = await seeded();
    expect(await startSession({ resume: SOURCE, forkSession: true, sessionId: FORK }, context(store))).toEqual({ sessionId: FORK });
    expect(await store.load({ projectKey: PROJECT, sessionId: SOURCE })).toEqual(transcript);
    const fork = await store.load({ projectKey: PROJECT, sessionId: FORK });
    expect(fork?.map((entry) => [entry.uuid, entry.sessionId])).toEqual([
      [ENTRY_A, FORK],
      [ENTRY_B, FORK],
    ]);
  });

  it('continue needs listSessions', async () => {
    await expect(startSession({ continue: true }, context(await seeded()))).rejects.toBeInstanceOf(StoreCapabilityError);
  });
});

describe('ScratchSessionStore', () => {
  it('reads through to the backing store and never writes to it', async () => {
    const backing = await seeded();
    const scratch = new ScratchSessionStore(backing);
    const key = { projectKey: PROJECT, sessionId: SOURCE };
    expect(await scratch.load(key)).toEqual(transcript);
    await scratch.append(key, [{ type: 'user', uuid: FORK }]);
    expect((await scratch.load(key))?.length).toBe(transcript.length + 1);
    expect((await backing.load(key))?.length).toBe(transcript.length);
    expect(await scratch.load({ projectKey: PROJECT, sessionId: FORK })).toBeNull();
  });
});
