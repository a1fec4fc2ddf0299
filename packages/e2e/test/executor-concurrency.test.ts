import { SessionConflictError, type ExtendedSessionStore, type SessionStore, type SessionStoreEntry } from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';
import { echoReply, startMessagesEmulator, type MessagesEmulator } from '@sdk/testing/emulator';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { executorFor, newSession, resultText, runTurn } from './support/executor-harness.js';
import { recorded } from './support/recorded-store.js';

let emulator: MessagesEmulator;
beforeAll(async () => {
  // Slow streams keep the turns overlapping.
  emulator = await startMessagesEmulator({ respond: (request) => ({ ...echoReply(request), eventDelayMs: 15 }) });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => emulator.reset());

/** The memory store reduced to `append`/`load`/`appendIf`: conditional append without leases. */
function conditionalOnly(store: InMemorySessionStore): ExtendedSessionStore {
  return {
    append: (key, entries) => store.append(key, entries),
    load: (key) => store.load(key),
    appendIf: (key, entries, condition) => store.appendIf(key, entries, condition),
  };
}

/** Every turn's entries are contiguous: prompt, its answer, last-prompt, each chained to the one before. */
function expectSequentialTurns(entries: SessionStoreEntry[], turns: number): void {
  expect(entries.map((entry) => entry.type)).toEqual(Array.from({ length: turns }, () => ['user', 'assistant', 'last-prompt']).flat());
  const chain = entries.filter((entry) => entry.type !== 'last-prompt');
  chain.forEach((entry, index) => expect(entry.parentUuid).toBe(index === 0 ? null : chain[index - 1]!.uuid));
}

describe('AgentExecutor concurrency', () => {
  it('lets one of two concurrent turns of a session run; the other gets SessionConflictError', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    const outcomes = await Promise.allSettled([
      runTurn(executorFor(store, emulator), { session, prompt: 'worker A' }),
      runTurn(executorFor(store, emulator), { session, prompt: 'worker B' }),
    ]);
    const failures = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(failures).toHaveLength(1);
    expect((failures[0] as PromiseRejectedResult).reason).toBeInstanceOf(SessionConflictError);
    expectSequentialTurns((await store.load(session))!, 1);
  });

  it('runs concurrent turns one after the other with onConflict: retry, never interleaved', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    const prompts = ['p1', 'p2', 'p3', 'p4'];
    const results = await Promise.all(prompts.map((prompt) => runTurn(executorFor(store, emulator), { session, prompt, onConflict: 'retry' })));
    // Each turn saw all the turns that finished before it: message counts 1, 3, 5, 7 in some order.
    expect(results.map(({ result }) => Number(/messages=(\d+)/.exec(resultText(result))![1])).sort((a, b) => a - b)).toEqual([1, 3, 5, 7]);
    expectSequentialTurns((await store.load(session))!, 4);
  });

  it('gives the lease back before the result reaches the caller, so the next turn can start at once', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    const executor = executorFor(store, emulator);
    let leasedAtResult: unknown;
    for await (const message of executor.runTurn({ session, prompt: 'first', model: 'claude-sonnet-4-6' })) {
      if (message.type !== 'result') continue;
      // Another worker asks for the session while this one still holds its iterator open.
      leasedAtResult = await store.acquireLease(session, { holder: 'next worker', ttlMs: 1000 }).then(
        (lease) => store.releaseLease(lease).then(() => 'free'),
        (error: unknown) => error,
      );
    }
    expect(leasedAtResult).toBe('free');
    expectSequentialTurns((await store.load(session))!, 1);
  });

  it('gives the lease back with the turn\'s last write when the store can, with no release call of its own', async () => {
    const memory = new InMemorySessionStore();
    const { store, calls } = recorded(memory);
    const session = newSession();
    await runTurn(executorFor(store, emulator), { session, prompt: 'one write releases' });
    // The memory store takes the lease and loads in one step too: three store calls in all.
    expect(calls).toEqual(['acquireLeaseAndLoad', 'appendIf', 'appendIf+release']);
    await memory.releaseLease(await memory.acquireLease(session, { holder: 'next', ttlMs: 1000 }));
  });

  it('detects the conflict by expected length on a store without leases', async () => {
    const memory = new InMemorySessionStore();
    const store = conditionalOnly(memory);
    const session = newSession();
    await runTurn(executorFor(store, emulator), { session, prompt: 'setup' });
    const outcomes = await Promise.allSettled([
      runTurn(executorFor(store, emulator), { session, prompt: 'A' }),
      runTurn(executorFor(store, emulator), { session, prompt: 'B' }),
    ]);
    const failures = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(failures).toHaveLength(1);
    expect(failures[0]!.reason).toBeInstanceOf(SessionConflictError);
    // The winner's turn is whole and the session still resumes.
    const { result } = await runTurn(executorFor(store, emulator), { session, prompt: 'after' });
    expect(resultText(result)).toMatch(/^echo: after/);
    expect(emulator.requests.filter((request) => request.rejected !== undefined)).toEqual([]);
  });

  it('falls back to plain append on a store with only the official methods', async () => {
    const memory = new InMemorySessionStore();
    const plain: SessionStore = { append: (key, entries) => memory.append(key, entries), load: (key) => memory.load(key) };
    const session = newSession();
    for (const prompt of ['one', 'two']) await runTurn(executorFor(plain, emulator), { session, prompt });
    expectSequentialTurns((await memory.load(session))!, 2);
  });
});
