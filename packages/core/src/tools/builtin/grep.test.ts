import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runTool, textOf, useTempDirs } from './__fixtures__/tool-harness.js';
import { grepTool } from './grep.js';

// Expected outputs below are what the official CLI (0.3.332, ripgrep) printed for the same files.
describe('Grep', () => {
  const dirs = useTempDirs();
  let cwd: string;
  const grep = grepTool();

  async function file(path: string, content: string | Buffer, mtimeSeconds: number): Promise<void> {
    await writeFile(join(cwd, path), content);
    await utimes(join(cwd, path), mtimeSeconds, mtimeSeconds);
  }

  beforeEach(async () => {
    cwd = await dirs.create();
    await mkdir(join(cwd, 'src/sub'), { recursive: true });
    await mkdir(join(cwd, 'node_modules/pkg'), { recursive: true });
    await file('a.txt', 'line one\nline two\nfoo bar\nline four\nFOO again\n', 3_000_000);
    await file('crlf.txt', 'alpha\r\nbeta\r\ngamma\r\n', 1_000_000);
    await file('src/x.ts', 'const foo = 1;\nexport {};\n', 2_500_000);
    await file('src/sub/y.js', 'let foo = 2;\nfoo++;\nfoo--;\n', 1_500_000);
    await file('node_modules/pkg/index.js', 'foo\n', 1_000_000);
    await file('image.bin', Buffer.from([0x66, 0x6f, 0x6f, 0, 1]), 1_000_000);
  });

  it('lists matching files newest first by default', async () => {
    const outcome = await runTool(grep, { pattern: 'foo' }, cwd);
    expect(outcome.content).toBe('Found 3 files\na.txt\nsrc/x.ts\nsrc/sub/y.js');
    expect(outcome.structured).toEqual({ mode: 'files_with_matches', filenames: ['a.txt', 'src/x.ts', 'src/sub/y.js'], numFiles: 3, totalFiles: 3 });
  });

  it('shows matching lines with file and line number in content mode', async () => {
    const outcome = await runTool(grep, { pattern: 'foo', output_mode: 'content' }, cwd);
    const expected = 'a.txt:3:foo bar\nsrc/sub/y.js:1:let foo = 2;\nsrc/sub/y.js:2:foo++;\nsrc/sub/y.js:3:foo--;\nsrc/x.ts:1:const foo = 1;';
    expect(outcome.content).toBe(expected);
    expect(outcome.structured).toEqual({ mode: 'content', numFiles: 0, filenames: [], content: expected, numLines: 5, totalLines: 5 });
  });

  it('shows context lines and group separators', async () => {
    expect(textOf(await runTool(grep, { pattern: 'foo', output_mode: 'content', '-C': 1 }, cwd))).toBe(
      'a.txt-2-line two\na.txt:3:foo bar\na.txt-4-line four\n--\nsrc/sub/y.js:1:let foo = 2;\nsrc/sub/y.js:2:foo++;\nsrc/sub/y.js:3:foo--;\n--\nsrc/x.ts:1:const foo = 1;\nsrc/x.ts-2-export {};',
    );
    expect(textOf(await runTool(grep, { pattern: 'foo', output_mode: 'content', '-i': true, '-C': 1, path: join(cwd, 'a.txt') }, cwd))).toBe(
      '2-line two\n3:foo bar\n4-line four\n5:FOO again',
    );
    expect(textOf(await runTool(grep, { pattern: 'bar', output_mode: 'content', '-B': 1, path: 'a.txt' }, cwd))).toBe('2-line two\n3:foo bar');
    expect(textOf(await runTool(grep, { pattern: 'bar', output_mode: 'content', '-A': 1, path: 'a.txt' }, cwd))).toBe('3:foo bar\n4-line four');
  });

  it('drops line numbers with -n false and prints only the match with -o', async () => {
    expect(textOf(await runTool(grep, { pattern: 'foo', output_mode: 'content', '-n': false, glob: '*.js' }, cwd))).toBe(
      'src/sub/y.js:let foo = 2;\nsrc/sub/y.js:foo++;\nsrc/sub/y.js:foo--;',
    );
    expect(textOf(await runTool(grep, { pattern: 'fo+', output_mode: 'content', '-o': true, path: 'src' }, cwd))).toBe(
      'src/sub/y.js:1:foo\nsrc/sub/y.js:2:foo\nsrc/sub/y.js:3:foo\nsrc/x.ts:1:foo',
    );
  });

  it('counts matching lines per file', async () => {
    const outcome = await runTool(grep, { pattern: 'foo', output_mode: 'count' }, cwd);
    expect(outcome.content).toBe('a.txt:1\nsrc/sub/y.js:3\nsrc/x.ts:1\n\nFound 5 total occurrences across 3 files.');
    expect(outcome.structured).toEqual({ mode: 'count', numFiles: 3, filenames: [], content: 'a.txt:1\nsrc/sub/y.js:3\nsrc/x.ts:1', numMatches: 5 });
    await file('two.txt', 'foo foo\nfoo\n', 1_000_000);
    expect(textOf(await runTool(grep, { pattern: 'foo', output_mode: 'count', path: join(cwd, 'two.txt') }, cwd))).toBe(
      'two.txt:2\n\nFound 2 total occurrences across 1 file.',
    );
  });

  it('paginates with head_limit and offset in every mode', async () => {
    const content = await runTool(grep, { pattern: 'foo', output_mode: 'content', head_limit: 2, offset: 1 }, cwd);
    expect(content.content).toBe('src/sub/y.js:1:let foo = 2;\nsrc/sub/y.js:2:foo++;\n\n[Showing results with pagination = limit: 2, offset: 1]');
    expect(content.structured).toMatchObject({ numLines: 2, totalLines: 5, appliedLimit: 2, appliedOffset: 1 });

    const files = await runTool(grep, { pattern: 'foo', head_limit: 1 }, cwd);
    expect(files.content).toBe('Found 1 file limit: 1\na.txt');
    expect(files.structured).toEqual({ mode: 'files_with_matches', filenames: ['a.txt'], numFiles: 1, totalFiles: 3, appliedLimit: 1 });

    const counts = await runTool(grep, { pattern: 'foo', output_mode: 'count', head_limit: 1 }, cwd);
    expect(counts.content).toBe('a.txt:1\n\nFound 5 total occurrences across 3 files. with pagination = limit: 1');

    const unlimited = await runTool(grep, { pattern: 'foo', output_mode: 'content', head_limit: 0 }, cwd);
    expect(unlimited.structured).toMatchObject({ numLines: 5 });
  });

  it('reports offsets as the CLI does', async () => {
    const both = await runTool(grep, { pattern: 'foo', head_limit: 1, offset: 1 }, cwd);
    expect(both).toEqual({
      content: 'Found 1 file limit: 1, offset: 1\nsrc/x.ts',
      structured: { mode: 'files_with_matches', filenames: ['src/x.ts'], numFiles: 1, totalFiles: 3, appliedLimit: 1, appliedOffset: 1 },
    });
    expect((await runTool(grep, { pattern: 'foo', offset: 1 }, cwd)).content).toBe('Found 2 files offset: 1\nsrc/x.ts\nsrc/sub/y.js');
    expect(await runTool(grep, { pattern: 'foo', output_mode: 'count', head_limit: 1, offset: 1 }, cwd)).toEqual({
      content: 'src/sub/y.js:3\n\nFound 5 total occurrences across 3 files. with pagination = limit: 1, offset: 1',
      structured: { mode: 'count', numFiles: 3, filenames: [], content: 'src/sub/y.js:3', numMatches: 5, appliedLimit: 1, appliedOffset: 1 },
    });
    expect(await runTool(grep, { pattern: 'foo', output_mode: 'content', offset: 3 }, cwd)).toEqual({
      content: 'src/sub/y.js:3:foo--;\nsrc/x.ts:1:const foo = 1;\n\n[Showing results with pagination = offset: 3]',
      structured: { mode: 'content', numFiles: 0, filenames: [], content: 'src/sub/y.js:3:foo--;\nsrc/x.ts:1:const foo = 1;', numLines: 2, totalLines: 5, appliedOffset: 3 },
    });
  });

  it('caps output at 250 entries by default', async () => {
    await file('many.txt', 'hit\n'.repeat(300), 1_000_000);
    const outcome = await runTool(grep, { pattern: 'hit', output_mode: 'content', path: 'many.txt' }, cwd);
    expect(outcome.structured).toMatchObject({ numLines: 250, totalLines: 300, appliedLimit: 250 });
  });

  it('filters by type and glob, and skips node_modules and binary files', async () => {
    expect(await runTool(grep, { pattern: 'foo', type: 'ts' }, cwd)).toMatchObject({ content: 'Found 1 file\nsrc/x.ts' });
    expect(await runTool(grep, { pattern: 'foo', type: 'js' }, cwd)).toMatchObject({ content: 'Found 1 file\nsrc/sub/y.js' });
    expect(await runTool(grep, { pattern: 'foo', glob: '*.{ts,js}' }, cwd)).toMatchObject({ content: 'Found 2 files\nsrc/x.ts\nsrc/sub/y.js' });
    expect(await runTool(grep, { pattern: 'foo', glob: 'src/sub/*' }, cwd)).toMatchObject({ content: 'Found 1 file\nsrc/sub/y.js' });
    const all = textOf(await runTool(grep, { pattern: 'foo' }, cwd));
    expect(all).not.toContain('node_modules');
    expect(all).not.toContain('image.bin');
  });

  it('matches across lines in multiline mode', async () => {
    expect(textOf(await runTool(grep, { pattern: 'two.foo', output_mode: 'content' }, cwd))).toBe('No matches found');
    expect(textOf(await runTool(grep, { pattern: 'two.foo', output_mode: 'content', multiline: true }, cwd))).toBe('a.txt:2:line two\na.txt:3:foo bar');
  });

  it('reports no matches in each mode', async () => {
    expect(await runTool(grep, { pattern: 'zzz' }, cwd)).toMatchObject({ content: 'No files found', structured: { filenames: [], numFiles: 0, totalFiles: 0 } });
    expect(await runTool(grep, { pattern: 'zzz', output_mode: 'content' }, cwd)).toMatchObject({ content: 'No matches found', structured: { numLines: 0 } });
    expect(textOf(await runTool(grep, { pattern: 'zzz', output_mode: 'count' }, cwd))).toBe('No matches found\n\nFound 0 total occurrences across 0 files.');
  });

  it('reports bad input and missing paths as is_error results', async () => {
    expect(await runTool(grep, { pattern: '(unclosed' }, cwd)).toMatchObject({ isError: true, content: expect.stringContaining('Invalid regular expression') });
    expect(await runTool(grep, { pattern: 'foo', type: 'nosuchtype' }, cwd)).toMatchObject({ isError: true, content: expect.stringContaining('unrecognized file type: nosuchtype') });
    expect(await runTool(grep, { pattern: 'foo', output_mode: 'lines' }, cwd)).toMatchObject({ isError: true, content: expect.stringContaining('output_mode') });
    expect(await runTool(grep, { pattern: 'foo', path: join(cwd, 'nodir') }, cwd)).toEqual({
      content: `Path does not exist: ${join(cwd, 'nodir')}. Note: your current working directory is ${cwd}.`,
      isError: true,
      structured: `Error: Path does not exist: ${join(cwd, 'nodir')}. Note: your current working directory is ${cwd}.`,
    });
  });

  it('stops when the turn is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(runTool(grep, { pattern: 'foo' }, cwd, controller.signal)).rejects.toThrow();
  });

  it('declares a read of the searched path', () => {
    expect(grep.access?.({ pattern: 'x', path: 'src' }, cwd)).toEqual({ kind: 'read', paths: [join(cwd, 'src')] });
  });
});
