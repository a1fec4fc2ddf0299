import { compactSession, type ExtendedSessionStore, type LoadWindow, type SDKMessage, type SessionKey, type SessionStoreEntry } from '@sdk/core';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSessionStore } from '@sdk/store-file';
import { InMemorySessionStore } from '@sdk/store-memory';
import { textReply } from '@sdk/testing/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executorFor, messageRequests, MODEL, newSession, runTurn, transcriptOf } from './support/executor-harness.js';
import { emulatorForThisFile } from './support/file-emulator.js';

const emulator = await emulatorForThisFile();
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'compaction-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const kinds = (messages: SDKMessage[]) => messages.map((message) => ('subtype' in message && typeof message.subtype === 'string' ? `${message.type}/${message.subtype}` : message.type));
const rejected = () => emulator.requests.filter((request) => request.rejected !== undefined);

/** A real store, counted: which loads did the executor use? */
function counted(store: ExtendedSessionStore): ExtendedSessionStore & { calls: Record<string, number> } {
  const calls: Record<string, number> = { load: 0, loadWindow: 0 };
  const wrapped = Object.create(store) as ExtendedSessionStore & { calls: Record<string, number> };
  wrapped.calls = calls;
  wrapped.load = (key: SessionKey) => {
    calls.load! += 1;
    return store.load(key);
  };
  wrapped.loadWindow = (key: SessionKey, window: LoadWindow) => {
    calls.loadWindow! += 1;
    return store.loadWindow!(key, window);
  };
  // Taking the lease and loading in one step is a windowed load too.
  const leaseAndLoad = store.acquireLeaseAndLoad?.bind(store);
  if (leaseAndLoad !== undefined) {
    wrapped.acquireLeaseAndLoad = (key, lease, window, options) => {
      calls.loadWindow! += 1;
      return leaseAndLoad(key, lease, window, options);
    };
  }
  return wrapped;
}

describe('compaction', () => {
  it('/compact summarizes, records a boundary the CLI way, and the next turn sends summary + kept message + prompt', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    await runTurn(executorFor(store, emulator), { session, prompt: 'one' });
    await runTurn(executorFor(store, emulator), { session, prompt: 'two' });
    emulator.enqueue(textReply('<analysis>notes</analysis><summary>The user said one and two.</summary>'));
    const compacted = await runTurn(executorFor(store, emulator), { session, prompt: '/compact keep the numbers' });
    expect(kinds(compacted.messages)).toEqual(['system/init', 'system/status', 'system/status', 'system/compact_boundary', 'result/success']);
    expect(compacted.result).toMatchObject({ result: '', num_turns: 0, stop_reason: null });
    expect(compacted.result.total_cost_usd).toBeGreaterThan(0);
    const summaryRequest = messageRequests(emulator).at(-1)!;
    expect(summaryRequest.body.tools).toBeUndefined();
    const ask = summaryRequest.messages.at(-1)!;
    expect(ask.role).toBe('user');
    expect(String(ask.content)).toContain('Additional instructions from the user: keep the numbers');

    const entries = (await store.load(session))!;
    const boundaryIndex = entries.findIndex((entry) => entry.type === 'system' && entry.subtype === 'compact_boundary');
    const boundary = entries[boundaryIndex]!;
    expect(boundary).toMatchObject({ parentUuid: null, content: 'Conversation compacted', compactMetadata: { trigger: 'manual' } });
    const after = entries.slice(boundaryIndex + 1).filter((entry) => entry.type === 'user');
    expect(after[0]).toMatchObject({ isCompactSummary: true, isVisibleInTranscriptOnly: true, parentUuid: boundary.uuid });
    expect(String((after[0]!.message as { content: string }).content)).toContain('The user said one and two.');
    expect(after.slice(1).map((entry) => String((entry.message as { content: string }).content).slice(0, 24))).toEqual([
      '<local-command-caveat>Th',
      '<command-name>/compact</',
      '<local-command-stdout>Co',
    ]);

    emulator.enqueue(textReply('three answered'));
    await runTurn(executorFor(store, emulator), { session, prompt: 'three' });
    const next = messageRequests(emulator).at(-1)!;
    const lines = transcriptOf(next);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^user: This session is being continued.*The user said one and two\./s);
    expect(lines[1]).toBe('assistant: echo: two [messages=3]');
    expect(lines[2]).toMatch(/^user: <local-command-caveat>.*\| <command-name>\/compact<\/command-name>.*\| <local-command-stdout>Compacted <\/local-command-stdout> \| three$/s);
    expect(rejected()).toEqual([]);
  });

  it('compacts automatically near the window; requests stay under it; later turns load from the boundary', async () => {
    const store = counted(new FileSessionStore({ root, durability: 'none' }));
    const session = newSession();
    const compaction = { contextWindow: 3000, threshold: 0.5 };
    const compactions: number[] = [];
    for (let turn = 1; turn <= 40; turn++) {
      const { messages, result } = await runTurn(executorFor(store, emulator), { session, prompt: `turn ${turn}: ${'lorem ipsum '.repeat(20)}`, compaction });
      expect(result.subtype).toBe('success');
      if (messages.some((message) => message.type === 'system' && message.subtype === 'compact_boundary')) compactions.push(turn);
    }
    expect(compactions.length).toBeGreaterThanOrEqual(3);
    const inputTokens = messageRequests(emulator).map((request) => Math.ceil((JSON.stringify(request.body.system ?? '') + JSON.stringify(request.messages) + JSON.stringify(request.body.tools ?? '')).length / 4));
    expect(Math.max(...inputTokens)).toBeLessThan(3000);
    // After a compaction the turn's request starts with the summary.
    const last = compactions.at(-1)!;
    const turnRequests = messageRequests(emulator).filter((request) => !String(request.messages.at(-1)?.content).includes('Put the summary inside'));
    expect(transcriptOf(turnRequests[last - 1]!)[0]).toMatch(/^user: This session is being continued/);
    // Every turn after the first loaded a window, never the whole log.
    expect(store.calls.load).toBe(0);
    expect(store.calls.loadWindow).toBeGreaterThanOrEqual(40);
    const entries: SessionStoreEntry[] = (await store.load(session))!;
    expect(entries.filter((entry) => entry.subtype === 'compact_boundary')).toHaveLength(compactions.length);
    expect(rejected()).toEqual([]);
  });

  it('an empty session cannot be compacted', async () => {
    const store = new InMemorySessionStore();
    const { result, messages } = await runTurn(executorFor(store, emulator), { session: newSession(), prompt: '/compact' });
    expect(result).toMatchObject({ subtype: 'error_during_execution', errors: ['Not enough messages to compact.'] });
    expect(kinds(messages)).toContain('system/status');
  });
});

describe('compactSession()', () => {
  it('compacts a session on request, from any executor', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    await runTurn(executorFor(store, emulator), { session, prompt: 'alpha' });
    emulator.enqueue(textReply('<summary>alpha was said</summary>'));
    const { boundary, result } = await compactSession(executorFor(store, emulator), { session, model: MODEL, instructions: 'be brief' });
    expect(result).toMatchObject({ subtype: 'success', result: '' });
    expect(boundary?.compact_metadata).toMatchObject({ trigger: 'manual', preserved_segment: { anchor_uuid: expect.any(String) } });
    const entries = (await store.load(session))!;
    expect(entries.find((entry) => entry.isCompactSummary === true)?.parentUuid).toBe(boundary?.uuid);
  });
});
