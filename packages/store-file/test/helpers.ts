import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { SessionKey, SessionStoreEntry } from '@sdk/core/store';

/** Temporary roots created by the current test file, removed after each test. */
const roots: string[] = [];

afterEach(async () => {
  await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true, maxRetries: 5 })));
});

/** A fresh, empty folder, removed after the test. */
export async function temporaryRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'store-file-'));
  roots.push(root);
  return root;
}

export function newKey(projectKey = '-home-u-proj'): SessionKey & { subpath?: undefined } {
  return { projectKey, sessionId: randomUUID() };
}

let clock = Date.parse('2026-11-01T00:00:00.000Z');

/** A chain entry in the minimal writer format of the official transcripts. */
export function chainEntry(text: string, role: 'user' | 'assistant' = 'user', parentUuid: string | null = null): SessionStoreEntry {
  clock += 1000;
  return {
    type: role,
    uuid: randomUUID(),
    parentUuid,
    sessionId: '00000000-0000-4000-8000-000000000000',
    timestamp: new Date(clock).toISOString(),
    cwd: '/home/u/proj',
    isSidechain: false,
    message: { role, content: role === 'user' ? text : [{ type: 'text', text }] },
  };
}

export function chain(count: number, prefix = 'message'): SessionStoreEntry[] {
  const entries: SessionStoreEntry[] = [];
  for (let index = 0; index < count; index++) {
    entries.push(chainEntry(`${prefix} ${index}`, index % 2 === 0 ? 'user' : 'assistant', entries.at(-1)?.uuid ?? null));
  }
  return entries;
}
