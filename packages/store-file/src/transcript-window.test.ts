import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TranscriptCorruptError } from '@sdk/core/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSessionStore } from './file-session-store.js';

const key = { projectKey: 'window', sessionId: '7c0a6f1e-2b3d-4e5f-8a9b-0c1d2e3f4a5b' };
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'transcript-window-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const line = (entry: Record<string, unknown>): string => `${JSON.stringify(entry)}\n`;
const user = (index: number, text = `prompt ${index}`) => ({ type: 'user', uuid: `u${index}`, message: { role: 'user', content: text } });
const boundary = (index: number) => ({ type: 'system', subtype: 'compact_boundary', uuid: `b${index}`, parentUuid: null });

async function write(lines: string): Promise<string> {
  const folder = join(root, 'projects', key.projectKey);
  await rm(folder, { recursive: true, force: true });
  const store = new FileSessionStore({ root, durability: 'none' });
  await store.append(key, [user(-1)]);
  await writeFile(join(folder, `${key.sessionId}.jsonl`), lines);
  return folder;
}

describe('windowed loads parse only the window', () => {
  it('returns what slicing the full load returns, with blank lines and a boundary mentioned in text', async () => {
    const lines = [
      line(user(0)),
      '\n',
      line(boundary(1)),
      line(user(2, 'the words "compact_boundary" in a prompt are not a boundary')),
      '   \n',
      line(boundary(3)),
      line(user(4)),
      line(user(5)),
    ].join('');
    await write(lines);
    const store = new FileSessionStore({ root });
    const all = (await store.load(key))!;
    expect(all.map((entry) => entry.uuid)).toEqual(['u0', 'b1', 'u2', 'b3', 'u4', 'u5']);
    expect(await store.loadWindow(key, { fromLastCompactBoundary: true })).toEqual({ entries: all.slice(3), start: 3, length: 6 });
    expect(await store.loadWindow(key, { start: 1, end: 4 })).toEqual({ entries: all.slice(1, 4), start: 1, length: 6 });
    expect(await store.loadWindow(key, { start: 9 })).toEqual({ entries: [], start: 6, length: 6 });
  });

  it('does not parse lines before the window; a corrupt line inside it is still an error', async () => {
    await write([line(user(0)), '{"broken\n', line(boundary(1)), line(user(2))].join(''));
    const store = new FileSessionStore({ root });
    await expect(store.load(key)).rejects.toBeInstanceOf(TranscriptCorruptError);
    const window = await store.loadWindow(key, { fromLastCompactBoundary: true });
    expect(window?.entries.map((entry) => entry.uuid)).toEqual(['b1', 'u2']);
    await expect(store.loadWindow(key, { start: 0, end: 2 })).rejects.toBeInstanceOf(TranscriptCorruptError);
  });

  it('falls back to the full parse for an unterminated last line', async () => {
    await write([line(user(0)), line(boundary(1)), '{"type":"user","uuid":"torn'].join(''));
    const window = await new FileSessionStore({ root }).loadWindow(key, { fromLastCompactBoundary: true });
    expect(window).toEqual({ entries: [boundary(1)], start: 1, length: 2 });
  });
});
