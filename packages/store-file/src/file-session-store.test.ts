import { appendFile, lstat, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { foldSessionSummary, SessionConflictError, SessionLeaseError, SessionNotFoundError, TranscriptCorruptError } from '@sdk/core/store';
import type { SessionStoreEntry } from '@sdk/core/store';
import { chain, chainEntry, newKey, temporaryRoot } from '../test/helpers.js';
import { FileSessionStore } from './file-session-store.js';
import type { CorruptLine } from './transcript-parser.js';

async function fixture(options: ConstructorParameters<typeof FileSessionStore>[0] = {}) {
  const root = await temporaryRoot();
  const store = new FileSessionStore({ root, ...options });
  const key = newKey();
  const projectDirectory = join(root, 'projects', key.projectKey);
  const file = join(projectDirectory, `${key.sessionId}.jsonl`);
  return { root, store, key, projectDirectory, file };
}

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('layout and format', () => {
  it('writes the official layout: one JSON line per entry, files 0600, folders 0700, bookkeeping in .sdk', async () => {
    const { root, store, key, projectDirectory, file } = await fixture();
    const entries = chain(3);
    await store.append(key, entries);
    await store.append({ ...key, subpath: 'subagents/agent-a1b2' }, chain(1, 'sub'));
    const text = await readFile(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n').slice(0, -1).map((line) => JSON.parse(line) as unknown)).toEqual(entries);
    expect(await mode(file)).toBe(0o600);
    expect(await mode(join(root, 'projects'))).toBe(0o700);
    expect(await mode(projectDirectory)).toBe(0o700);
    const subagent = join(projectDirectory, key.sessionId, 'subagents', 'agent-a1b2.jsonl');
    expect(await mode(subagent)).toBe(0o600);
    expect(await mode(join(projectDirectory, key.sessionId, 'subagents'))).toBe(0o700);
    expect((await readdir(projectDirectory)).sort()).toEqual(['.sdk', key.sessionId, `${key.sessionId}.jsonl`].sort());
    // The lock file lingers for lockLingerMs after the last operation, then goes.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await readdir(join(projectDirectory, '.sdk'))).toEqual([`${key.sessionId}.meta.json`]);
  });

  it('loads lines in the official format verbatim, unknown types and fields included', async () => {
    const { store, key, projectDirectory, file } = await fixture();
    const userUuid = '5a1e3c2d-0b4f-4e6a-9c8d-7f6e5d4c3b2a';
    const lines: SessionStoreEntry[] = [
      { type: 'queue-operation', operation: 'enqueue', timestamp: '2026-11-20T10:00:00.000Z', sessionId: key.sessionId },
      {
        parentUuid: null,
        isSidechain: false,
        type: 'user',
        message: { role: 'user', content: [{ type: 'text', text: 'turn one: hello' }] },
        uuid: userUuid,
        timestamp: '2026-11-20T10:00:00.010Z',
        sessionId: key.sessionId,
        cwd: '/home/u/proj',
        version: '2.1.332',
        gitBranch: 'HEAD',
        userType: 'external',
        entrypoint: 'sdk-ts',
        promptId: 'c0ffee00-0000-4000-8000-000000000001',
        permissionMode: 'default',
        turnPosition: { promptIndex: 0, turnIndex: 0 },
      },
      {
        parentUuid: userUuid,
        isSidechain: false,
        type: 'assistant',
        uuid: '6b2f4d3e-1c5a-4f7b-8d9e-0a1b2c3d4e5f',
        timestamp: '2026-11-20T10:00:01.000Z',
        sessionId: key.sessionId,
        message: {
          id: 'msg_01',
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5',
          content: [{ type: 'text', text: 'Hello! \u2028 caf\u00e9 \u{1F600}' }],
          stop_reason: 'end_turn',
          usage: { input_tokens: 10, output_tokens: 5 },
        },
        apiBlockIndex: 0,
        requestId: 'req_01',
      },
      { type: 'last-prompt', lastPrompt: 'turn one: hello', leafUuid: '6b2f4d3e-1c5a-4f7b-8d9e-0a1b2c3d4e5f', sessionId: key.sessionId },
      { type: 'custom-title', customTitle: 'Greeting', sessionId: key.sessionId },
      { type: 'x-thirdparty-note', note: { nested: [1, 2, { deep: true }] } },
    ];
    const { mkdir } = await import('node:fs/promises');
    await mkdir(projectDirectory, { recursive: true });
    await writeFile(file, lines.map((line) => JSON.stringify(line)).join('\n') + '\n', { mode: 0o600 });
    expect(await store.load(key)).toEqual(lines);
    const [summary] = await store.listSessionSummaries(key.projectKey);
    expect(summary!.data).toMatchObject({ firstPrompt: 'turn one: hello', customTitle: 'Greeting', cwd: '/home/u/proj' });
  });

  it('returns null for a key never written and ignores blank lines', async () => {
    const { store, key, file } = await fixture();
    expect(await store.load(key)).toBeNull();
    const entries = chain(2);
    await store.append(key, entries);
    await appendFile(file, '\n   \n');
    expect(await store.load(key)).toEqual(entries);
  });

  it('rejects entries that are not JSON objects before writing anything', async () => {
    const { store, key } = await fixture();
    await expect(store.append(key, [chainEntry('ok'), 'nope' as never])).rejects.toThrow(/entries\[1\] must be a JSON object/);
    const cyclic: Record<string, unknown> = { type: 'user' };
    cyclic.self = cyclic;
    await expect(store.append(key, [cyclic as SessionStoreEntry])).rejects.toThrow(/cannot be serialized/);
    expect(await store.load(key)).toBeNull();
  });
});

describe('idempotent and conditional appends', () => {
  it('skips uuids already stored, within a batch and across store instances', async () => {
    const { root, store, key } = await fixture();
    const entries = chain(3);
    await store.append(key, entries);
    await store.append(key, [entries[1]!, entries[1]!]);
    const cold = new FileSessionStore({ root });
    const extra = chainEntry('new');
    expect(await cold.appendIf(key, [entries[0]!, extra, extra], {})).toEqual({ appended: 1, skipped: 2, length: 4 });
    expect(await store.load(key)).toEqual([...entries, extra]);
  });

  it('sees entries another writer appended behind its back', async () => {
    const { store, key, file } = await fixture();
    const entries = chain(2);
    await store.append(key, entries);
    const external = chainEntry('written by the CLI');
    await appendFile(file, JSON.stringify(external) + '\n');
    await expect(store.appendIf(key, [chainEntry('stale')], { expectedLength: 2 })).rejects.toBeInstanceOf(SessionConflictError);
    expect(await store.appendIf(key, [external, chainEntry('fresh')], { expectedLength: 3, expectedLastUuid: external.uuid! })).toEqual({
      appended: 1,
      skipped: 1,
      length: 4,
    });
  });

  it('checks length and last uuid atomically and reports conflicts with details', async () => {
    const { store, key } = await fixture();
    await expect(store.appendIf(key, chain(1), { expectedLength: 1 })).rejects.toBeInstanceOf(SessionConflictError);
    expect(await store.load(key)).toBeNull();
    const first = chain(2);
    expect(await store.appendIf(key, first, { expectedLength: 0, expectedLastUuid: null })).toEqual({ appended: 2, skipped: 0, length: 2 });
    const error = await store.appendIf(key, chain(1), { expectedLength: 1, expectedLastUuid: first[0]!.uuid! }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SessionConflictError);
    expect((error as SessionConflictError).details).toEqual({
      expectedLength: 1,
      actualLength: 2,
      expectedLastUuid: first[0]!.uuid,
      actualLastUuid: first[1]!.uuid,
    });
    await store.append(key, [{ type: 'custom-title', customTitle: 'no uuid' }]);
    expect((await store.appendIf(key, [], { expectedLength: 3, expectedLastUuid: first[1]!.uuid! })).length).toBe(3);
  });

  it('validates conditions', async () => {
    const { store, key } = await fixture();
    await expect(store.appendIf(key, chain(1), { expectedLength: -1 })).rejects.toThrow(/non-negative integer/);
    await expect(store.appendIf(key, chain(1), { expectedLength: 1.5 })).rejects.toThrow(/non-negative integer/);
  });
});

describe('crash tolerance', () => {
  it('ignores a torn last line on load and truncates it on the next append', async () => {
    const { store, key, file } = await fixture();
    const entries = chain(3);
    await store.append(key, entries);
    const intact = await readFile(file, 'utf8');
    await appendFile(file, '{"type":"user","uuid":"torn-');
    expect(await store.load(key)).toEqual(entries);
    expect((await store.appendIf(key, [chainEntry('after crash')], { expectedLength: 3 })).length).toBe(4);
    const repaired = await readFile(file, 'utf8');
    expect(repaired.startsWith(intact)).toBe(true);
    expect(repaired).not.toContain('torn-');
    expect(repaired.split('\n').slice(0, -1).map((line) => JSON.parse(line) as unknown)).toHaveLength(4);
  });

  it('keeps a whole entry whose newline is missing and terminates it on the next append', async () => {
    const { store, key, file } = await fixture();
    const entries = chain(2);
    await store.append(key, [entries[0]!]);
    await appendFile(file, JSON.stringify(entries[1]));
    expect(await store.load(key)).toEqual(entries);
    const next = chainEntry('next');
    await store.append(key, [next]);
    expect(await store.load(key)).toEqual([...entries, next]);
    expect((await readFile(file, 'utf8')).endsWith('}\n')).toBe(true);
  });

  it('rejects a corrupt line in the middle with TranscriptCorruptError naming file and line', async () => {
    const { store, key, file } = await fixture();
    await store.append(key, chain(1));
    await appendFile(file, '{"type": broken\n');
    await store.append(key, chain(1, 'later'));
    const error = await store.load(key).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TranscriptCorruptError);
    expect((error as TranscriptCorruptError).location).toEqual({ file, line: 2 });
    expect((error as Error).message).toContain(`${file}:2`);
  });

  it('skips corrupt lines and reports them when lenient', async () => {
    const problems: CorruptLine[] = [];
    const { store, key, file } = await fixture({ lenientLoad: true, onCorruptLine: (problem) => problems.push(problem) });
    const first = chain(1);
    await store.append(key, first);
    await appendFile(file, '[1,2]\nnot json\n');
    const last = chain(1, 'last');
    await store.append(key, last);
    expect(await store.load(key)).toEqual([...first, ...last]);
    expect(problems.map(({ line }) => line)).toEqual([2, 3]);
    expect(problems[0]).toMatchObject({ file, reason: expect.stringContaining('not an object') });
  });
});

describe('listing and summaries', () => {
  it('lists main transcripts with integer mtimes, never bookkeeping or subkeys', async () => {
    const { store, key } = await fixture();
    const other = newKey(key.projectKey);
    await store.append(key, chain(1));
    await store.append(other, chain(2));
    await store.append({ ...newKey(key.projectKey), subpath: 'subagents/agent-x' }, chain(1));
    await store.expire(other, 60_000);
    const listed = await store.listSessions(key.projectKey);
    expect(listed.map(({ sessionId }) => sessionId).sort()).toEqual([key.sessionId, other.sessionId].sort());
    for (const { mtime } of listed) expect(Number.isInteger(mtime) && Math.abs(mtime - Date.now()) < 60_000).toBe(true);
    expect(await store.listSessions('-nothing-here')).toEqual([]);
  });

  it('folds summaries incrementally, exactly like foldSessionSummary', async () => {
    const { store, key } = await fixture();
    const batches: SessionStoreEntry[][] = [
      [chainEntry('What does this do?'), { ...chainEntry('An SDK.', 'assistant'), gitBranch: 'main' }],
      [{ type: 'custom-title', customTitle: 'First' }, { type: 'tag', tag: 'important' }],
      [{ ...chainEntry('More?'), gitBranch: 'feature' }, { type: 'custom-title', customTitle: 'Second' }],
    ];
    let expected: ReturnType<typeof foldSessionSummary> | undefined;
    for (const batch of batches) {
      await store.append(key, batch);
      expected = foldSessionSummary(expected, key, batch);
    }
    const summaries = await store.listSessionSummaries(key.projectKey);
    const [listed] = await store.listSessions(key.projectKey);
    expect(summaries).toEqual([{ sessionId: key.sessionId, mtime: listed!.mtime, data: expected!.data }]);
  });

  it('builds the summary of a CLI-written session once and catches up with CLI appends', async () => {
    const { root, store, key, projectDirectory, file } = await fixture();
    const { mkdir } = await import('node:fs/promises');
    await mkdir(projectDirectory, { recursive: true });
    await writeFile(file, [chainEntry('written by the CLI'), { type: 'custom-title', customTitle: 'CLI title' }].map((entry) => JSON.stringify(entry)).join('\n') + '\n');
    const [first] = await store.listSessionSummaries(key.projectKey);
    expect(first!.data).toMatchObject({ firstPrompt: 'written by the CLI', customTitle: 'CLI title' });
    const metaText = await readFile(join(projectDirectory, '.sdk', `${key.sessionId}.meta.json`), 'utf8');
    const meta = JSON.parse(metaText.slice(0, metaText.lastIndexOf('\n')));
    expect(meta.summary.bytes).toBe((await stat(file)).size);
    await appendFile(file, JSON.stringify({ type: 'custom-title', customTitle: 'Renamed by the CLI' }) + '\n');
    await store.append(key, [{ type: 'tag', tag: 'ours' }]);
    const [second] = await new FileSessionStore({ root }).listSessionSummaries(key.projectKey);
    expect(second!.data).toMatchObject({ firstPrompt: 'written by the CLI', customTitle: 'Renamed by the CLI', tag: 'ours' });
  });
});

describe('delete and subkeys', () => {
  it('lists subkeys and deletes one subkey or the whole session, cleaning up empty folders', async () => {
    const { root, store, key, projectDirectory } = await fixture();
    await store.append(key, chain(1));
    await store.append({ ...key, subpath: 'subagents/agent-a' }, chain(1));
    await store.append({ ...key, subpath: 'subagents/agent-b' }, chain(2));
    await store.append({ ...key, subpath: 'deep/er/log' }, chain(1));
    expect(await store.listSubkeys(key)).toEqual(['deep/er/log', 'subagents/agent-a', 'subagents/agent-b']);
    await store.delete({ ...key, subpath: 'deep/er/log' });
    expect(await store.listSubkeys(key)).toEqual(['subagents/agent-a', 'subagents/agent-b']);
    expect(await readdir(join(projectDirectory, key.sessionId))).toEqual(['subagents']);
    expect(await store.load(key)).toHaveLength(1);
    await store.delete(key);
    expect(await store.load(key)).toBeNull();
    expect(await store.load({ ...key, subpath: 'subagents/agent-a' })).toBeNull();
    expect(await store.listSubkeys(key)).toEqual([]);
    expect(await readdir(join(root, 'projects'))).toEqual([]);
  });

  it('keeps other sessions of the project', async () => {
    const { store, key } = await fixture();
    const kept = newKey(key.projectKey);
    await store.append(key, chain(1));
    await store.append(kept, chain(1));
    await store.delete(key);
    expect((await store.listSessions(key.projectKey)).map(({ sessionId }) => sessionId)).toEqual([kept.sessionId]);
    expect(await store.load(kept)).toHaveLength(1);
  });
});

describe('windows and forks', () => {
  it('loads windows by index and from the last compact boundary', async () => {
    const { store, key } = await fixture();
    const boundary: SessionStoreEntry = { type: 'system', subtype: 'compact_boundary', uuid: chainEntry('x').uuid!, parentUuid: null };
    const entries = [...chain(3), boundary, ...chain(2, 'after')];
    await store.append(key, entries);
    expect(await store.loadWindow(key, { start: 1, end: 3 })).toEqual({ entries: entries.slice(1, 3), start: 1, length: 6 });
    expect(await store.loadWindow(key, { start: 4 })).toEqual({ entries: entries.slice(4), start: 4, length: 6 });
    expect(await store.loadWindow(key, { start: 10 })).toEqual({ entries: [], start: 6, length: 6 });
    expect(await store.loadWindow(key, { fromLastCompactBoundary: true })).toEqual({ entries: entries.slice(3), start: 3, length: 6 });
    expect(await store.loadWindow(newKey(), { start: 0 })).toBeNull();
  });

  it('forks lines verbatim up to an entry, refuses an existing target and a missing source or entry', async () => {
    const { store, key, projectDirectory, file } = await fixture();
    const entries = chain(4);
    await store.append(key, entries);
    const target = newKey(key.projectKey);
    await store.fork(key, target.sessionId, { upToUuid: entries[1]!.uuid! });
    const source = await readFile(file, 'utf8');
    const copied = await readFile(join(projectDirectory, `${target.sessionId}.jsonl`), 'utf8');
    expect(source.startsWith(copied)).toBe(true);
    expect(await store.load(target)).toEqual(entries.slice(0, 2));
    expect(await mode(join(projectDirectory, `${target.sessionId}.jsonl`))).toBe(0o600);
    expect((await store.appendIf(target, chain(1), { expectedLength: 2, expectedLastUuid: entries[1]!.uuid! })).length).toBe(3);
    await expect(store.fork(key, target.sessionId)).rejects.toBeInstanceOf(SessionConflictError);
    await expect(store.fork(newKey(key.projectKey), newKey().sessionId)).rejects.toBeInstanceOf(SessionNotFoundError);
    await expect(store.fork(key, newKey().sessionId, { upToUuid: chainEntry('x').uuid! })).rejects.toBeInstanceOf(SessionNotFoundError);
    const summaries = await store.listSessionSummaries(key.projectKey);
    expect(summaries.find(({ sessionId }) => sessionId === target.sessionId)!.data.firstPrompt).toBe('message 0');
    expect((await readdir(join(projectDirectory, '.sdk'))).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});

describe('expiry', () => {
  it('hides and sweeps an expired session with its subkeys; null removes the expiry', async () => {
    const { store, key, projectDirectory } = await fixture();
    const kept = newKey(key.projectKey);
    await store.append(key, chain(1));
    await store.append({ ...key, subpath: 'subagents/agent-a' }, chain(1));
    await store.append(kept, chain(1));
    await store.expire(kept, 1);
    await store.expire(kept, null);
    await store.expire(key, 1);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect((await store.listSessions(key.projectKey)).map(({ sessionId }) => sessionId)).toEqual([kept.sessionId]);
    expect(await store.load(key)).toBeNull();
    expect(await store.load({ ...key, subpath: 'subagents/agent-a' })).toBeNull();
    expect((await readdir(projectDirectory)).sort()).toEqual(['.sdk', `${kept.sessionId}.jsonl`]);
    expect(await store.load(kept)).toHaveLength(1);
  });

  it('starts a fresh session when appending to an expired one', async () => {
    const { store, key } = await fixture();
    await store.append(key, chain(2));
    await store.expire(key, 0);
    const fresh = chain(1, 'fresh');
    expect(await store.appendIf(key, fresh, { expectedLength: 0 })).toEqual({ appended: 1, skipped: 0, length: 1 });
    expect(await store.load(key)).toEqual(fresh);
  });
});

describe('leases', () => {
  it('fences writers with growing tokens', async () => {
    const { store, key } = await fixture();
    const first = await store.acquireLease(key, { holder: 'worker-1', ttlMs: 60_000 });
    expect(first.token).toBe(1);
    const held = await store.acquireLease(key, { holder: 'worker-2', ttlMs: 60_000 }).catch((caught: unknown) => caught);
    expect(held).toBeInstanceOf(SessionLeaseError);
    expect((held as SessionLeaseError).reason).toBe('held');
    expect((await store.appendIf(key, chain(1), { lease: first })).length).toBe(1);
    const renewed = await store.renewLease(first, 120_000);
    expect(renewed.token).toBe(1);
    expect(renewed.expiresAt).toBeGreaterThan(first.expiresAt);
    await store.releaseLease(first);
    const released = await store.appendIf(key, chain(1), { lease: first }).catch((caught: unknown) => caught);
    expect((released as SessionLeaseError).reason).toBe('not-held');
    const second = await store.acquireLease(key, { holder: 'worker-2', ttlMs: 1 });
    expect(second.token).toBe(2);
    const superseded = await store.renewLease(first, 1000).catch((caught: unknown) => caught);
    expect((superseded as SessionLeaseError).reason).toBe('superseded');
    await new Promise((resolve) => setTimeout(resolve, 5));
    const expired = await store.appendIf(key, chain(1), { lease: second }).catch((caught: unknown) => caught);
    expect((expired as SessionLeaseError).reason).toBe('expired');
    const third = await new FileSessionStore({ root: store.root }).acquireLease(key, { holder: 'worker-3', ttlMs: 1000 });
    expect(third.token).toBe(3);
    await store.releaseLease(second);
    expect((await store.appendIf(key, chain(1), { lease: third })).length).toBe(2);
  });

  it('gives the lease back with an appendIf that asks for it, for this and every other process', async () => {
    const { store, key } = await fixture();
    const lease = await store.acquireLease(key, { holder: 'worker-1', ttlMs: 60_000 });
    const result = await store.appendIf(key, chain(2), { expectedLength: 0, lease, releaseLease: true });
    expect(result).toEqual({ appended: 2, skipped: 0, length: 2, released: true });
    // Another store instance (another process's view) finds the session free at once.
    const next = await new FileSessionStore({ root: store.root }).acquireLease(key, { holder: 'worker-2', ttlMs: 60_000 });
    expect(next.token).toBe(lease.token + 1);
    const stale = await store.appendIf(key, chain(1), { lease }).catch((caught: unknown) => caught);
    expect((stale as SessionLeaseError).reason).toBe('superseded');
    // Without the flag the lease stays held.
    const kept = await store.appendIf(key, chain(1, 'later'), { lease: next });
    expect(kept.released).toBeUndefined();
    expect(((await store.acquireLease(key, { holder: 'worker-3', ttlMs: 1000 }).catch((caught: unknown) => caught)) as SessionLeaseError).reason).toBe('held');
  });

  it('rewrites the lease file in place, a shorter record padded so it stays one JSON document', async () => {
    const { store, key, projectDirectory } = await fixture({ lockLingerMs: 0 });
    const path = join(projectDirectory, '.sdk', `${key.sessionId}.lease.json`);
    const long = await store.acquireLease(key, { holder: `worker-${'x'.repeat(200)}`, ttlMs: 60_000 });
    const { ino, size } = await stat(path);
    await store.releaseLease(long);
    const short = await store.acquireLease(key, { holder: 'w', ttlMs: 60_000 });
    expect((await stat(path)).ino).toBe(ino);
    const text = await readFile(path, 'utf8');
    expect(text.length).toBe(size);
    expect(JSON.parse(text)).toMatchObject({ token: 2, holder: 'w', released: false });
    // Another instance (nothing remembered) reads the padded record.
    const other = new FileSessionStore({ root: store.root, lockLingerMs: 0 });
    expect((await other.appendIf(key, chain(1), { lease: short })).length).toBe(1);
    const taken = await other.acquireLease(key, { holder: 'w2', ttlMs: 60_000 }).catch((caught: unknown) => caught);
    expect((taken as SessionLeaseError).reason).toBe('held');
  });

  it('keeps the lease file open under a lingering lock, and writes a recreated file after a delete', async () => {
    const { store, key, projectDirectory } = await fixture({ lockLingerMs: 10_000 });
    const path = join(projectDirectory, '.sdk', `${key.sessionId}.lease.json`);
    const first = await store.acquireLease(key, { holder: 'worker-1', ttlMs: 60_000 });
    await store.appendIf(key, chain(1), { lease: first });
    await store.releaseLease(first);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ token: 1, released: true });
    const second = await store.acquireLease(key, { holder: 'worker-2', ttlMs: 60_000 });
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ token: 2, holder: 'worker-2', released: false });
    await store.releaseLease(second);
    // The delete unlinks the lease file while the descriptor of the hold is open: the next lease
    // must land in a new file, where another instance sees it.
    await store.delete(key);
    await store.append(key, chain(1));
    const third = await store.acquireLease(key, { holder: 'worker-3', ttlMs: 60_000 });
    expect(third.token).toBe(1);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ token: 1, holder: 'worker-3', released: false });
    await store.flush();
    const taken = await new FileSessionStore({ root: store.root, lockLingerMs: 0 }).acquireLease(key, { holder: 'w', ttlMs: 60_000 }).catch((caught: unknown) => caught);
    expect((taken as SessionLeaseError).reason).toBe('held');
  });

  it('a load under a lingering lock still honours an expiry set meanwhile, and sees appends after the lock went', async () => {
    const { store, key } = await fixture({ lockLingerMs: 10_000 });
    await store.append(key, chain(2));
    expect((await store.loadWindow(key, { fromLastCompactBoundary: true }, { readOnly: true }))?.length).toBe(2);
    await store.expire(key, 0);
    expect(await store.loadWindow(key, { fromLastCompactBoundary: true }, { readOnly: true })).toBeNull();
    await store.append(key, chain(3, 'again'));
    await store.flush();
    const other = new FileSessionStore({ root: store.root, lockLingerMs: 0 });
    await other.append(key, chain(1, 'other'));
    expect((await store.loadWindow(key, { fromLastCompactBoundary: true }, { readOnly: true }))?.length).toBe(4);
  });

  it('validates lease options', async () => {
    const { store, key } = await fixture();
    await expect(store.acquireLease(key, { holder: '', ttlMs: 10 })).rejects.toThrow(/holder/);
    await expect(store.acquireLease(key, { holder: 'w', ttlMs: 0 })).rejects.toThrow(/ttlMs/);
    await expect(store.acquireLeaseAndLoad(key, { holder: '', ttlMs: 10 }, { fromLastCompactBoundary: true })).rejects.toThrow(/holder/);
    await expect(store.acquireLeaseAndLoad(key, { holder: 'w', ttlMs: 10 }, { start: -1 })).rejects.toThrow(/window.start/);
  });
});

