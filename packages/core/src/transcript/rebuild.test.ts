import { describe, expect, it } from 'vitest';
import type { SessionStoreEntry } from '../store/session-store.js';
import { findLeaf, rebuildConversation } from './rebuild.js';

const user = (uuid: string, parentUuid: string | null, content: unknown, extra: Record<string, unknown> = {}): SessionStoreEntry => ({
  type: 'user',
  uuid,
  parentUuid,
  isSidechain: false,
  message: { role: 'user', content },
  ...extra,
});

const assistant = (uuid: string, parentUuid: string | null, id: string, block: unknown): SessionStoreEntry => ({
  type: 'assistant',
  uuid,
  parentUuid,
  isSidechain: false,
  message: { id, role: 'assistant', type: 'message', content: [block], stop_reason: 'end_turn' },
});

const text = (value: string) => ({ type: 'text', text: value });
const toolUse = (id: string, name = 'Read') => ({ type: 'tool_use', id, name, input: {} });
const toolResult = (uuid: string, parentUuid: string, toolUseId: string, content: string) =>
  user(uuid, parentUuid, [{ type: 'tool_result', tool_use_id: toolUseId, content }], { sourceToolAssistantUUID: parentUuid });

describe('rebuildConversation', () => {
  it('returns an empty conversation for no entries', () => {
    expect(rebuildConversation([])).toEqual({ messages: [], leafUuid: null, unansweredToolUses: [], lastRole: null, contextTokens: 0 });
  });

  it('rebuilds a linear two-turn conversation and ignores metadata lines', () => {
    const entries = [
      { type: 'queue-operation', operation: 'enqueue' },
      user('u1', null, [text('hello')]),
      assistant('a1', 'u1', 'msg_1', text('hi')),
      { type: 'last-prompt', lastPrompt: 'hello', leafUuid: 'a1' },
      user('u2', 'a1', 'again'),
      assistant('a2', 'u2', 'msg_2', text('yes')),
    ];
    const rebuilt = rebuildConversation(entries);
    expect(rebuilt.messages).toEqual([
      { role: 'user', content: [text('hello')] },
      { role: 'assistant', content: [text('hi')] },
      { role: 'user', content: 'again' },
      { role: 'assistant', content: [text('yes')] },
    ]);
    expect(rebuilt.leafUuid).toBe('a2');
    expect(rebuilt.lastRole).toBe('assistant');
  });

  it('merges assistant entries sharing message.id and keeps thinking signatures', () => {
    const thinking = { type: 'thinking', thinking: 'hmm', signature: 'sig-1' };
    const entries = [
      user('u1', null, [text('q')]),
      assistant('a1', 'u1', 'msg_1', thinking),
      assistant('a2', 'a1', 'msg_1', text('answer')),
    ];
    expect(rebuildConversation(entries).messages[1]).toEqual({ role: 'assistant', content: [thinking, text('answer')] });
  });

  it('regroups parallel tool calls that fan out off the walked path', () => {
    // R and G are tool_use blocks of one response; G's result is written first, then R's; the next
    // assistant message hangs off R's result, so G and its result are off the parent walk.
    const entries = [
      user('u1', null, [text('look')]),
      assistant('t', 'u1', 'msg_1', text('checking')),
      assistant('r', 't', 'msg_1', toolUse('tu_r')),
      assistant('g', 'r', 'msg_1', toolUse('tu_g', 'Glob')),
      toolResult('rg', 'g', 'tu_g', 'glob out'),
      toolResult('rr', 'r', 'tu_r', 'read out'),
      assistant('a2', 'rr', 'msg_2', text('done')),
    ];
    const rebuilt = rebuildConversation(entries);
    expect(rebuilt.messages).toEqual([
      { role: 'user', content: [text('look')] },
      { role: 'assistant', content: [text('checking'), toolUse('tu_r'), toolUse('tu_g', 'Glob')] },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'tu_g', content: 'glob out' },
          { type: 'tool_result', tool_use_id: 'tu_r', content: 'read out' },
        ],
      },
      { role: 'assistant', content: [text('done')] },
    ]);
    expect(rebuilt.unansweredToolUses).toEqual([]);
  });

  it('reports trailing tool calls without results', () => {
    const entries = [
      user('u1', null, [text('look')]),
      assistant('r', 'u1', 'msg_1', toolUse('tu_r')),
      assistant('g', 'r', 'msg_1', toolUse('tu_g')),
      toolResult('rg', 'g', 'tu_g', 'glob out'),
    ];
    const rebuilt = rebuildConversation(entries);
    // The walk ends at the result, but the history's last assistant still misses tu_r.
    expect(rebuilt.leafUuid).toBe('rg');
    expect(rebuilt.lastRole).toBe('user');
    expect(rebuilt.unansweredToolUses).toEqual([{ toolUseId: 'tu_r', entryUuid: 'r' }]);

    const cut = rebuildConversation(entries.slice(0, 3));
    expect(cut.lastRole).toBe('assistant');
    expect(cut.unansweredToolUses).toEqual([
      { toolUseId: 'tu_r', entryUuid: 'r' },
      { toolUseId: 'tu_g', entryUuid: 'g' },
    ]);
  });

  it('follows the branch written last in file order, or resumeAt', () => {
    const entries = [
      user('u1', null, [text('one')]),
      assistant('a1', 'u1', 'msg_1', text('r1')),
      user('u2', 'a1', [text('two')]),
      assistant('a2', 'u2', 'msg_2', text('r2')),
      user('u3', 'a1', [text('branch')], { timestamp: '2000-01-01T00:00:00.000Z' }),
      assistant('a3', 'u3', 'msg_3', text('r3')),
    ];
    expect(findLeaf(entries)).toBe('a3');
    expect(rebuildConversation(entries).messages.map((message) => message.content)).toEqual([
      [text('one')],
      [text('r1')],
      [text('branch')],
      [text('r3')],
    ]);
    const atTwo = rebuildConversation(entries, { resumeAt: 'a2' });
    expect(atTwo.leafUuid).toBe('a2');
    expect(atTwo.messages.map((message) => message.content)).toEqual([[text('one')], [text('r1')], [text('two')], [text('r2')]]);
  });

  it('stops at a compact boundary and splices the preserved segment after the summary', () => {
    const entries = [
      user('u1', null, [text('old')]),
      assistant('a1', 'u1', 'msg_1', text('kept')),
      {
        type: 'system',
        subtype: 'compact_boundary',
        uuid: 'b',
        parentUuid: null,
        logicalParentUuid: 'a1',
        compactMetadata: { preservedSegment: { headUuid: 'a1', anchorUuid: 's', tailUuid: 'a1' } },
      },
      user('s', 'b', 'Summary: old stuff', { isCompactSummary: true }),
      user('u2', 's', [text('new')]),
      assistant('a2', 'u2', 'msg_2', text('fresh')),
    ];
    expect(rebuildConversation(entries).messages).toEqual([
      { role: 'user', content: 'Summary: old stuff' },
      { role: 'assistant', content: [text('kept')] },
      { role: 'user', content: [text('new')] },
      { role: 'assistant', content: [text('fresh')] },
    ]);
  });

  it('ends a preserved segment whose parents loop instead of walking it forever', () => {
    const entries = [
      // A damaged old chain: the kept entry names itself as its parent, and its head is never reached.
      assistant('a1', 'a1', 'msg_1', text('kept')),
      {
        type: 'system',
        subtype: 'compact_boundary',
        uuid: 'b',
        parentUuid: null,
        compactMetadata: { preservedSegment: { headUuid: 'missing', anchorUuid: 's', tailUuid: 'a1' } },
      },
      user('s', 'b', 'Summary: old stuff', { isCompactSummary: true }),
    ];
    expect(rebuildConversation(entries).messages).toEqual([
      { role: 'user', content: 'Summary: old stuff' },
      { role: 'assistant', content: [text('kept')] },
    ]);
  });

  it('merges consecutive user entries and moves user-rendered attachments in front of the prompt', () => {
    const entries = [
      user('u1', null, [text('first')]),
      {
        type: 'attachment',
        uuid: 'at1',
        parentUuid: 'u1',
        renderedRole: 'user',
        rendered: [{ content: '<system-reminder>note</system-reminder>' }],
      },
      { type: 'attachment', uuid: 'at2', parentUuid: 'at1', renderedRole: 'system', rendered: [{ content: 'sys' }] },
      { type: 'attachment', uuid: 'at3', parentUuid: 'at2', attachment: { type: 'prompt_snapshot' } },
      user('u2', 'at3', 'second'),
      assistant('a1', 'u2', 'msg_1', text('ok')),
    ];
    expect(rebuildConversation(entries).messages).toEqual([
      { role: 'user', content: [text('<system-reminder>note</system-reminder>'), text('first'), text('second')] },
      { role: 'assistant', content: [text('ok')] },
    ]);
  });

  it('ignores sidechain entries and continues past a parent that names no entry', () => {
    const entries = [
      user('u1', null, [text('one')]),
      assistant('a1', 'u1', 'msg_1', text('r1')),
      { ...user('x', 'a1', [text('side')]), isSidechain: true },
      user('u2', 'missing', [text('two')]),
      assistant('a2', 'u2', 'msg_2', text('r2')),
    ];
    expect(rebuildConversation(entries).messages).toHaveLength(4);
  });

  it('returns the unknown resumeAt as leaf with no messages so callers can reject it', () => {
    expect(rebuildConversation([user('u1', null, 'x')], { resumeAt: 'nope' })).toMatchObject({ messages: [], leafUuid: 'nope' });
  });
});
