import { describe, expect, it } from 'vitest';
import { SessionLeaseError } from '../errors.js';
import type { LeaseWaitOptions, SessionKey, SessionLease, SessionRef, SessionStore, SessionStoreEntry } from '../store/session-store.js';
import { AgentExecutor } from './agent-executor.js';

/**
 * A store whose session is busy for the first `busyAttempts` acquisitions, recording its calls; with
 * `wait`, it also has `waitForLeaseRelease`.
 */
function busyStore(busyAttempts: number, wait: boolean): SessionStore & { calls: string[]; waits: LeaseWaitOptions[] } {
  const calls: string[] = [];
  const waits: LeaseWaitOptions[] = [];
  const entries: SessionStoreEntry[] = [];
  let token = 0;
  const store = {
    calls,
    waits,
    async append(_key: SessionKey, batch: SessionStoreEntry[]) {
      calls.push('append');
      entries.push(...batch);
    },
    async load() {
      calls.push('load');
      return entries.length === 0 ? null : [...entries];
    },
    async acquireLease(key: SessionRef, options: { holder: string; ttlMs: number }): Promise<SessionLease> {
      calls.push('acquireLease');
      token++;
      if (token <= busyAttempts) throw new SessionLeaseError('leased by another worker', 'held');
      return { key, holder: options.holder, token, expiresAt: Date.now() + options.ttlMs };
    },
    async renewLease(lease: SessionLease) {
      return lease;
    },
    async releaseLease() {
      calls.push('releaseLease');
    },
  };
  if (!wait) return store;
  return Object.assign(store, {
    async waitForLeaseRelease(_key: SessionRef, options: LeaseWaitOptions) {
      calls.push('waitForLeaseRelease');
      waits.push(options);
    },
  });
}

async function runTurn(store: SessionStore): Promise<string | undefined> {
  // Nothing listens there: the model call fails at once and the turn ends with an error result.
  const executor = new AgentExecutor({ store, clientOptions: { apiKey: 'x', baseURL: 'http://127.0.0.1:9' } });
  let subtype: string | undefined;
  const request = {
    session: { projectKey: 'project', sessionId: '6f1c1a52-3c55-4d0e-9a55-0a4f2f1d2b10' },
    prompt: 'hi',
    model: 'claude-sonnet-4-6',
    onConflict: 'retry' as const,
    retry: { maxRetries: 0 },
  };
  for await (const message of executor.runTurn(request)) {
    if (message.type === 'result') subtype = message.subtype;
  }
  return subtype;
}

describe('AgentExecutor on a busy session', () => {
  it('waits for the lease through the store when the store can wake it', async () => {
    const store = busyStore(2, true);
    await runTurn(store);
    expect(store.calls.slice(0, 5)).toEqual(['acquireLease', 'waitForLeaseRelease', 'acquireLease', 'waitForLeaseRelease', 'acquireLease']);
    expect(store.waits.map((options) => options.timeoutMs)).toEqual([1000, 1000]);
  });

  it('sleeps between tries with a store that cannot wake it', async () => {
    const store = busyStore(2, false);
    const started = Date.now();
    await runTurn(store);
    expect(store.calls.slice(0, 3)).toEqual(['acquireLease', 'acquireLease', 'acquireLease']);
    // Backoff of 25 then 50 ms, each at least halved by the jitter.
    expect(Date.now() - started).toBeGreaterThanOrEqual(30);
  });
});
