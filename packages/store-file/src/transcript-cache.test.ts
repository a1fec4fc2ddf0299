import { execFileSync } from 'node:child_process';
import { fstatSync, type Stats } from 'node:fs';
import { appendFile, readFile, rename, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TranscriptCorruptError } from '@sdk/core/store';
import type { SessionKey, SessionStoreEntry } from '@sdk/core/store';
import { chain, chainEntry, newKey, temporaryRoot } from '../test/helpers.js';
import { FileSessionStore } from './file-session-store.js';
import { TranscriptCache } from './transcript-cache.js';

const READ_ONLY = { readOnly: true } as const;
const FROM_BOUNDARY = { fromLastCompactBoundary: true } as const;

async function fixture(options: ConstructorParameters<typeof FileSessionStore>[0] = {}) {
  const root = await temporaryRoot();
  const store = new FileSessionStore({ root, durability: 'none', ...options });
  const key = newKey();
  const file = join(root, 'projects', key.projectKey, `${key.sessionId}.jsonl`);
  return { root, store, key, file };
}

const lines = (entries: readonly SessionStoreEntry[]): string => entries.map((entry) => `${JSON.stringify(entry)}\n`).join('');

/** What an uncached store reads: the reference every cached load must equal. */
async function reference(root: string, key: SessionKey, window: Parameters<FileSessionStore['loadWindow']>[1] = FROM_BOUNDARY) {
  return new FileSessionStore({ root, entryCache: false }).loadWindow(key, window);
}

