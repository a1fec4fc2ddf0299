import { getEventListeners } from 'node:events';
import {
  StoreUnavailableError,
  type AppendCondition,
  type AppendResult,
  type SDKMessage,
  type SessionKey,
  type SessionStore,
  type SessionStoreEntry,
} from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';
import { describe, expect, it } from 'vitest';
import { executorFor, messageRequests, MODEL, newSession, resultText, runTurn, transcriptOf } from './support/executor-harness.js';
import { emulatorForThisFile } from './support/file-emulator.js';

const emulator = await emulatorForThisFile();

/** A memory store whose next conditional append fails as an unreachable store's would. */
class PromptRefusingStore extends InMemorySessionStore {
  refuseNext = true;

  override async appendIf(key: SessionKey, entries: SessionStoreEntry[], condition: AppendCondition): Promise<AppendResult> {
    if (this.refuseNext) {
      this.refuseNext = false;
      throw new StoreUnavailableError('the store went away');
    }
    return super.appendIf(key, entries, condition);
  }
}

describe('AgentExecutor: the prompt is stored while the first request is on its way (decision 38)', () => {
  it('reports system/init first and stores prompt, answer and last-prompt in that order', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    const { messages, result } = await runTurn(executorFor(store, emulator), { session, prompt: 'hello' });
    expect(messages[0]).toMatchObject({ type: 'system', subtype: 'init', session_id: session.sessionId });
    expect(messages.map((message) => message.type)).toEqual(['system', 'assistant', 'result']);
    expect(resultText(result)).toBe('echo: hello [messages=1]');
    const entries = (await store.load(session))!;
    expect(entries.map((entry) => entry.type)).toEqual(['user', 'assistant', 'last-prompt']);
    expect(entries[1]!.parentUuid).toBe(entries[0]!.uuid);
  });

  it('fails the turn before it reports anything when the prompt cannot be stored, and the next turn works', async () => {
    const store = new PromptRefusingStore();
    const session = newSession();
    const messages: SDKMessage[] = [];
    const failure = await (async () => {
      for await (const message of executorFor(store, emulator).runTurn({ session, prompt: 'lost', model: MODEL })) messages.push(message);
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreUnavailableError);
    expect(messages).toEqual([]);
    expect(await store.load(session)).toBeNull();
    // The lease went back with the failure: the next turn of the session runs at once.
    const { result } = await runTurn(executorFor(store, emulator), { session, prompt: 'again' });
    expect(resultText(result)).toBe('echo: again [messages=1]');
    expect(transcriptOf(messageRequests(emulator).at(-1)!)).toEqual(['user: again']);
  });

  it('cancels the call when the caller stops at system/init, and the next turn works', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    const controller = new AbortController();
    const seen: SDKMessage[] = [];
    for await (const message of executorFor(store, emulator).runTurn({ session, prompt: 'stopped early', model: MODEL, signal: controller.signal })) {
      seen.push(message);
      break;
    }
    expect(seen.map((message) => message.type)).toEqual(['system']);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    // The prompt was stored before system/init went out; the answer never was.
    expect((await store.load(session))!.map((entry) => entry.type)).toEqual(['user']);
    const { result } = await runTurn(executorFor(store, emulator), { session, prompt: 'again' });
    expect(resultText(result)).toMatch(/^echo: again/);
    expect(transcriptOf(messageRequests(emulator).at(-1)!)).toEqual(['user: stopped early', 'assistant: No response requested.', 'user: again']);
  });

  it('stores the prompt before the request on a store without leases, where a conflict must show first', async () => {
    const memory = new InMemorySessionStore();
    const requestsAtPrompt: number[] = [];
    // Only the base protocol: no leases, no conditional append.
    const plain: SessionStore = {
      append: async (key, entries) => {
        if (entries.some((entry) => entry.type === 'user')) requestsAtPrompt.push(messageRequests(emulator).length);
        await memory.append(key, entries);
      },
      load: (key) => memory.load(key),
    };
    const session = newSession();
    await runTurn(executorFor(plain, emulator), { session, prompt: 'first' });
    await runTurn(executorFor(plain, emulator), { session, prompt: 'second' });
    expect(requestsAtPrompt).toEqual([0, 1]);
  });

  it('leaves no abort listener on a signal the caller reuses for every turn', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    const controller = new AbortController();
    const executor = executorFor(store, emulator);
    for (let turn = 1; turn <= 15; turn++) {
      const { result } = await runTurn(executor, { session, prompt: `turn ${turn}`, signal: controller.signal });
      expect(resultText(result)).toMatch(/^echo: turn \d+/);
      expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    }
  });
});
