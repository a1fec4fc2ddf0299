import { mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidSessionKeyError, SessionStoreError } from '@sdk/core/store';
import type { SessionKey } from '@sdk/core/store';
import { chain, newKey, temporaryRoot } from '../test/helpers.js';
import { FileSessionStore } from './file-session-store.js';

const sessionId = '3f2c9a0e-8b1d-4c5e-9f6a-1b2c3d4e5f60';

/** Everything below `folder`, as relative paths, to prove nothing was created or removed there. */
async function inventory(folder: string): Promise<string[]> {
  return (await readdir(folder, { recursive: true })).sort();
}

async function setup() {
  const root = await temporaryRoot();
  const outside = await temporaryRoot();
  await writeFile(join(outside, 'precious.txt'), 'keep me');
  const store = new FileSessionStore({ root });
  return { root, outside, store };
}

describe('hostile keys', () => {
  const hostile: Array<[string, unknown]> = [
    ['traversal project key', { projectKey: '..', sessionId }],
    ['absolute project key', { projectKey: '/etc', sessionId }],
    ['separator in project key', { projectKey: 'a/../../b', sessionId }],
    ['dot-folder project key', { projectKey: '.sdk', sessionId }],
    ['traversal session id', { projectKey: 'p', sessionId: '../../../etc/passwd' }],
    ['traversal subpath', { projectKey: 'p', sessionId, subpath: 'subagents/../../../x' }],
    ['absolute subpath', { projectKey: 'p', sessionId, subpath: '/etc/passwd' }],
    ['bookkeeping subpath', { projectKey: 'p', sessionId, subpath: '.sdk/x' }],
  ];

  for (const [name, key] of hostile) {
    it(`refuses a ${name} on every method and touches nothing`, async () => {
      const { root, outside, store } = await setup();
      const ref = key as SessionKey;
      // Each call takes the whole key, the session part, or only the project key.
      const calls: Array<['key' | 'ref' | 'project', () => Promise<unknown>]> = [
        ['key', () => store.append(ref, chain(1))],
        ['key', () => store.appendIf(ref, chain(1), {})],
        ['key', () => store.load(ref)],
        ['key', () => store.loadWindow(ref, { start: 0 })],
        ['key', () => store.delete(ref)],
        ['ref', () => store.listSubkeys(ref)],
        ['project', () => store.listSessions(ref.projectKey)],
        ['project', () => store.listSessionSummaries(ref.projectKey)],
        ['ref', () => store.fork(ref, sessionId)],
        ['ref', () => store.expire(ref, 1000)],
        ['ref', () => store.acquireLease(ref, { holder: 'w', ttlMs: 1000 })],
      ];
      const valid = { key: false, ref: ref.projectKey === 'p' && ref.sessionId === sessionId, project: ref.projectKey === 'p' };
      for (const [index, [takes, call]] of calls.entries()) {
        const error = await call().then(
          () => undefined,
          (caught: unknown) => caught,
        );
        if (!valid[takes]) expect(error, `call #${index}`).toBeInstanceOf(InvalidSessionKeyError);
      }
      expect(await inventory(outside)).toEqual(['precious.txt']);
      expect(await inventory(root).catch(() => [])).not.toContain('etc');
    });
  }

  it('refuses a target session id that is not a UUID when forking', async () => {
    const { store } = await setup();
    const key = newKey();
    await store.append(key, chain(1));
    await expect(store.fork(key, '../escape')).rejects.toBeInstanceOf(InvalidSessionKeyError);
  });
});

describe('symbolic links', () => {
  it('refuses a project folder that links outside the root: nothing outside is read, written or deleted', async () => {
    const { root, outside, store } = await setup();
    await mkdir(join(root, 'projects'), { recursive: true });
    await symlink(outside, join(root, 'projects', 'evil'));
    await writeFile(join(outside, `${sessionId}.jsonl`), JSON.stringify({ type: 'user', uuid: sessionId }) + '\n');
    const key = { projectKey: 'evil', sessionId };
    const before = await inventory(outside);
    await expect(store.append(key, chain(1))).rejects.toThrow(/outside the store root/);
    await expect(store.append({ ...key, subpath: 'subagents/agent-x' }, chain(1))).rejects.toBeInstanceOf(SessionStoreError);
    await expect(store.load(key)).rejects.toThrow(/outside the store root/);
    await expect(store.listSessions('evil')).rejects.toThrow(/outside the store root/);
    await expect(store.delete(key)).rejects.toThrow(/outside the store root/);
    await expect(store.acquireLease(key, { holder: 'w', ttlMs: 1000 })).rejects.toThrow(/outside the store root/);
    expect(await inventory(outside)).toEqual(before);
    expect(await readFile(join(outside, 'precious.txt'), 'utf8')).toBe('keep me');
  });

  it('refuses a session folder or bookkeeping folder that links outside', async () => {
    const { root, outside, store } = await setup();
    const key = newKey();
    await store.append(key, chain(1));
    const project = join(root, 'projects', key.projectKey);
    await symlink(outside, join(project, key.sessionId));
    await expect(store.append({ ...key, subpath: 'subagents/agent-x' }, chain(1))).rejects.toThrow(/outside the store root/);
    await expect(store.listSubkeys(key)).rejects.toThrow(/outside the store root/);
    const other = newKey('another-project');
    await mkdir(join(root, 'projects', other.projectKey), { recursive: true });
    await symlink(outside, join(root, 'projects', other.projectKey, '.sdk'));
    await expect(store.append(other, chain(1))).rejects.toThrow(/outside the store root/);
    // Deleting the session removes the link itself, never what it points to.
    await store.delete(key);
    expect(await inventory(outside)).toEqual(['precious.txt']);
    expect(await store.load(key)).toBeNull();
  });

  it('does not follow a transcript file that is a symbolic link', async () => {
    const { root, outside, store } = await setup();
    const key = newKey();
    const target = join(outside, 'target.jsonl');
    await writeFile(target, JSON.stringify({ type: 'user', secret: true }) + '\n');
    await mkdir(join(root, 'projects', key.projectKey), { recursive: true });
    await symlink(target, join(root, 'projects', key.projectKey, `${key.sessionId}.jsonl`));
    await expect(store.load(key)).rejects.toThrow(/symbolic link/);
    await expect(store.append(key, chain(1))).rejects.toThrow(/symbolic link/);
    expect(await store.listSessions(key.projectKey)).toEqual([]);
    expect((await readFile(target, 'utf8')).split('\n')).toHaveLength(2);
  });

  it('follows links that stay inside the root', async () => {
    const { root, store } = await setup();
    const key = newKey('real-project');
    await store.append(key, chain(2));
    await symlink(join(root, 'projects', 'real-project'), join(root, 'projects', 'alias'));
    expect(await store.load({ ...key, projectKey: 'alias' })).toHaveLength(2);
    expect((await stat(join(root, 'projects', 'real-project'))).isDirectory()).toBe(true);
  });
});
