import { describe, expect, it } from 'vitest';
import { chainEntriesOf, conversationChain, simpleChain, type ChainEntry } from './conversation-chain.js';

const entry = (uuid: string, parentUuid: string | null, type = 'user', extra: Record<string, unknown> = {}): ChainEntry => ({
  type,
  uuid,
  parentUuid,
  message: { role: type, content: uuid },
  ...extra,
});
const uuids = (chain: ChainEntry[]) => chain.map((item) => item.uuid);

describe('chainEntriesOf', () => {
  it('keeps chain types with a string uuid and drops everything else', () => {
    const kept = chainEntriesOf([entry('a', null), { type: 'tag', tag: 'x' }, { type: 'user' }, null, 'text', [1], entry('b', 'a', 'progress')]);
    expect(uuids(kept)).toEqual(['a', 'b']);
  });
});

describe('conversationChain', () => {
  it('follows the newest branch (later in the file wins)', () => {
    const entries = [entry('a', null), entry('b', 'a', 'assistant'), entry('c', 'b'), entry('d', 'c', 'assistant'), entry('e', 'b'), entry('f', 'e', 'assistant')];
    expect(uuids(conversationChain(entries))).toEqual(['a', 'b', 'e', 'f']);
  });

  it('ignores sidechain leaves and progress leaves when choosing the leaf', () => {
    const entries = [entry('a', null), entry('b', 'a', 'assistant'), entry('s', 'b', 'user', { isSidechain: true }), entry('p', 'b', 'progress')];
    expect(uuids(conversationChain(entries))).toEqual(['a', 'b']);
  });

  it('puts back the sibling blocks and results of parallel tool calls', () => {
    const toolUse = (uuid: string, parent: string, id: string) =>
      entry(uuid, parent, 'assistant', { message: { id: 'msg_1', content: [{ type: 'tool_use', id }] } });
    const toolResult = (uuid: string, parent: string, id: string) =>
      entry(uuid, parent, 'user', { message: { content: [{ type: 'tool_result', tool_use_id: id }] } });
    const entries = [
      entry('a', null),
      toolUse('r', 'a', 't1'),
      toolUse('g', 'r', 't2'),
      toolResult('gr', 'g', 't2'),
      toolResult('rr', 'r', 't1'),
      entry('z', 'rr', 'assistant'),
    ];
    expect(uuids(conversationChain(entries))).toEqual(['a', 'r', 'g', 'gr', 'rr', 'z']);
  });

  it('follows a compaction re-link of the preserved segment', () => {
    const entries = [
      entry('a', null),
      entry('b', 'a', 'assistant'),
      entry('boundary', null, 'system', {
        subtype: 'compact_boundary',
        compactMetadata: { preservedSegment: { headUuid: 'b', anchorUuid: 'summary', tailUuid: 'b' } },
      }),
      entry('summary', 'boundary', 'user', { isCompactSummary: true }),
      entry('c', 'summary', 'user'),
    ];
    expect(uuids(conversationChain(entries))).toEqual(['boundary', 'summary', 'b', 'c']);
  });

  it('survives parent cycles and returns nothing without messages', () => {
    expect(conversationChain([entry('a', 'b'), entry('b', 'a', 'assistant')])).toEqual([]);
    expect(uuids(conversationChain([entry('a', 'b'), entry('b', 'a', 'assistant'), entry('c', 'b')]))).toEqual(['a', 'b', 'c']);
    expect(conversationChain([entry('s', null, 'system')])).toEqual([]);
  });
});

describe('simpleChain', () => {
  it('walks back from the last message in file order', () => {
    expect(uuids(simpleChain([entry('a', null), entry('b', 'a', 'assistant'), entry('x', 'a', 'attachment')]))).toEqual(['a', 'b']);
  });
});
