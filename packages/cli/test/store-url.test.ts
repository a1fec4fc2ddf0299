import { afterEach, describe, expect, it } from 'vitest';
import { InMemorySessionStore } from '@sdk/store-memory';
import { ExitCode } from '../src/exit-codes.js';
import { redactStoreUrl, registerStoreScheme } from '../src/store-url.js';
import { openStore } from '../src/open-store.js';
import { StoreUrlError } from '../src/cli-errors.js';
import { cli, conversation, tempFileStore } from './helpers.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('store URLs', () => {
  it.each([
    ['not a URL', 'just-a-path', /invalid store URL "just-a-path"/],
    ['an unknown scheme', 'mongodb://localhost/sessions', /unknown store scheme "mongodb:"/],
    ['a Redis URL with an unknown parameter', 'redis://127.0.0.1:6379/0?prefx=a', /unknown parameter "prefx"/],
    ['a Redis URL with a bad database', 'redis://127.0.0.1:6379/zero', /the path must be a database number/],
    ['a Redis URL with a bad prefix', 'redis://127.0.0.1:6379/0?prefix=a%7Bb', /invalid prefix/],
    ['a file URL with a host', 'file://server/share', /name a local folder/],
    ['a file URL with parameters', 'file:///tmp/x?durability=none', /take no parameters/],
    ['a memory URL with a host', 'memory://x', /memory store URLs are memory: or memory:<name>/],
  ])('rejects %s with exit code 2 and a clear message', async (_case, url, message) => {
    const result = await cli(['list', '--store', url]);
    expect(result.code).toBe(ExitCode.usage);
    expect(result.stderr).toMatch(/^sdk-sessions: /);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });

  it('names the known schemes when the scheme is unknown', async () => {
    const result = await cli(['list', '--store', 'mongodb://localhost/sessions']);
    expect(result.stderr).toContain('file:, memory:, postgres:, postgresql:, redis:, rediss:');
  });

  it.each(['redis', 'rediss'])('reports an unreachable %s server with exit code 4', async (scheme) => {
    const result = await cli(['show', '8c0e4c7e-4c55-4a4e-9a4a-0f6f0f1b2b7e', '--store', `${scheme}://127.0.0.1:1/0`]);
    expect(result.code).toBe(ExitCode.storeUnavailable);
    expect(result.stderr).toMatch(new RegExp(`^sdk-sessions: cannot reach Redis at ${scheme}://127\\.0\\.0\\.1:1/0: `));
  });

  it('never prints a password', async () => {
    expect(redactStoreUrl('redis://user:secret@127.0.0.1:1/0')).toBe('redis://user:***@127.0.0.1:1/0');
    const result = await cli(['list', '--store', 'redis://user:secret@127.0.0.1:1/0']);
    expect(result.code).toBe(ExitCode.storeUnavailable);
    expect(result.stderr).not.toContain('secret');
  });

  it('opens stores of a registered scheme', async () => {
    const store = new InMemorySessionStore();
    const { sessionId, entries } = conversation();
    await store.append({ projectKey: 'p1', sessionId }, entries);
    let closed = 0;
    registerStoreScheme('custom', async (url) => ({
      store,
      displayUrl: url.href,
      listProjects: async () => ['p1'],
      close: async () => void closed++,
    }));
    const result = await cli(['list', '--store', 'custom://anything', '--json']);
    expect(result.code).toBe(ExitCode.ok);
    expect(JSON.parse(result.stdout).sessions.map((row: { sessionId: string }) => row.sessionId)).toEqual([sessionId]);
    expect(closed).toBe(1);
  });

  it('rejects a scheme name that is not one', () => {
    expect(() => registerStoreScheme('Bad Scheme', async () => Promise.reject(new Error('unused')))).toThrow(StoreUrlError);
  });

  it('opens bare file: on the default config folder (CLAUDE_CONFIG_DIR)', async () => {
    const temp = await tempFileStore();
    cleanups.push(temp.remove);
    const previous = process.env.CLAUDE_CONFIG_DIR;
    process.env.CLAUDE_CONFIG_DIR = temp.root;
    cleanups.push(async () => {
      if (previous === undefined) delete process.env.CLAUDE_CONFIG_DIR;
      else process.env.CLAUDE_CONFIG_DIR = previous;
    });
    const { sessionId, entries } = conversation();
    const opened = await openStore(temp.url);
    await opened.store.append({ projectKey: 'proj-a', sessionId }, entries);
    await opened.close();
    for (const argv of [['list', '--store', 'file:', '--json'], ['list', '--json']]) {
      const result = await cli(argv);
      expect(JSON.parse(result.stdout).sessions.map((row: { sessionId: string }) => row.sessionId)).toEqual([sessionId]);
    }
  });

  it('opens file: URLs on the folder they name', async () => {
    const temp = await tempFileStore();
    cleanups.push(temp.remove);
    const { sessionId, entries } = conversation();
    const opened = await openStore(temp.url);
    try {
      await opened.store.append({ projectKey: 'proj-a', sessionId }, entries);
      expect(await opened.listProjects?.()).toEqual(['proj-a']);
    } finally {
      await opened.close();
    }
  });
});
