import { foldSessionSummary } from '@sdk/core/store';
import type { SessionStoreEntry, SessionSummaryEntry } from '@sdk/core/store';
import { describe, expect, it } from 'vitest';
import { applySummaryDelta, SETTLED_ENTRY_FIELDS, SETTLING_FIELDS, settles, summaryDeltaOf } from './summary-delta.js';

const key = { projectKey: 'p', sessionId: '3f2c9a0e-8b1d-4c5e-9f6a-1b2c3d4e5f60' };

/** Entries that exercise every branch of the fold: set-once, last-wins, tags, prompts, relocation. */
const SAMPLES: SessionStoreEntry[] = [
  { type: 'user', timestamp: '2026-01-01T00:00:00Z', cwd: '/a', message: { content: 'first question' } },
  { type: 'user', isSidechain: true, cwd: '/b', message: { content: '<command-name>/review</command-name>' } },
  { type: 'user', message: { content: [{ type: 'text', text: 'typed later' }] } },
  { type: 'user', message: { content: [{ type: 'tool_result', content: 'x' }] } },
  { type: 'user', isMeta: true, message: { content: 'meta' } },
  { type: 'assistant', timestamp: '2026-01-02T00:00:00Z', gitBranch: 'main' },
  { type: 'summary', summary: 'a hint' },
  { type: 'custom-title', customTitle: 'Title one' },
  { type: 'ai-title', aiTitle: 'AI title' },
  { type: 'last-prompt', lastPrompt: 'last' },
  { type: 'tag', tag: 'important' },
  { type: 'tag', tag: '' },
  { type: 'relocated', relocatedCwd: '/moved' },
  { type: 'system', subtype: 'compact_boundary' },
  { type: 'user', message: { content: '<bash-input>ls</bash-input>' } },
];

/** Deterministic pseudo-random numbers, so a failure reproduces. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

function encode(summary: SessionSummaryEntry | undefined): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [field, value] of Object.entries(summary?.data ?? {})) fields[field] = JSON.stringify(value);
  return fields;
}

describe('summary delta', () => {
  it('merges batch by batch to the same summary as folding them in order', () => {
    const next = random(42);
    for (let run = 0; run < 500; run++) {
      let folded: SessionSummaryEntry | undefined;
      let merged: Record<string, string> = {};
      const batches = 1 + Math.floor(next() * 5);
      for (let batch = 0; batch < batches; batch++) {
        const size = Math.floor(next() * 5);
        const entries = Array.from({ length: size }, () => SAMPLES[Math.floor(next() * SAMPLES.length)]!);
        folded = foldSessionSummary(folded, key, entries);
        merged = applySummaryDelta(merged, summaryDeltaOf(key, entries));
        expect(merged).toEqual(encode(folded));
      }
    }
  });

  it('merges to the same summary with only the last-wins part once a batch has settled it', () => {
    // What the store does: after a delta that settles the session, later batches send the settled
    // delta, which the script accepts only while every settling field is stored.
    const next = random(7);
    let settledRuns = 0;
    for (let run = 0; run < 500; run++) {
      let folded: SessionSummaryEntry | undefined;
      let merged: Record<string, string> = {};
      let settled = false;
      for (let batch = 0; batch < 6; batch++) {
        const size = Math.floor(next() * 5);
        const entries = Array.from({ length: size }, () => SAMPLES[Math.floor(next() * SAMPLES.length)]!);
        folded = foldSessionSummary(folded, key, entries);
        const delta = summaryDeltaOf(key, entries, settled);
        if (settled) {
          expect(delta.setOnce).toEqual({});
          expect(delta.unlessLocked).toEqual({});
          for (const field of SETTLING_FIELDS) expect(merged).toHaveProperty(field);
          settledRuns++;
        }
        merged = applySummaryDelta(merged, delta);
        settled ||= settles(delta);
        expect(merged).toEqual(encode(folded));
      }
    }
    expect(settledRuns).toBeGreaterThan(100);
  });

  it('reads, for a settled session, every entry field the fold still reads', () => {
    // The settled delta is written out, not folded: a field the fold comes to read (a new last-wins
    // or set-once field) must fail here rather than go missing from settled sessions' summaries.
    const settledSummary: SessionSummaryEntry = { sessionId: key.sessionId, mtime: 0, data: Object.fromEntries(SETTLING_FIELDS.map((field) => [field, true])) };
    const read = new Set<string>();
    for (const type of [undefined, 'user', 'tag', 'relocated']) {
      const probe = new Proxy({} as SessionStoreEntry, {
        get: (_, field) => {
          if (typeof field === 'string') read.add(field);
          return field === 'type' ? type : undefined;
        },
      });
      foldSessionSummary(settledSummary, key, [probe]);
    }
    expect([...read].sort()).toEqual([...SETTLED_ENTRY_FIELDS].sort());
  });

  it('clears a tag only when the batch ends with an empty tag', () => {
    expect(summaryDeltaOf(key, [{ type: 'tag', tag: 'x' }, { type: 'tag', tag: '' }]).remove).toEqual(['tag']);
    expect(summaryDeltaOf(key, [{ type: 'tag', tag: '' }, { type: 'tag', tag: 'x' }]).lastWins.tag).toBe('"x"');
    expect(summaryDeltaOf(key, []).setOnce).toEqual({});
  });
});
