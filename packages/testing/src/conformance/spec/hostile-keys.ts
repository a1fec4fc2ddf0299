import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { InvalidSessionKeyError, MAX_PROJECT_KEY_LENGTH, MAX_SUBPATH_DEPTH } from '@sdk/core/store';
import type { ExtendedSessionStore, SessionKey, SessionLease, SessionRef } from '@sdk/core/store';
import type { SpecContext } from '../context.js';
import { jsonRoundTrip, messageEntries, newProjectKey, rejectionOf } from '../fixtures.js';

type HostilePart = 'projectKey' | 'sessionId' | 'subpath' | 'key';

/** Keys that would escape a directory, match a pattern, or smuggle a separator into a backend key. */
function hostileKeys(projectKey: string, sessionId: string): Array<[name: string, part: HostilePart, key: unknown]> {
  return [
    ['a traversal project key', 'projectKey', { projectKey: '..', sessionId }],
    ['a dot-prefixed project key', 'projectKey', { projectKey: '.hidden', sessionId }],
    ['a project key with a slash', 'projectKey', { projectKey: 'a/../../b', sessionId }],
    ['a project key with a backslash', 'projectKey', { projectKey: 'a\\..\\b', sessionId }],
    ['an absolute project key', 'projectKey', { projectKey: '/etc', sessionId }],
    ['a project key with NUL', 'projectKey', { projectKey: 'a\0b', sessionId }],
    ['a project key with a newline', 'projectKey', { projectKey: 'a\nb', sessionId }],
    ['a project key with glob characters', 'projectKey', { projectKey: 'proj*?', sessionId }],
    ['a project key with Redis pattern characters', 'projectKey', { projectKey: 'p[ab]{x}', sessionId }],
    ['an overlong project key', 'projectKey', { projectKey: 'a'.repeat(256), sessionId }],
    ['an empty project key', 'projectKey', { projectKey: '', sessionId }],
    ['a missing project key', 'projectKey', { sessionId }],
    ['a project key with a space', 'projectKey', { projectKey: 'my project', sessionId }],
    ['a project key with non-ASCII letters', 'projectKey', { projectKey: 'caf\u00e9', sessionId }],
    ['a numeric session id', 'sessionId', { projectKey, sessionId: 42 }],
    ['a session id that is a path', 'sessionId', { projectKey, sessionId: '../../etc/passwd' }],
    ['a session id that is not a UUID', 'sessionId', { projectKey, sessionId: 'session-1' }],
    ['a session id with a suffix', 'sessionId', { projectKey, sessionId: `${sessionId}.jsonl` }],
    ['a session id with a glob', 'sessionId', { projectKey, sessionId: '*' }],
    ['an empty subpath', 'subpath', { projectKey, sessionId, subpath: '' }],
    ['a traversal subpath', 'subpath', { projectKey, sessionId, subpath: 'subagents/../../escape' }],
    ['an absolute subpath', 'subpath', { projectKey, sessionId, subpath: '/subagents/agent-a' }],
    ['a subpath with a trailing slash', 'subpath', { projectKey, sessionId, subpath: 'subagents/' }],
    ['a subpath with NUL', 'subpath', { projectKey, sessionId, subpath: 'subagents/agent\0' }],
    ['a subpath with a newline', 'subpath', { projectKey, sessionId, subpath: 'subagents/agent\n' }],
    ['a subpath with a glob', 'subpath', { projectKey, sessionId, subpath: 'subagents/*' }],
    ['a numeric subpath', 'subpath', { projectKey, sessionId, subpath: 7 }],
    ['an overlong subpath', 'subpath', { projectKey, sessionId, subpath: `subagents/${'a'.repeat(300)}` }],
    ['a key that is not an object', 'key', 'project/session'],
    ['a null key', 'key', null],
  ];
}

type Call = [method: string, operation: () => Promise<unknown>];

