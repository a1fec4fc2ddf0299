import { describe, expect, it } from 'vitest';
import { InvalidSessionKeyError } from '../errors.js';
import { assertValidSessionKey, isUuid } from './keys.js';

const sessionId = '3f2c9a0e-8b1d-4c5e-9f6a-1b2c3d4e5f60';

describe('session key validation', () => {
  it('accepts official keys', () => {
    expect(() => assertValidSessionKey({ projectKey: '-home-u-my-proj', sessionId })).not.toThrow();
    expect(() =>
      assertValidSessionKey({ projectKey: 'tenant_1.prod', sessionId, subpath: 'subagents/agent-abcd649475afd729a' }),
    ).not.toThrow();
  });

  const hostile: Array<[string, Record<string, unknown>]> = [
    ['traversal project key', { projectKey: '..', sessionId }],
    ['dot project key', { projectKey: '.hidden', sessionId }],
    ['separator in project key', { projectKey: 'a/b', sessionId }],
    ['backslash in project key', { projectKey: 'a\\b', sessionId }],
    ['absolute project key', { projectKey: '/etc', sessionId }],
    ['NUL in project key', { projectKey: 'a\0b', sessionId }],
    ['newline in project key', { projectKey: 'a\nb', sessionId }],
    ['glob in project key', { projectKey: 'proj*', sessionId }],
    ['redis pattern in project key', { projectKey: 'p[ab]', sessionId }],
    ['hash tag braces in project key', { projectKey: 'p{x}', sessionId }],
    ['overlong project key', { projectKey: 'a'.repeat(256), sessionId }],
    ['empty project key', { projectKey: '', sessionId }],
    ['non-uuid session id', { projectKey: 'p', sessionId: '../../etc/passwd' }],
    ['uuid with suffix', { projectKey: 'p', sessionId: `${sessionId}.jsonl` }],
    ['empty subpath', { projectKey: 'p', sessionId, subpath: '' }],
    ['traversal subpath', { projectKey: 'p', sessionId, subpath: 'subagents/../../x' }],
    ['absolute subpath', { projectKey: 'p', sessionId, subpath: '/subagents/a' }],
    ['trailing slash subpath', { projectKey: 'p', sessionId, subpath: 'subagents/' }],
    ['NUL subpath', { projectKey: 'p', sessionId, subpath: 'a\0' }],
    ['overlong subpath segment', { projectKey: 'p', sessionId, subpath: `subagents/${'a'.repeat(201)}` }],
    ['deep subpath', { projectKey: 'p', sessionId, subpath: Array(9).fill('a').join('/') }],
  ];
  for (const [name, key] of hostile) {
    it(`rejects ${name}`, () => {
      expect(() => assertValidSessionKey(key)).toThrow(InvalidSessionKeyError);
    });
  }

  it('names the rejected field', () => {
    try {
      assertValidSessionKey({ projectKey: 'p', sessionId: 'nope' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidSessionKeyError);
      expect((error as InvalidSessionKeyError).field).toBe('sessionId');
    }
  });

  it('recognises UUIDs', () => {
    expect(isUuid(sessionId)).toBe(true);
    expect(isUuid(sessionId.toUpperCase())).toBe(true);
    expect(isUuid('not-a-uuid')).toBe(false);
    // Near misses, one character off each way.
    const valid = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(isUuid(valid)).toBe(true);
    for (const bad of [
      valid.replace('0f8f', 'gf8f'),
      valid.replace('-d9cb', 'xd9cb'),
      `${valid}0`,
      valid.slice(1),
      `${valid.slice(0, 35)}\n`,
      valid.replace('a165-', 'a165:'),
      valid.replace('469f', '469 '),
      12345,
      undefined,
    ]) {
      expect(isUuid(bad)).toBe(false);
    }
  });
});
