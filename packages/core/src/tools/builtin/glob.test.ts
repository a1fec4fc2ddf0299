import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runTool, useTempDirs } from './__fixtures__/tool-harness.js';
import { globTool } from './glob.js';

async function touch(path: string, mtimeSeconds: number): Promise<void> {
  await writeFile(path, 'x');
  await utimes(path, mtimeSeconds, mtimeSeconds);
}

describe('Glob', () => {
  const dirs = useTempDirs();
  let cwd: string;
  const glob = globTool();

  beforeEach(async () => {
    cwd = await dirs.create();
    await mkdir(join(cwd, 'src/sub'), { recursive: true });
    await mkdir(join(cwd, 'node_modules/pkg'), { recursive: true });
    await mkdir(join(cwd, '.git'), { recursive: true });
    await touch(join(cwd, 'a.txt'), 3_000_000);
    await touch(join(cwd, 'crlf.txt'), 1_000_000);
    await touch(join(cwd, 'empty.txt'), 2_000_000);
    await touch(join(cwd, 'src/x.ts'), 2_500_000);
    await touch(join(cwd, 'src/sub/y.js'), 1_500_000);
    await touch(join(cwd, 'node_modules/pkg/index.js'), 1_000_000);
    await touch(join(cwd, '.git/config.js'), 1_000_000);
  });

  it('lists matches relative to the working directory, oldest first like the CLI', async () => {
    const outcome = await runTool(glob, { pattern: '**/*' }, cwd);
    // The order the official CLI printed for these modification times.
    expect(outcome.content).toBe('crlf.txt\nsrc/sub/y.js\nempty.txt\nsrc/x.ts\na.txt');
    expect(outcome.structured).toMatchObject({
      filenames: ['crlf.txt', 'src/sub/y.js', 'empty.txt', 'src/x.ts', 'a.txt'],
      numFiles: 5,
      truncated: false,
      totalMatches: 5,
      countIsComplete: true,
      durationMs: expect.any(Number),
    });
  });

  it('matches brace patterns and searches a given directory', async () => {
    expect(await runTool(glob, { pattern: '**/*.{ts,js}' }, cwd)).toMatchObject({ content: 'src/sub/y.js\nsrc/x.ts' });
    expect(await runTool(glob, { pattern: '*.ts', path: join(cwd, 'src') }, cwd)).toMatchObject({ content: 'src/x.ts' });
    expect(await runTool(glob, { pattern: '*.ts', path: 'src' }, cwd)).toMatchObject({ content: 'src/x.ts' });
  });

  it('prints absolute paths outside the working directory', async () => {
    const outcome = await runTool(glob, { pattern: '*.ts', path: join(cwd, 'src') }, join(cwd, 'src/sub'));
    expect(outcome.content).toBe(join(cwd, 'src/x.ts'));
  });

  it('reports no match and caps results with truncated', async () => {
    expect(await runTool(glob, { pattern: '*.zzz' }, cwd)).toMatchObject({ content: 'No files found', structured: { filenames: [], numFiles: 0, truncated: false } });
    const capped = await runTool(globTool({ maxResults: 2 }), { pattern: '**/*' }, cwd);
    expect(capped.content).toBe('crlf.txt\nsrc/sub/y.js\n(Showing 2 of 5 matching files; 3 more are not listed. Narrow the pattern or path to see the rest.)');
    expect(capped.structured).toMatchObject({ numFiles: 2, truncated: true, totalMatches: 5 });
  });

  it('caps at 100 files by default', async () => {
    await mkdir(join(cwd, 'many'));
    await Promise.all(Array.from({ length: 120 }, (_, index) => writeFile(join(cwd, 'many', `f${index}.md`), '')));
    const outcome = await runTool(glob, { pattern: 'many/*.md' }, cwd);
    expect(outcome.structured).toMatchObject({ numFiles: 100, truncated: true, totalMatches: 120 });
    // The note the official CLI prints for the same 120 files.
    expect((outcome.content as string).split('\n').at(-1)).toBe('(Showing 100 of 120 matching files; 20 more are not listed. Narrow the pattern or path to see the rest.)');
  });

  it('reports a missing or non-directory path as an error', async () => {
    expect(await runTool(glob, { pattern: '*', path: join(cwd, 'nodir') }, cwd)).toEqual({
      content: `Directory does not exist: ${join(cwd, 'nodir')}. Note: your current working directory is ${cwd}.`,
      isError: true,
      structured: `Error: Directory does not exist: ${join(cwd, 'nodir')}. Note: your current working directory is ${cwd}.`,
    });
    expect(await runTool(glob, { pattern: '*', path: join(cwd, 'a.txt') }, cwd)).toMatchObject({ isError: true, content: expect.stringContaining('not a directory') });
    expect(await runTool(glob, {}, cwd)).toMatchObject({ isError: true, content: expect.stringContaining('pattern') });
  });

  it('stops when the turn is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(runTool(glob, { pattern: '**/*' }, cwd, controller.signal)).rejects.toThrow();
  });

  it('declares a read of the searched directory', () => {
    expect(glob.access?.({ pattern: '*' }, cwd)).toEqual({ kind: 'read', paths: [cwd] });
    expect(glob.access?.({ pattern: '*', path: 'src' }, cwd)).toEqual({ kind: 'read', paths: [join(cwd, 'src')] });
  });
});