describe('acquireLeaseAndLoad', () => {
  it('takes the lease and loads the window as acquireLease then loadWindow do, turn after turn under a lingering lock', async () => {
    const { store, key } = await fixture({ lockLingerMs: 10_000 });
    const twin = new FileSessionStore({ root: store.root, lockLingerMs: 0 });
    const first = await store.acquireLeaseAndLoad(key, { holder: 'w', ttlMs: 60_000 }, { fromLastCompactBoundary: true });
    expect(first.loaded).toBeNull();
    await store.releaseLease(first.lease);
    await store.flush();
    let length = 0;
    for (let turn = 1; turn <= 4; turn++) {
      const { lease, loaded } = await store.acquireLeaseAndLoad(key, { holder: `w${turn}`, ttlMs: 60_000 }, { fromLastCompactBoundary: true }, { readOnly: true });
      expect(lease).toMatchObject({ key, holder: `w${turn}`, token: turn + 1 });
      expect(loaded).toEqual(turn === 1 ? null : await twin.loadWindow(key, { fromLastCompactBoundary: true }));
      const taken = await twin.acquireLease(key, { holder: 'x', ttlMs: 60_000 }).catch((caught: unknown) => caught);
      expect((taken as SessionLeaseError).reason).toBe('held');
      length = (await store.appendIf(key, chain(2, `turn-${turn}`), { lease, expectedLength: loaded?.length ?? 0, releaseLease: true })).length;
    }
    expect(length).toBe(8);
    const ranged = await store.acquireLeaseAndLoad(key, { holder: 'r', ttlMs: 60_000 }, { start: 2, end: 5 });
    expect(ranged.loaded).toEqual(await twin.loadWindow(key, { start: 2, end: 5 }));
    expect(ranged.loaded?.entries).toHaveLength(3);
  });

  it('rejects with held and takes nothing while another holds the lease', async () => {
    const { store, key, projectDirectory } = await fixture();
    await store.append(key, chain(2));
    const holder = await store.acquireLease(key, { holder: 'worker-1', ttlMs: 60_000 });
    const error = await store.acquireLeaseAndLoad(key, { holder: 'worker-2', ttlMs: 60_000 }, { fromLastCompactBoundary: true }).catch((caught: unknown) => caught);
    expect((error as SessionLeaseError).reason).toBe('held');
    expect(JSON.parse(await readFile(join(projectDirectory, '.sdk', `${key.sessionId}.lease.json`), 'utf8'))).toMatchObject({ token: 1, holder: 'worker-1' });
    expect((await store.appendIf(key, chain(1, 'held'), { lease: holder, expectedLength: 2 })).length).toBe(3);
  });

  it('takes no lease when the load fails', async () => {
    const { store, key, file } = await fixture();
    await store.append(key, chain(2));
    await appendFile(file, 'not json\n{"type":"user"}\n');
    await expect(store.acquireLeaseAndLoad(key, { holder: 'w', ttlMs: 60_000 }, { fromLastCompactBoundary: true })).rejects.toBeInstanceOf(TranscriptCorruptError);
    expect((await store.acquireLease(key, { holder: 'w2', ttlMs: 60_000 })).token).toBe(1);
  });

  it('loads through the full parse under its lock: a torn last line, a lenient store', async () => {
    const { store, key, file } = await fixture({ lockLingerMs: 10_000 });
    const entries = chain(3);
    await store.append(key, entries);
    await appendFile(file, '{"type":"user","uuid":"torn');
    const torn = await store.acquireLeaseAndLoad(key, { holder: 'w', ttlMs: 60_000 }, { start: 1 });
    expect(torn.loaded).toEqual({ entries: entries.slice(1), start: 1, length: 3 });
    await store.releaseLease(torn.lease);
    const lenient = new FileSessionStore({ root: store.root, lenientLoad: true, lockLingerMs: 10_000 });
    const taken = await lenient.acquireLeaseAndLoad(key, { holder: 'w2', ttlMs: 60_000 }, { fromLastCompactBoundary: true });
    expect(taken.loaded).toEqual({ entries, start: 0, length: 3 });
    expect(taken.lease.token).toBe(torn.lease.token + 1);
  });

  it('removes an expired session and takes the lease on the empty one', async () => {
    const { store, key } = await fixture({ lockLingerMs: 10_000 });
    await store.append(key, chain(2));
    await store.expire(key, 0);
    const { lease, loaded } = await store.acquireLeaseAndLoad(key, { holder: 'w', ttlMs: 60_000 }, { fromLastCompactBoundary: true });
    expect(loaded).toBeNull();
    expect(await store.load(key)).toBeNull();
    expect((await store.appendIf(key, chain(1, 'fresh'), { lease, expectedLength: 0 })).length).toBe(1);
  });
});

