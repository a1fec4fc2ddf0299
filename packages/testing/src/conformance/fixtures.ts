import { randomUUID } from 'node:crypto';
import type { SessionKey, SessionRef, SessionStoreEntry } from '@sdk/core/store';

/**
 * Keys and entries for conformance tests. Every test draws fresh project keys and session ids, so
 * a store whose `create()` isolates imperfectly still gets meaningful results.
 */

/** A project key no other test uses. */
export function newProjectKey(): string {
  return `conformance-${randomUUID().slice(0, 8)}`;
}

/** The main transcript key of a new session, in `projectKey` (or a new project). */
export function newSessionKey(projectKey: string = newProjectKey()): SessionKey & SessionRef {
  return { projectKey, sessionId: randomUUID() };
}

/** A sub-transcript key of the session `key`. */
export function subKey(key: SessionRef, subpath: string): SessionKey {
  return { projectKey: key.projectKey, sessionId: key.sessionId, subpath };
}

/** The session of any key, without its subpath. */
export function refOf(key: SessionKey): SessionRef {
  return { projectKey: key.projectKey, sessionId: key.sessionId };
}

let clock = Date.parse('2026-01-01T00:00:00.000Z');

/** A transcript entry shaped like a Claude Code user or assistant line, with a fresh uuid. */
export function messageEntry(text: string, options: { role?: 'user' | 'assistant'; sessionId?: string } = {}): SessionStoreEntry {
  const role = options.role ?? 'user';
  clock += 1000;
  return {
    type: role,
    uuid: randomUUID(),
    parentUuid: null,
    timestamp: new Date(clock).toISOString(),
    sessionId: options.sessionId ?? '00000000-0000-4000-8000-000000000000',
    cwd: '/home/conformance/project',
    isSidechain: false,
    message: { role, content: role === 'user' ? text : [{ type: 'text', text }] },
  };
}

/** `count` message entries numbered from `first`, alternating user and assistant. */
export function messageEntries(count: number, first = 0): SessionStoreEntry[] {
  return Array.from({ length: count }, (_, index) =>
    messageEntry(`message ${first + index}`, { role: (first + index) % 2 === 0 ? 'user' : 'assistant' }),
  );
}

/** An entry without a uuid, like the titles, tags and mode markers the CLI writes. */
export function markerEntry(title: string): SessionStoreEntry {
  return { type: 'custom-title', customTitle: title, sessionId: '00000000-0000-4000-8000-000000000000' };
}

/** A compaction boundary, as windowed loads look for it. */
export function compactBoundaryEntry(): SessionStoreEntry {
  clock += 1000;
  return {
    type: 'system',
    subtype: 'compact_boundary',
    uuid: randomUUID(),
    timestamp: new Date(clock).toISOString(),
    content: 'Conversation compacted',
    compactMetadata: { trigger: 'auto', preTokens: 170_000 },
  };
}

/** What a store must return for `entries`: equality after a JSON round trip is the contract. */
export function jsonRoundTrip<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns the last result. */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await sleep(intervalMs);
  }
}

/**
 * Runs `operation` and returns what it rejected with. Fails when it resolves, and when it throws
 * synchronously: store methods return promises, and callers chain `.catch` on them.
 */
export async function rejectionOf(operation: () => Promise<unknown>): Promise<unknown> {
  let pending: Promise<unknown>;
  try {
    pending = operation();
  } catch (error) {
    throw new Error(`expected a rejected promise, but the method threw synchronously: ${String(error)}`, { cause: error });
  }
  try {
    await pending;
  } catch (error) {
    return error;
  }
  throw new Error('expected the operation to reject, but it resolved');
}

/**
 * JSON with object keys sorted: equal for deep-equal values whatever key order a backend returns
 * (JSONB reorders keys), and much faster than a deep comparison on 10,000 entries.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, nested: unknown) => {
    if (nested === null || typeof nested !== 'object' || Array.isArray(nested)) return nested;
    const sorted: Record<string, unknown> = {};
    for (const name of Object.keys(nested).sort()) sorted[name] = (nested as Record<string, unknown>)[name];
    return sorted;
  });
}