/** Every call of `store` the hostile `key` can reach, as far as the store has the method. */
function callsWith(store: ExtendedSessionStore, part: HostilePart, key: unknown): Call[] {
  const asKey = key as SessionKey;
  const asRef = key as SessionRef;
  const entries = messageEntries(1);
  const calls: Call[] = [
    ['append', () => store.append(asKey, entries)],
    ['load', () => store.load(asKey)],
  ];
  if (store.delete) calls.push(['delete', () => store.delete!(asKey)]);
  if (store.appendIf) calls.push(['appendIf', () => store.appendIf!(asKey, entries, { expectedLength: 0 })]);
  if (store.loadWindow) calls.push(['loadWindow', () => store.loadWindow!(asKey, { start: 0 })]);
  // Methods on a whole session take no subpath, so a bad subpath cannot reach them.
  if (part === 'subpath') return calls;
  if (store.listSubkeys) calls.push(['listSubkeys', () => store.listSubkeys!(asRef)]);
  if (store.fork) calls.push(['fork', () => store.fork!(asRef, randomUUID())]);
  if (store.expire) calls.push(['expire', () => store.expire!(asRef, 60_000)]);
  if (store.acquireLease && store.renewLease && store.releaseLease) {
    calls.push(['acquireLease', () => store.acquireLease!(asRef, { holder: 'worker', ttlMs: 60_000 })]);
    const forged: SessionLease = { key: asRef, holder: 'worker', token: 1, expiresAt: Date.now() + 60_000 };
    calls.push(['renewLease', () => store.renewLease!(forged, 60_000)]);
    calls.push(['releaseLease', () => store.releaseLease!(forged)]);
  }
  if (part !== 'projectKey') return calls;
  const { projectKey } = asRef;
  if (store.listSessions) calls.push(['listSessions', () => store.listSessions!(projectKey)]);
  if (store.listSessionSummaries) calls.push(['listSessionSummaries', () => store.listSessionSummaries!(projectKey)]);
  return calls;
}

/** Every method refuses an unsafe key with `InvalidSessionKeyError`, before touching the backend. */
export function registerHostileKeys(context: SpecContext): void {
  // The other side of validation: keys the rules allow must work, up to their limits.
  context.test('accepts valid keys at their limits: long project key, deep subpath, upper-case UUID', [], async (store) => {
    const sessionId = randomUUID().toUpperCase();
    const keys: SessionKey[] = [
      { projectKey: `${'p'.repeat(MAX_PROJECT_KEY_LENGTH - 5)}.a_b-`, sessionId },
      { projectKey: 'conformance_limits.v2', sessionId, subpath: Array.from({ length: MAX_SUBPATH_DEPTH }, (_, depth) => `level-${depth}.x_y`).join('/') },
      { projectKey: 'conformance_limits.v2', sessionId, subpath: `subagents/${'a'.repeat(200)}` },
    ];
    for (const key of keys) {
      const entries = messageEntries(2);
      await store.append(key, entries);
      expect(await store.load(key)).toEqual(jsonRoundTrip(entries));
    }
    if (store.listSessions) {
      expect((await store.listSessions(keys[0]!.projectKey)).map((session) => session.sessionId)).toEqual([sessionId]);
    }
    if (store.listSubkeys) {
      expect((await store.listSubkeys({ projectKey: 'conformance_limits.v2', sessionId })).sort()).toEqual([keys[1]!.subpath, keys[2]!.subpath].sort());
    }
  });

  const probeProject = 'conformance-hostile';
  const probeSession = '3f2c9a0e-8b1d-4c5e-9f6a-1b2c3d4e5f60';
  for (const [name, part] of hostileKeys(probeProject, probeSession)) {
    context.test(`every method rejects ${name} with InvalidSessionKeyError and writes nothing`, [], async (store) => {
      const projectKey = newProjectKey();
      const sessionId = randomUUID();
      const existing = messageEntries(2);
      await store.append({ projectKey, sessionId }, existing);
      const key = hostileKeys(projectKey, sessionId).find(([candidate]) => candidate === name)![2];
      for (const [method, operation] of callsWith(store, part, key)) {
        const error = await rejectionOf(operation);
        expect(error, `${method} accepted ${name}`).toBeInstanceOf(InvalidSessionKeyError);
      }
      expect(await store.load({ projectKey, sessionId })).toEqual(jsonRoundTrip(existing));
      if (store.listSessions) expect((await store.listSessions(projectKey)).map((session) => session.sessionId)).toEqual([sessionId]);
      if (store.listSubkeys) expect(await store.listSubkeys({ projectKey, sessionId })).toEqual([]);
    });
  }
}
