import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runTool, textOf, useTempDirs } from './__fixtures__/tool-harness.js';
import { readTool } from './read.js';

// A 1×1 PNG.
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

describe('Read', () => {
  const dirs = useTempDirs();
  let cwd: string;
  const read = readTool();

  beforeEach(async () => {
    cwd = await dirs.create();
    await writeFile(join(cwd, 'a.txt'), 'line one\nline two\nfoo bar\nline four\nFOO again\n');
  });

  it('numbers the lines as the CLI does and returns the official text output', async () => {
    const outcome = await runTool(read, { file_path: join(cwd, 'a.txt') }, cwd);
    expect(outcome.isError).toBeUndefined();
    expect(outcome.content).toBe('1\tline one\n2\tline two\n3\tfoo bar\n4\tline four\n5\tFOO again\n6\t');
    expect(outcome.structured).toEqual({
      type: 'text',
      file: { filePath: join(cwd, 'a.txt'), content: 'line one\nline two\nfoo bar\nline four\nFOO again\n', numLines: 6, startLine: 1, totalLines: 6 },
    });
  });

  it('reads a line range with offset and limit', async () => {
    const outcome = await runTool(read, { file_path: join(cwd, 'a.txt'), offset: 2, limit: 2 }, cwd);
    expect(outcome.content).toBe('2\tline two\n3\tfoo bar');
    expect(outcome.structured).toMatchObject({ file: { content: 'line two\nfoo bar', numLines: 2, startLine: 2, totalLines: 6 } });
  });

  it('resolves a relative path against the working directory', async () => {
    const outcome = await runTool(read, { file_path: 'a.txt', limit: 1 }, cwd);
    expect(outcome.content).toBe('1\tline one');
  });

  it('caps a default read at 2000 lines and says how to read on', async () => {
    await writeFile(join(cwd, 'many.txt'), Array.from({ length: 2500 }, (_, index) => `row ${index + 1}`).join('\n'));
    const outcome = await runTool(read, { file_path: join(cwd, 'many.txt') }, cwd);
    const text = textOf(outcome);
    expect(text.split('\n').filter((line) => /^\d+\t/.test(line))).toHaveLength(2000);
    expect(text).toContain('2000\trow 2000');
    expect(text).not.toContain('2001\trow 2001');
    expect(text).toContain('Showing lines 1-2000 of 2500');
    expect(outcome.structured).toMatchObject({ file: { numLines: 2000, totalLines: 2500 } });
  });

  it('cuts lines longer than 2000 characters', async () => {
    await writeFile(join(cwd, 'long.txt'), `${'x'.repeat(2500)}\nshort\n`);
    const text = textOf(await runTool(read, { file_path: join(cwd, 'long.txt') }, cwd));
    expect(text).toContain(`1\t${'x'.repeat(2000)}... [line truncated, 2500 characters]`);
    expect(text).toContain('2\tshort');
  });

  it('shows CRLF files with plain line breaks', async () => {
    await writeFile(join(cwd, 'crlf.txt'), 'alpha\r\nbeta\r\n');
    const outcome = await runTool(read, { file_path: join(cwd, 'crlf.txt') }, cwd);
    expect(outcome.content).toBe('1\talpha\n2\tbeta\n3\t');
  });

  it('warns about an empty file and an offset past the end', async () => {
    await writeFile(join(cwd, 'empty.txt'), '');
    expect(textOf(await runTool(read, { file_path: join(cwd, 'empty.txt') }, cwd))).toContain('the file exists but the contents are empty');
    const past = await runTool(read, { file_path: join(cwd, 'a.txt'), offset: 50 }, cwd);
    expect(past.isError).toBeUndefined();
    expect(textOf(past)).toContain('shorter than the provided offset (50). The file has 6 lines.');
  });

  it('returns an image as a base64 image block with its dimensions', async () => {
    await writeFile(join(cwd, 'p.png'), Buffer.from(PNG_BASE64, 'base64'));
    const outcome = await runTool(read, { file_path: join(cwd, 'p.png') }, cwd);
    expect(outcome.content).toEqual([{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } }]);
    expect(outcome.structured).toEqual({
      type: 'image',
      file: { base64: PNG_BASE64, type: 'image/png', originalSize: 70, dimensions: { originalWidth: 1, originalHeight: 1, displayWidth: 1, displayHeight: 1 } },
    });
  });

  it('returns a PDF as a document block and refuses a file that is not one', async () => {
    const pdf = Buffer.from('%PDF-1.4\n%%EOF\n');
    await writeFile(join(cwd, 'd.pdf'), pdf);
    const outcome = await runTool(read, { file_path: join(cwd, 'd.pdf') }, cwd);
    expect(outcome.content).toEqual([{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: pdf.toString('base64') } }]);
    expect(outcome.structured).toEqual({ type: 'pdf', file: { filePath: join(cwd, 'd.pdf'), base64: pdf.toString('base64'), originalSize: pdf.length } });

    await writeFile(join(cwd, 'fake.pdf'), 'not a pdf');
    const fake = await runTool(read, { file_path: join(cwd, 'fake.pdf') }, cwd);
    expect(fake).toMatchObject({ isError: true, content: expect.stringContaining('not a valid PDF') });
    const paged = await runTool(read, { file_path: join(cwd, 'd.pdf'), pages: '1-2' }, cwd);
    expect(paged).toMatchObject({ isError: true, content: expect.stringContaining('pages parameter is not supported') });
  });

  it('reports errors as is_error results, never as exceptions', async () => {
    const missing = await runTool(read, { file_path: join(cwd, 'nope.txt') }, cwd);
    expect(missing).toEqual({
      content: `File does not exist. Note: your current working directory is ${cwd}.`,
      isError: true,
      structured: `Error: File does not exist. Note: your current working directory is ${cwd}.`,
    });

    await mkdir(join(cwd, 'sub'));
    const directory = await runTool(read, { file_path: join(cwd, 'sub') }, cwd);
    expect(directory).toMatchObject({ isError: true, content: expect.stringContaining('is a directory') });

    await writeFile(join(cwd, 'b.bin'), Buffer.from([1, 2, 3, 0, 255]));
    const binary = await runTool(read, { file_path: join(cwd, 'b.bin') }, cwd);
    expect(binary).toMatchObject({ isError: true, content: expect.stringMatching(/^<tool_use_error>This tool cannot read binary files\. The file appears to be a binary \.bin file/) });

    const badInput = await runTool(read, { file_path: 42 }, cwd);
    expect(badInput).toMatchObject({ isError: true, content: expect.stringContaining('file_path') });
    const badLimit = await runTool(read, { file_path: join(cwd, 'a.txt'), limit: 0 }, cwd);
    expect(badLimit).toMatchObject({ isError: true, content: expect.stringContaining('limit') });
  });

  it('refuses a whole-file read over the size limit unless a range or allow_large is given', async () => {
    const small = readTool({ maxFileBytes: 1024 });
    await writeFile(join(cwd, 'big.txt'), `${'y'.repeat(99)}\n`.repeat(40));
    const refused = await runTool(small, { file_path: join(cwd, 'big.txt') }, cwd);
    expect(refused).toMatchObject({ isError: true, content: expect.stringContaining('exceeds maximum allowed size (1.0KB)') });
    expect(textOf(await runTool(small, { file_path: join(cwd, 'big.txt'), limit: 2 }, cwd))).toMatch(/^1\ty{99}\n2\ty{99}$/);
    const allowed = await runTool(small, { file_path: join(cwd, 'big.txt'), allow_large: true }, cwd);
    expect(allowed.isError).toBeUndefined();
    expect(allowed.structured).toMatchObject({ file: { numLines: 41 } });
  });

  it('streams a line range out of a file too large to load', async () => {
    const path = join(cwd, 'huge.log');
    // 11 MB: above the 10 MB ceiling for loading a file whole.
    await writeFile(path, Array.from({ length: 110_000 }, (_, index) => `entry ${String(index + 1).padStart(6, '0')} ${'.'.repeat(86)}`).join('\n'));
    const outcome = await runTool(read, { file_path: path, offset: 100_000, limit: 2 }, cwd);
    expect(textOf(outcome)).toMatch(/^100000\tentry 100000 \.+\n100001\tentry 100001 \.+$/);
    expect(outcome.structured).toMatchObject({ file: { numLines: 2, startLine: 100_000, totalLines: 110_000 } });
  });

  it('notes NUL bytes in a text file', async () => {
    await writeFile(join(cwd, 'nul.txt'), 'a\0b');
    expect(textOf(await runTool(read, { file_path: join(cwd, 'nul.txt') }, cwd))).toContain('NUL bytes in its first 8 KB');
  });

  it('declares a read of the resolved path', () => {
    expect(read.access?.({ file_path: 'a.txt' }, cwd)).toEqual({ kind: 'read', paths: [join(cwd, 'a.txt')] });
  });
});
