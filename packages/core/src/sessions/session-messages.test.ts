import { describe, expect, it } from 'vitest';
import { paginate, sessionMessagesOf, subagentMessagesOf } from './session-messages.js';

const sessionId = '3f2c9a0e-8b1d-4c5e-9f6a-1b2c3d4e5f60';
const entry = (uuid: string, parentUuid: string | null, type: string, extra: Record<string, unknown> = {}) => ({
  type,
  uuid,
  parentUuid,
  sessionId,
  timestamp: `2026-01-01T00:00:0${uuid.length}.000Z`,
  message: { role: type, content: [{ type: 'text', text: uuid }] },
  ...extra,
});

describe('paginate', () => {
  it('applies offset, and limit only when positive', () => {
    const items = [1, 2, 3, 4, 5];
    expect(paginate(items, 2, 1)).toEqual([2, 3]);
    expect(paginate(items, 0, 3)).toEqual([4, 5]);
    expect(paginate(items, undefined, undefined)).toBe(items);
    expect(paginate(items, -1, 0)).toBe(items);
  });
});

describe('sessionMessagesOf', () => {
  const entries = [
    entry('u', null, 'user'),
    entry('m', 'u', 'user', { isMeta: true }),
    entry('c', 'm', 'user', { isMeta: true, origin: { kind: 'channel' } }),
    entry('s', 'c', 'system', { subtype: 'informational' }),
    entry('q', 's', 'assistant', { closesQuietTurn: true, message: { content: [{ type: 'text', text: 'No response requested.' }] } }),
    entry('t', 'q', 'user', { isCompactSummary: true, origin: { kind: 'task-notification', runId: 'r1', extra: 'x' } }),
    entry('a', 't', 'assistant', { interruptedByShutdown: true }),
  ];

  it('keeps user and assistant messages, hides meta unless a person wrote it', () => {
    expect(sessionMessagesOf(entries, {}).map((message) => message.uuid)).toEqual(['u', 'c', 't', 'a']);
    expect(sessionMessagesOf(entries, { includeSystemMessages: true }).map((message) => message.uuid)).toEqual(['u', 'c', 's', 't', 'a']);
  });

  it('carries the official extra fields', () => {
    const [user, channel, summary, assistant] = sessionMessagesOf(entries, {});
    expect(user).toEqual({
      type: 'user',
      uuid: 'u',
      session_id: sessionId,
      message: entries[0]?.message,
      parent_tool_use_id: null,
      parent_agent_id: null,
      timestamp: entries[0]?.timestamp,
    });
    expect(channel).toMatchObject({ is_meta: true, origin: { kind: 'channel' } });
    expect(summary).toMatchObject({ isCompactSummary: true, is_meta: true, origin: { kind: 'task-notification', runId: 'r1' } });
    expect(summary).not.toHaveProperty('origin.extra');
    expect(assistant).toMatchObject({ interruptedByShutdown: true });
  });

  it('describes a denied tool call', () => {
    const denied = entry('d', null, 'user', { toolDenialKind: 'user-rejected', message: { content: [{ type: 'tool_result', tool_use_id: 'toolu_1' }] } });
    expect(sessionMessagesOf([denied], {})[0]).toMatchObject({ tool_result_meta: [{ id: 'toolu_1', non_execution_kind: 'user-rejected' }] });
  });
});

describe('subagentMessagesOf', () => {
  it('walks back from the last message and names the parent tool use and agent', () => {
    const entries = [entry('u', null, 'user', { isSidechain: true }), entry('a', 'u', 'assistant', { isSidechain: true }), entry('x', 'u', 'attachment')];
    const messages = subagentMessagesOf(entries, {}, 'toolu_9', 'aparent');
    expect(messages.map((message) => [message.uuid, message.parent_tool_use_id, message.parent_agent_id])).toEqual([
      ['u', 'toolu_9', 'aparent'],
      ['a', 'toolu_9', 'aparent'],
    ]);
    expect(subagentMessagesOf(entries, {}, 'bad id!', 'bad/agent')[0]).toMatchObject({ parent_tool_use_id: null, parent_agent_id: null });
  });
});