describe('options', () => {
  it('defaults the root to CLAUDE_CONFIG_DIR and refuses bad options', async () => {
    const root = await temporaryRoot();
    const previous = process.env.CLAUDE_CONFIG_DIR;
    process.env.CLAUDE_CONFIG_DIR = root;
    try {
      expect(new FileSessionStore().root).toBe(root);
    } finally {
      if (previous === undefined) delete process.env.CLAUDE_CONFIG_DIR;
      else process.env.CLAUDE_CONFIG_DIR = previous;
    }
    expect(() => new FileSessionStore({ root, durability: 'sometimes' as never })).toThrow(/durability/);
    expect(() => new FileSessionStore({ root, lockStaleMs: 0 })).toThrow(/lockStaleMs/);
  });

  it('keeps the lock and the meta update of a burst until lockLingerMs passed or flush', async () => {
    const { store, key, projectDirectory } = await fixture({ lockLingerMs: 10_000 });
    await store.append(key, chain(1));
    await store.append(key, [{ type: 'custom-title', customTitle: 'Deferred' }]);
    const bookkeeping = join(projectDirectory, '.sdk');
    expect((await readdir(bookkeeping)).sort()).toEqual([`${key.sessionId}.lock`, `${key.sessionId}.meta.json`]);
    const stale = await readFile(join(bookkeeping, `${key.sessionId}.meta.json`), 'utf8');
    expect(stale).not.toContain('Deferred');
    // Still correct before the save: the summary catches up from the transcript.
    const [summary] = await new FileSessionStore({ root: store.root }).listSessionSummaries(key.projectKey);
    expect(summary!.data.customTitle).toBe('Deferred');
    await store.flush();
    expect(await readdir(bookkeeping)).toEqual([`${key.sessionId}.meta.json`]);
    expect(await readFile(join(bookkeeping, `${key.sessionId}.meta.json`), 'utf8')).toContain('Deferred');
  });

  it('writes the same bytes without fsync', async () => {
    const { store, key, file } = await fixture({ durability: 'none' });
    const entries = chain(5);
    await store.append(key, entries);
    expect(await store.load(key)).toEqual(entries);
    expect((await lstat(file)).size).toBe(Buffer.byteLength(entries.map((entry) => JSON.stringify(entry)).join('\n') + '\n'));
  });
});
