import { expect } from 'vitest';
import { foldSessionSummary } from '@sdk/core/store';
import type { SessionKey, SessionStoreEntry, SessionSummaryEntry } from '@sdk/core/store';
import type { SpecContext } from '../context.js';
import { markerEntry, messageEntries, messageEntry, newProjectKey, newSessionKey, subKey } from '../fixtures.js';

/** Batches that touch every kind of summary field: set-once, last-wins, tags. */
function summaryBatches(): SessionStoreEntry[][] {
  return [
    [messageEntry('What does this repository do?'), { ...messageEntry('It is an SDK.', { role: 'assistant' }), gitBranch: 'main' }],
    [markerEntry('First title'), { type: 'tag', tag: 'important', sessionId: '00000000-0000-4000-8000-000000000000' }],
    [{ ...messageEntry('And the tests?'), gitBranch: 'feature/tests' }, markerEntry('Second title')],
  ];
}

function expectedData(key: SessionKey, batches: SessionStoreEntry[][]): Record<string, unknown> {
  let summary: SessionSummaryEntry | undefined;
  for (const batch of batches) summary = foldSessionSummary(summary, key, batch, { mtime: 1 });
  return summary?.data ?? {};
}

/** `listSessionSummaries` (14 of the official suite). */
export function registerSummaries(context: SpecContext): void {
  context.test('summaries fold every main append with foldSessionSummary', ['listSessionSummaries'], async (store) => {
    const key = newSessionKey();
    const batches = summaryBatches();
    for (const batch of batches) await store.append(key, batch);
    const summaries = await store.listSessionSummaries!(key.projectKey);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.sessionId).toBe(key.sessionId);
    expect(summaries[0]!.data).toEqual(expectedData(key, batches));
    expect(summaries[0]!.data).toMatchObject({ firstPrompt: 'What does this repository do?', customTitle: 'Second title', tag: 'important' });
  });

  context.test('summary mtime is an integer epoch ms, at least the listSessions mtime', ['listSessionSummaries', 'listSessions'], async (store) => {
    const key = newSessionKey();
    for (const batch of summaryBatches()) await store.append(key, batch);
    const [summary] = await store.listSessionSummaries!(key.projectKey);
    const [listed] = await store.listSessions!(key.projectKey);
    expect(summary).toBeDefined();
    expect(listed).toBeDefined();
    expect(Number.isInteger(summary!.mtime)).toBe(true);
    expect(summary!.mtime).toBeGreaterThan(1e12);
    expect(summary!.mtime).toBeGreaterThanOrEqual(listed!.mtime);
  });

  context.test('subagent appends do not change the main summary', ['listSessionSummaries'], async (store) => {
    const key = newSessionKey();
    await store.append(key, summaryBatches()[0]!);
    const [before] = await store.listSessionSummaries!(key.projectKey);
    await store.append(subKey(key, 'subagents/agent-s'), [
      { ...messageEntry('subagent prompt'), isSidechain: true },
      markerEntry('Subagent title'),
    ]);
    const after = await store.listSessionSummaries!(key.projectKey);
    expect(after).toEqual([before]);
  });

  context.test('a session with only subkeys has no summary', ['listSessionSummaries'], async (store) => {
    const key = newSessionKey();
    await store.append(subKey(key, 'subagents/agent-s'), messageEntries(1));
    expect(await store.listSessionSummaries!(key.projectKey)).toEqual([]);
  });

  context.test('summaries are per project and per session', ['listSessionSummaries'], async (store) => {
    const projectKey = newProjectKey();
    const first = newSessionKey(projectKey);
    const second = newSessionKey(projectKey);
    await store.append(first, [messageEntry('first session')]);
    await store.append(second, [messageEntry('second session')]);
    await store.append(newSessionKey(), [messageEntry('another project')]);
    const summaries = await store.listSessionSummaries!(projectKey);
    const prompts = Object.fromEntries(summaries.map((summary) => [summary.sessionId, summary.data.firstPrompt]));
    expect(prompts).toEqual({ [first.sessionId]: 'first session', [second.sessionId]: 'second session' });
    expect(await store.listSessionSummaries!(newProjectKey())).toEqual([]);
  });

  context.test('racing appends leave the summary of the stored order', ['listSessionSummaries'], async (store) => {
    const key = newSessionKey();
    const batches = Array.from({ length: 20 }, (_, index) => [messageEntry(`prompt ${index}`), markerEntry(`title ${index}`)]);
    await Promise.all(batches.map((batch) => store.append(key, batch)));
    const stored = await store.load(key);
    const [summary] = await store.listSessionSummaries!(key.projectKey);
    // Folding is order-dependent: a lost update between two appends' read-fold-write shows here.
    expect(summary?.data).toEqual(foldSessionSummary(undefined, key, stored ?? []).data);
  });

  context.test('delete removes the summary', ['listSessionSummaries', 'delete'], async (store) => {
    const key = newSessionKey();
    const kept = newSessionKey(key.projectKey);
    await store.append(key, [messageEntry('doomed')]);
    await store.append(kept, [messageEntry('kept')]);
    await store.delete!(key);
    expect((await store.listSessionSummaries!(key.projectKey)).map((summary) => summary.sessionId)).toEqual([kept.sessionId]);
  });
}
