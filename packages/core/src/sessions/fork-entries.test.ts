import { describe, expect, it } from 'vitest';
import { SessionNotFoundError } from '../errors.js';
import { forkEntries } from './fork-entries.js';

const source = '3f2c9a0e-8b1d-4c5e-9f6a-1b2c3d4e5f60';
const target = '11111111-2222-4333-8444-555555555555';
const entries = [
  { type: 'user', uuid: 'u1', parentUuid: null, sessionId: source, timestamp: 't1', slug: 'x', message: { content: 'Hello' } },
  { type: 'progress', uuid: 'p1', parentUuid: 'u1', sessionId: source },
  { type: 'assistant', uuid: 'a1', parentUuid: 'p1', sessionId: source, timestamp: 't2', message: { id: 'm', content: [] } },
  { type: 'user', uuid: 's1', parentUuid: 'a1', isSidechain: true, sessionId: source },
  { type: 'tools-used', sessionId: source, tools: ['Read', '', 3] },
  { type: 'custom-title', customTitle: 'Title', sessionId: source },
];

describe('forkEntries', () => {
  it('copies the main thread with fresh uuids, skipping progress entries', () => {
    const fork = forkEntries(entries, source, {}, target);
    const [user, assistant, toolsUsed, title] = fork;
    expect(fork).toHaveLength(4);
    expect(user).toMatchObject({ type: 'user', parentUuid: null, sessionId: target, timestamp: 't1', isSidechain: false, forkedFrom: { sessionId: source, messageUuid: 'u1' } });
    expect(user).not.toHaveProperty('slug');
    expect(user?.uuid).not.toBe('u1');
    expect(assistant).toMatchObject({ parentUuid: user?.uuid, requestSessionId: source, forkedFrom: { messageUuid: 'a1' } });
    expect(assistant?.timestamp).not.toBe('t2');
    expect(toolsUsed).toEqual({ type: 'tools-used', sessionId: target, tools: ['Read'] });
    expect(title).toMatchObject({ type: 'custom-title', sessionId: target, customTitle: 'Title (fork)' });
  });

  it('stops at upToMessageId and uses a given title', () => {
    const fork = forkEntries(entries, source, { upToMessageId: 'u1', title: '  Mine ' }, target);
    expect(fork.map((entry) => entry.type)).toEqual(['user', 'tools-used', 'custom-title']);
    expect(fork.at(-1)?.customTitle).toBe('Mine');
  });

  it('derives the title from the first prompt when there is none', () => {
    const fork = forkEntries(entries.slice(0, 3), source, {}, target);
    expect(fork.at(-1)?.customTitle).toBe('Hello (fork)');
  });

  it('rejects an unknown message and a session without messages', () => {
    expect(() => forkEntries(entries, source, { upToMessageId: 'nope' })).toThrow(SessionNotFoundError);
    expect(() => forkEntries([{ type: 'tag', tag: 'x' }], source, {})).toThrow(SessionNotFoundError);
    expect(() => forkEntries([entries[1]], source, {})).toThrow(/no messages to fork/);
  });
});
