import { describe, expect, it } from 'vitest';
import type { SessionStoreEntry } from '@sdk/core';
import { buildMessageTree } from '../src/inspector/message-tree.js';
import { turnUsageOf } from '../src/inspector/turn-usage.js';
import { conversation, conversationCost } from './helpers.js';

const entry = (uuid: string, parentUuid: string | null, extra: Record<string, unknown> = {}): SessionStoreEntry => ({
  type: 'user',
  uuid,
  parentUuid,
  message: { role: 'user', content: uuid },
  ...extra,
});

describe('buildMessageTree', () => {
  it('keeps every branch, in file order, and counts forks', () => {
    const tree = buildMessageTree([entry('a', null), entry('b', 'a'), entry('c', 'b'), entry('d', 'a'), entry('e', 'd'), entry('f', 'a')]);
    expect(tree.roots.map((node) => node.uuid)).toEqual(['a']);
    expect(tree.nodes.get('a')!.children.map((node) => node.uuid)).toEqual(['b', 'd', 'f']);
    expect(tree.forks).toBe(1);
    expect(tree.boundaries).toBe(0);
  });

  it('starts a root at each compaction boundary and flags entries whose parent is missing', () => {
    const tree = buildMessageTree([
      entry('a', null),
      { type: 'system', subtype: 'compact_boundary', uuid: 'x', parentUuid: null, logicalParentUuid: 'a' },
      entry('b', 'x'),
      entry('c', 'gone'),
    ]);
    expect(tree.roots.map((node) => [node.uuid, node.boundary, node.orphan])).toEqual([
      ['a', false, false],
      ['x', true, false],
      ['c', false, true],
    ]);
    expect(tree.boundaries).toBe(1);
  });

  it('leaves out metadata, keeps the first of a repeated uuid, and never links to a later entry', () => {
    const tree = buildMessageTree([
      { type: 'custom-title', customTitle: 'T', sessionId: 's' },
      entry('a', 'b'),
      entry('b', null),
      entry('b', 'a', { message: { role: 'user', content: 'again' } }),
    ]);
    expect([...tree.nodes.keys()]).toEqual(['a', 'b']);
    // a names b as parent, but b comes later: both are roots, so a cycle cannot form.
    expect(tree.roots.map((node) => node.uuid)).toEqual(['a', 'b']);
    expect(tree.nodes.get('b')!.entry.message).toEqual({ role: 'user', content: 'b' });
  });
});

describe('turnUsageOf', () => {
  it('splits at prompts (not tool results) and adds up to the session', () => {
    const { entries } = conversation({ prompts: ['first', 'second', 'third'] });
    const turns = turnUsageOf(entries);
    expect(turns.map((turn) => [turn.turn, turn.prompt, turn.apiCalls])).toEqual([
      [1, 'first', 2],
      [2, 'second', 1],
      [3, 'third', 1],
    ]);
    expect(turns.reduce((sum, turn) => sum + turn.usage.costUsd, 0)).toBeCloseTo(conversationCost(4), 9);
    expect(turns[0]!.usage.inputTokens).toBe(200);
  });

  it('puts API calls before the first prompt in turn 0 and skips harness-written user entries', () => {
    const { entries } = conversation({ prompts: ['only'] });
    const [prompt, ...rest] = entries;
    const early = rest.find((candidate) => candidate.type === 'assistant')!;
    const meta = entry('m', null, { isMeta: true, message: { role: 'user', content: '<local-command-caveat>' } });
    const turns = turnUsageOf([early, meta, prompt!, ...rest]);
    expect(turns.map((turn) => [turn.turn, turn.promptUuid, turn.apiCalls])).toEqual([
      [0, null, 1],
      [1, prompt!.uuid, 2],
    ]);
  });
});
