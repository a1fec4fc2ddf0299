import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runTool, useTempDirs } from './__fixtures__/tool-harness.js';
import { editTool } from './edit.js';

describe('Edit', () => {
  const dirs = useTempDirs();
  let cwd: string;
  let path: string;
  const edit = editTool();
  const original = 'line one\nline two\nfoo bar\nline four\nFOO again\n';

  beforeEach(async () => {
    cwd = await dirs.create();
    path = join(cwd, 'a.txt');
    await writeFile(path, original);
  });

  it('replaces a unique string and returns the official output with a structured patch', async () => {
    const outcome = await runTool(edit, { file_path: path, old_string: 'foo bar', new_string: 'FOO BAR\nnew line' }, cwd);
    expect(outcome).toEqual({
      content: `The file ${path} has been updated successfully.`,
      structured: {
        filePath: path,
        oldString: 'foo bar',
        newString: 'FOO BAR\nnew line',
        originalFile: original,
        structuredPatch: [
          { oldStart: 1, oldLines: 5, newStart: 1, newLines: 6, lines: [' line one', ' line two', '-foo bar', '+FOO BAR', '+new line', ' line four', ' FOO again'] },
        ],
        userModified: false,
        replaceAll: false,
      },
    });
    expect(await readFile(path, 'utf8')).toBe('line one\nline two\nFOO BAR\nnew line\nline four\nFOO again\n');
  });

  it('replaces every occurrence with replace_all, with the CLI hunk layout', async () => {
    const outcome = await runTool(edit, { file_path: path, old_string: 'line', new_string: 'LINE', replace_all: true }, cwd);
    expect(outcome.content).toBe(`The file ${path} has been updated. All occurrences were successfully replaced.`);
    // The official CLI printed exactly this hunk for the same edit.
    expect(outcome.structured).toMatchObject({
      replaceAll: true,
      structuredPatch: [
        { oldStart: 1, oldLines: 5, newStart: 1, newLines: 5, lines: ['-line one', '-line two', '+LINE one', '+LINE two', ' foo bar', '-line four', '+LINE four', ' FOO again'] },
      ],
    });
    expect(await readFile(path, 'utf8')).toBe('LINE one\nLINE two\nfoo bar\nLINE four\nFOO again\n');
  });

  it('refuses an ambiguous, missing or unchanged old_string and leaves the file alone', async () => {
    const ambiguous = await runTool(edit, { file_path: path, old_string: 'line', new_string: 'LINE' }, cwd);
    expect(ambiguous).toEqual({
      content:
        '<tool_use_error>Found 3 matches of the string to replace, but replace_all is false. To replace all occurrences, set replace_all to true. To replace only one occurrence, please provide more context to uniquely identify the instance.\nString: line</tool_use_error>',
      isError: true,
      structured:
        'Error: Found 3 matches of the string to replace, but replace_all is false. To replace all occurrences, set replace_all to true. To replace only one occurrence, please provide more context to uniquely identify the instance.\nString: line',
    });
    expect(await runTool(edit, { file_path: path, old_string: 'zzz', new_string: 'y' }, cwd)).toMatchObject({
      isError: true,
      content: '<tool_use_error>String to replace not found in file.\nString: zzz</tool_use_error>',
    });
    expect(await runTool(edit, { file_path: path, old_string: 'line', new_string: 'line' }, cwd)).toMatchObject({
      isError: true,
      content: '<tool_use_error>No changes to make: old_string and new_string are exactly the same.</tool_use_error>',
    });
    expect(await runTool(edit, { file_path: join(cwd, 'missing.txt'), old_string: 'a', new_string: 'b' }, cwd)).toMatchObject({
      isError: true,
      content: `File does not exist. Note: your current working directory is ${cwd}.`,
    });
    expect(await readFile(path, 'utf8')).toBe(original);
  });

  it('keeps CRLF line endings, matching old_string written with \\n', async () => {
    const crlf = join(cwd, 'crlf.txt');
    await writeFile(crlf, 'alpha\r\nbeta\r\ngamma\r\n');
    const outcome = await runTool(edit, { file_path: crlf, old_string: 'beta\ngamma', new_string: 'BETA\nGAMMA\nDELTA' }, cwd);
    expect(outcome.isError).toBeUndefined();
    expect(outcome.structured).toMatchObject({
      originalFile: 'alpha\nbeta\ngamma\n',
      structuredPatch: [{ oldStart: 1, oldLines: 3, newStart: 1, newLines: 4, lines: [' alpha', '-beta', '-gamma', '+BETA', '+GAMMA', '+DELTA'] }],
    });
    expect(await readFile(crlf, 'utf8')).toBe('alpha\r\nBETA\r\nGAMMA\r\nDELTA\r\n');
  });

  it('keeps a UTF-16LE file with its byte-order mark', async () => {
    const utf16 = join(cwd, 'utf16.txt');
    await writeFile(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('héllo\r\nwörld\r\n', 'utf16le')]));
    const outcome = await runTool(edit, { file_path: utf16, old_string: 'wörld', new_string: 'welt' }, cwd);
    expect(outcome.isError).toBeUndefined();
    expect(await readFile(utf16)).toEqual(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('héllo\r\nwelt\r\n', 'utf16le')]));
  });

  it('refuses a file with NUL bytes', async () => {
    const blob = join(cwd, 'blob.dat');
    await writeFile(blob, Buffer.from('a\0b'));
    expect(await runTool(edit, { file_path: blob, old_string: 'a', new_string: 'c' }, cwd)).toMatchObject({ isError: true, content: expect.stringContaining('NUL bytes') });
    expect(await readFile(blob)).toEqual(Buffer.from('a\0b'));
  });

  it('keeps `$` sequences in new_string literal', async () => {
    await runTool(edit, { file_path: path, old_string: 'foo bar', new_string: "$& $' $1" }, cwd);
    expect(await readFile(path, 'utf8')).toContain("\n$& $' $1\n");
  });

  it('creates a missing file from an empty old_string, and refuses that on a non-empty file', async () => {
    const created = join(cwd, 'sub/new.txt');
    const outcome = await runTool(edit, { file_path: created, old_string: '', new_string: 'created\n' }, cwd);
    expect(outcome.structured).toMatchObject({ originalFile: '', structuredPatch: [{ oldStart: 1, oldLines: 0, newStart: 1, newLines: 1, lines: ['+created'] }] });
    expect(await readFile(created, 'utf8')).toBe('created\n');
    expect(await runTool(edit, { file_path: path, old_string: '', new_string: 'x' }, cwd)).toMatchObject({
      isError: true,
      content: '<tool_use_error>Cannot create new file - file already exists.</tool_use_error>',
    });
  });

  it('declares an edit of the resolved path', () => {
    expect(edit.access?.({ file_path: path, old_string: 'a', new_string: 'b' }, cwd)).toEqual({ kind: 'edit', paths: [path] });
  });
});
