import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runTool, useTempDirs } from './__fixtures__/tool-harness.js';
import { writeTool } from './write.js';

describe('Write', () => {
  const dirs = useTempDirs();
  let cwd: string;
  const write = writeTool();

  beforeEach(async () => {
    cwd = await dirs.create();
  });

  it('creates a file and its missing parent directories', async () => {
    const path = join(cwd, 'new/deep/n.txt');
    const outcome = await runTool(write, { file_path: path, content: 'hello\nworld\n' }, cwd);
    expect(outcome).toEqual({
      content: `File created successfully at: ${path}`,
      structured: { type: 'create', filePath: path, content: 'hello\nworld\n', structuredPatch: [], originalFile: null, userModified: false },
    });
    expect(await readFile(path, 'utf8')).toBe('hello\nworld\n');
  });

  it('replaces an existing file and reports the diff (no earlier Read needed)', async () => {
    const path = join(cwd, 'a.txt');
    await writeFile(path, 'one\ntwo\nthree\n');
    const outcome = await runTool(write, { file_path: path, content: 'one\nTWO\nthree\n' }, cwd);
    expect(outcome).toEqual({
      content: `The file ${path} has been updated successfully.`,
      structured: {
        type: 'update',
        filePath: path,
        content: 'one\nTWO\nthree\n',
        structuredPatch: [{ oldStart: 1, oldLines: 3, newStart: 1, newLines: 3, lines: [' one', '-two', '+TWO', ' three'] }],
        originalFile: 'one\ntwo\nthree\n',
        userModified: false,
      },
    });
    expect(await readFile(path, 'utf8')).toBe('one\nTWO\nthree\n');
  });

  it('reports errors as is_error results', async () => {
    await mkdir(join(cwd, 'dir'));
    expect(await runTool(write, { file_path: join(cwd, 'dir'), content: 'x' }, cwd)).toMatchObject({ isError: true, content: expect.stringContaining('is a directory') });
    expect(await runTool(write, { file_path: join(cwd, 'x.txt') }, cwd)).toMatchObject({
      isError: true,
      content: '<tool_use_error>The required parameter `content` is missing or not a string</tool_use_error>',
    });
    await writeFile(join(cwd, 'blob'), Buffer.from([0x41, 0, 0x42]));
    expect(await runTool(write, { file_path: join(cwd, 'blob'), content: 'x' }, cwd)).toMatchObject({ isError: true, content: expect.stringContaining('NUL bytes') });
    expect(await readFile(join(cwd, 'blob'))).toEqual(Buffer.from([0x41, 0, 0x42]));
  });

  it('declares an edit of the resolved path', () => {
    expect(write.access?.({ file_path: 'x/y.txt', content: '' }, cwd)).toEqual({ kind: 'edit', paths: [join(cwd, 'x/y.txt')] });
  });
});
