import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionStoreEntry } from '@sdk/core';
import { ExitCode } from '../src/exit-codes.js';
import { run } from '../src/main.js';
import { openStore } from '../src/open-store.js';
import type { OpenedStore } from '../src/opened-store.js';
import { cli, conversation, tempFileStore, tempRedisStore } from './helpers.js';

const backends: Array<[string, () => Promise<{ url: string; remove(): Promise<void> }>]> = [
  ['file', tempFileStore],
  ['redis', async () => tempRedisStore()],
];

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.each(backends)('tail on the %s store', (_name, create) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function seeded(): Promise<{ url: string; opened: OpenedStore; sessionId: string; entries: SessionStoreEntry[] }> {
    const store = await create();
    cleanups.push(store.remove);
    const opened = await openStore(store.url);
    cleanups.push(() => opened.close());
    const { sessionId, entries } = conversation({ prompts: ['first question', 'second question'] });
    await opened.store.append({ projectKey: 'proj-a', sessionId }, entries);
    return { url: store.url, opened, sessionId, entries };
  }

  it('prints the last entries (-n), as text or JSON lines', async () => {
    const { url, sessionId, entries } = await seeded();
    const text = await cli(['tail', sessionId, '-n', '2', '--store', url]);
    expect(text.code).toBe(ExitCode.ok);
    expect(text.stdout).toMatch(/^\d\d:\d\d:\d\d ── user\nsecond question\n\d\d:\d\d:\d\d ── assistant \(claude-sonnet-4-5-20250929\)\nAnswer to: second question\n$/);
    const json = await cli(['tail', sessionId, '-n', '3', '--json', '--store', url]);
    expect(json.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown)).toEqual(entries.slice(-3));
  });

  it('follows appended entries (-f) until interrupted', async () => {
    const { url, opened, sessionId, entries } = await seeded();
    let stdout = '';
    const interrupt = new AbortController();
    const following = run(['tail', sessionId, '-f', '-n', '1', '--interval', '20', '--json', '--store', url], {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: () => true },
      signal: interrupt.signal,
      env: {},
    });
    await until(() => stdout.split('\n').length > 1);
    expect(JSON.parse(stdout)).toEqual(entries.at(-1));

    const more = conversation({ sessionId, prompts: ['third question'] }).entries;
    await opened.store.append({ projectKey: 'proj-a', sessionId }, more.slice(0, 1));
    await until(() => stdout.trimEnd().split('\n').length === 2);
    await opened.store.append({ projectKey: 'proj-a', sessionId }, more.slice(1));
    await until(() => stdout.trimEnd().split('\n').length === 1 + more.length);

    interrupt.abort();
    expect(await following).toBe(ExitCode.ok);
    const printed = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as SessionStoreEntry);
    expect(printed.map((entry) => entry.uuid)).toEqual([entries.at(-1)!.uuid, ...more.map((entry) => entry.uuid)]);
  });

  it('exits 3 for an unknown session', async () => {
    const { url } = await seeded();
    const result = await cli(['tail', randomUUID(), '-f', '--store', url]);
    expect(result.code).toBe(ExitCode.notFound);
    expect(result.stderr).toMatch(/^sdk-sessions: session [0-9a-f-]{36} not found/);
  });
});