describe('read-only window loads from the entry cache', () => {
  it('returns what an uncached load returns, as deep-frozen entries shared between loads', async () => {
    const { root, store, key } = await fixture();
    await store.append(key, chain(4));
    const first = await store.loadWindow(key, FROM_BOUNDARY, READ_ONLY);
    expect(first).toEqual(await reference(root, key));
    const second = await store.loadWindow(key, FROM_BOUNDARY, READ_ONLY);
    expect(second!.entries[0]).toBe(first!.entries[0]);
    expect(Object.isFrozen(first!.entries[0])).toBe(true);
    expect(Object.isFrozen(first!.entries[0]!.message)).toBe(true);
    // Loads without the flag still get private copies.
    const copy = await store.loadWindow(key, FROM_BOUNDARY);
    expect(copy!.entries[0]).not.toBe(first!.entries[0]);
    expect(Object.isFrozen(copy!.entries[0])).toBe(false);
  });

  it('sees appends by this store, by another store instance and by another process', async () => {
    const { root, store, key, file } = await fixture();
    await store.append(key, chain(2));
    await store.loadWindow(key, FROM_BOUNDARY, READ_ONLY);
    await store.append(key, [chainEntry('own')]);
    expect(await store.loadWindow(key, FROM_BOUNDARY, READ_ONLY)).toEqual(await reference(root, key));
    await new FileSessionStore({ root, durability: 'none' }).append(key, [chainEntry('other store')]);
    const afterOther = await store.loadWindow(key, FROM_BOUNDARY, READ_ONLY);
    expect(afterOther!.length).toBe(4);
    expect(afterOther).toEqual(await reference(root, key));
    const line = JSON.stringify(chainEntry('other process'));
    execFileSync(process.execPath, ['-e', `require('node:fs').appendFileSync(${JSON.stringify(file)}, ${JSON.stringify(`${line}\n`)})`]);
    const afterProcess = await store.loadWindow(key, FROM_BOUNDARY, READ_ONLY);
    expect(afterProcess!.length).toBe(5);
    expect(afterProcess!.entries.at(-1)).toEqual(JSON.parse(line));
    expect(afterProcess).toEqual(await reference(root, key));
  });

  it('re-reads a file truncated, rewritten in place to the same size, touched or replaced', async () => {
    const { root, store, key, file } = await fixture();
    const entries = chain(3);
    await store.append(key, entries);
    await store.loadWindow(key, FROM_BOUNDARY, READ_ONLY);

    // Truncated to its first two lines.
    await truncate(file, Buffer.byteLength(lines(entries.slice(0, 2))));
    expect(await store.loadWindow(key, FROM_BOUNDARY, READ_ONLY)).toEqual(await reference(root, key));
    expect((await store.loadWindow(key, FROM_BOUNDARY, READ_ONLY))!.length).toBe(2);

    // Rewritten in place with different text of the same length (same inode, size and maybe times).
    const text = await readFile(file, 'utf8');
    const changed = text.replace('"user"', '"USER"');
    expect(changed.length).toBe(text.length);
    await writeFile(file, changed);
    expect((await store.loadWindow(key, FROM_BOUNDARY, READ_ONLY))!.entries[0]!.type).toBe('USER');

    // Grown after a rewrite of its start: the part before the old end no longer matches.
    await writeFile(file, lines([chainEntry('replacement one'), chainEntry('replacement two'), chainEntry('replacement three')]));
    expect(await store.loadWindow(key, FROM_BOUNDARY, READ_ONLY)).toEqual(await reference(root, key));

    // Replaced by another file (a new inode).
    const replacement = `${file}.new`;
    await writeFile(replacement, lines(chain(1, 'replaced')));
    await rename(replacement, file);
    const replaced = await store.loadWindow(key, FROM_BOUNDARY, READ_ONLY);
    expect(replaced!.length).toBe(1);
    expect(replaced).toEqual(await reference(root, key));

    // Same bytes, new modification time: read again rather than trusted.
    await utimes(file, new Date(), new Date(Date.now() + 5000));
    expect(await store.loadWindow(key, FROM_BOUNDARY, READ_ONLY)).toEqual(await reference(root, key));
  });

  it('follows compaction boundaries appended later and serves the look-back window before one', async () => {
    const { root, store, key } = await fixture();
    await store.append(key, chain(3));
    expect((await store.loadWindow(key, FROM_BOUNDARY, READ_ONLY))!.start).toBe(0);
    const boundary: SessionStoreEntry = { type: 'system', subtype: 'compact_boundary', uuid: chainEntry('b').uuid!, parentUuid: null };
    await store.append(key, [boundary, chainEntry('after')]);
    const window = await store.loadWindow(key, FROM_BOUNDARY, READ_ONLY);
    expect(window).toEqual(await reference(root, key));
    expect(window!.start).toBe(3);
    const before = await store.loadWindow(key, { start: 1, end: 3 }, READ_ONLY);
    expect(before).toEqual(await reference(root, key, { start: 1, end: 3 }));
    expect(await store.loadWindow(key, FROM_BOUNDARY, READ_ONLY)).toEqual(window);
  });

  it('never caches an unterminated last line and reports corrupt lines as an uncached load does', async () => {
    const { root, store, key, file } = await fixture();
    await store.append(key, chain(2));
    await store.loadWindow(key, FROM_BOUNDARY, READ_ONLY);
    await appendFile(file, '{"type":"user","uuid":"torn');
    const torn = await store.loadWindow(key, FROM_BOUNDARY, READ_ONLY);
    expect(torn!.length).toBe(2);
    expect(torn).toEqual(await reference(root, key));
    await appendFile(file, '\n');
    await expect(store.loadWindow(key, FROM_BOUNDARY, READ_ONLY)).rejects.toBeInstanceOf(TranscriptCorruptError);
    await expect(reference(root, key)).rejects.toBeInstanceOf(TranscriptCorruptError);
  });

  it('reads a session removed and written again as new', async () => {
    const { store, key } = await fixture();
    await store.append(key, chain(2));
    await store.loadWindow(key, FROM_BOUNDARY, READ_ONLY);
    await store.delete(key);
    expect(await store.loadWindow(key, FROM_BOUNDARY, READ_ONLY)).toBeNull();
    await store.append(key, chain(1, 'again'));
    expect((await store.loadWindow(key, FROM_BOUNDARY, READ_ONLY))!.length).toBe(1);
  });
});

