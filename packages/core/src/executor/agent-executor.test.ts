import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, InvalidSessionKeyError } from '../errors.js';
import type { SessionKey, SessionStore, SessionStoreEntry } from '../store/session-store.js';
import { AgentExecutor, type AgentExecutorDependencies } from './agent-executor.js';
import type { TurnRequest } from './turn-request.js';

/** A store that records whether it was touched: bad input must be refused before any store call. */
function recordingStore(): SessionStore & { calls: string[] } {
  const calls: string[] = [];
  const data = new Map<string, SessionStoreEntry[]>();
  return {
    calls,
    async append(key: SessionKey, entries: SessionStoreEntry[]) {
      calls.push('append');
      data.set(key.sessionId, [...(data.get(key.sessionId) ?? []), ...entries]);
    },
    async load(key: SessionKey) {
      calls.push('load');
      return data.get(key.sessionId) ?? null;
    },
  };
}

const DEPENDENCY_NAMES = ['store', 'client', 'clock', 'generateId', 'logger'];

describe('AgentExecutor', () => {
  it('holds only its injected dependencies', () => {
    const variants: AgentExecutorDependencies[] = [
      { store: recordingStore(), clientOptions: { apiKey: 'x', baseURL: 'http://127.0.0.1:9' } },
      { store: recordingStore(), client: new Anthropic({ apiKey: 'x' }), clock: () => 0, generateId: () => 'id', logger: {} },
    ];
    for (const dependencies of variants) {
      const executor = new AgentExecutor(dependencies);
      const own = [...Object.getOwnPropertyNames(executor), ...Object.getOwnPropertySymbols(executor).map(String)];
      expect(own.filter((name) => !DEPENDENCY_NAMES.includes(name))).toEqual([]);
      expect(executor.store).toBe(dependencies.store);
    }
  });

  it('creates exactly one client from clientOptions, with retries left to the executor', () => {
    const executor = new AgentExecutor({ store: recordingStore(), clientOptions: { apiKey: 'x', baseURL: 'http://127.0.0.1:9', maxRetries: 5 } });
    expect(executor.client).toBeInstanceOf(Anthropic);
    expect(executor.client.maxRetries).toBe(0);
    expect(executor.client.baseURL).toBe('http://127.0.0.1:9');
  });

  it('refuses bad keys and bad requests before touching the store', async () => {
    const store = recordingStore();
    const executor = Object.freeze(new AgentExecutor({ store, clientOptions: { apiKey: 'x', baseURL: 'http://127.0.0.1:9' } }));
    const valid: TurnRequest = {
      session: { projectKey: 'project', sessionId: '6f1c1a52-3c55-4d0e-9a55-0a4f2f1d2b10' },
      prompt: 'hi',
      model: 'claude-sonnet-4-5',
    };
    const drain = async (request: TurnRequest) => {
      for await (const _message of executor.runTurn(request)) {
        // draining
      }
    };
    await expect(drain({ ...valid, session: { projectKey: '../etc', sessionId: valid.session.sessionId } })).rejects.toBeInstanceOf(InvalidSessionKeyError);
    await expect(drain({ ...valid, session: { projectKey: 'p', sessionId: 'not-a-uuid' } })).rejects.toBeInstanceOf(InvalidSessionKeyError);
    await expect(drain({ ...valid, prompt: '' })).rejects.toMatchObject({ argument: 'prompt' });
    await expect(drain({ ...valid, model: '' })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(drain({ ...valid, maxTurns: 0 })).rejects.toMatchObject({ argument: 'maxTurns' });
    await expect(drain({ ...valid, maxBudgetUsd: -1 })).rejects.toMatchObject({ argument: 'maxBudgetUsd' });
    await expect(drain({ ...valid, promptUuid: 'x' })).rejects.toMatchObject({ argument: 'promptUuid' });
    expect(store.calls).toEqual([]);
  });
});