describe('TranscriptCache identity', () => {
  it('never serves the entries of a file deleted and written again, even with the same inode, size, times and end', async () => {
    const root = await temporaryRoot();
    const file = join(root, 'session.jsonl');
    const original = chain(3, 'secret');
    // The redacted copy: same lengths, same last entry (so the same end bytes), other content before it.
    const first = original[0]!;
    const redacted = [{ ...first, message: { ...(first.message as object), content: (first.message as { content: string }).content.replace('secret', 'xxxxxx') } }, ...original.slice(1)];
    expect(lines(redacted).length).toBe(lines(original).length);
    await writeFile(file, lines(original));
    // What a file system shows when the new file reuses the freed inode within one timestamp tick:
    // everything the first file showed but its creation time.
    let shown: Stats | undefined;
    let created = 1;
    const stat = (fd: number) => {
      const real = fstatSync(fd);
      shown ??= real;
      return { dev: shown.dev, ino: shown.ino, size: real.size, mtimeMs: shown.mtimeMs, ctimeMs: shown.ctimeMs, birthtimeMs: created };
    };
    const cache = new TranscriptCache({ maxFiles: 4, maxBytes: 1 << 20 }, stat);
    const firstEntry = async () => {
      const loaded = await cache.window(file, -1, undefined);
      return loaded === null || loaded === undefined || loaded === 'full-parse-needed' ? loaded : loaded.entries[0];
    };
    expect(await firstEntry()).toEqual(original[0]);
    await rm(file);
    await writeFile(file, lines(redacted));
    created = 2;
    expect(await firstEntry()).toEqual(redacted[0]);
  });
});

describe('TranscriptCache bounds', () => {
  it('keeps at most maxFiles files, dropping the least recently used', async () => {
    const root = await temporaryRoot();
    const cache = new TranscriptCache({ maxFiles: 2, maxBytes: 1 << 20 });
    const files = await Promise.all(
      ['a', 'b', 'c'].map(async (name) => {
        const file = join(root, `${name}.jsonl`);
        await writeFile(file, lines(chain(2, name)));
        return file;
      }),
    );
    await cache.window(files[0]!, -1, undefined);
    await cache.window(files[1]!, -1, undefined);
    await cache.window(files[0]!, -1, undefined);
    await cache.window(files[2]!, -1, undefined);
    expect(cache.size).toBe(2);
    // files[1] was the least recently used: reading it again brings it back and drops files[0].
    const before = cache.keptBytes;
    await cache.window(files[1]!, -1, undefined);
    expect(cache.size).toBe(2);
    expect(cache.keptBytes).toBe(before);
  });

  it('keeps no more than maxBytes of transcript text and still serves longer windows', async () => {
    const root = await temporaryRoot();
    const small = join(root, 'small.jsonl');
    const large = join(root, 'large.jsonl');
    await writeFile(small, lines(chain(1, 's')));
    await writeFile(large, lines(chain(20, 'l')));
    const budget = Buffer.byteLength(lines(chain(1, 's'))) + 10;
    const cache = new TranscriptCache({ maxFiles: 10, maxBytes: budget });
    expect((await cache.window(large, -1, undefined))).toMatchObject({ start: 0, length: 20 });
    expect(cache.size).toBe(0);
    await cache.window(small, -1, undefined);
    expect(cache.size).toBe(1);
    expect(cache.keptBytes).toBeLessThanOrEqual(budget);
    // Growing past the budget drops the file rather than exceeding it.
    await appendFile(small, lines(chain(3, 'more')));
    expect((await cache.window(small, -1, undefined))).toMatchObject({ length: 4 });
    expect(cache.keptBytes).toBeLessThanOrEqual(budget);
  });

  it('can be turned off', async () => {
    const { store, key } = await fixture({ entryCache: false });
    await store.append(key, chain(2));
    const first = await store.loadWindow(key, FROM_BOUNDARY, READ_ONLY);
    const second = await store.loadWindow(key, FROM_BOUNDARY, READ_ONLY);
    expect(second!.entries[0]).not.toBe(first!.entries[0]);
    expect(() => new FileSessionStore({ entryCache: { maxFiles: -1 } })).toThrow(/maxFiles/);
  });
});
