import { mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectKeyForPath } from '../store/project-key.js';
import { projectScope } from './project-scope.js';

describe('projectScope', () => {
  let scratch: string;
  beforeAll(async () => {
    scratch = await realpath(await mkdtemp(join(tmpdir(), 'project-scope-')));
  });
  afterAll(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('resolves the directory, following symlinks, and derives the key from it', async () => {
    const link = join(scratch, 'link');
    await symlink(scratch, link);
    expect(projectScope(link, {})).toEqual({ directory: scratch, projectKey: projectKeyForPath(scratch) });
    expect(projectScope(join(scratch, 'missing'), {}).directory).toBe(join(scratch, 'missing'));
  });

  it('defaults to the current directory', () => {
    expect(projectScope(undefined, {})).toEqual(projectScope(process.cwd(), {}));
  });

  it('takes CLAUDE_CODE_PROJECT_DIR_NAME only with CLAUDE_CONFIG_DIR and only when it is a safe name', () => {
    const key = (environment: Record<string, string>) => projectScope(scratch, environment).projectKey;
    expect(key({ CLAUDE_CONFIG_DIR: '/c', CLAUDE_CODE_PROJECT_DIR_NAME: 'tenant_1' })).toBe('tenant_1');
    expect(key({ CLAUDE_CODE_PROJECT_DIR_NAME: 'tenant_1' })).toBe(projectKeyForPath(scratch));
    expect(key({ CLAUDE_CONFIG_DIR: '/c', CLAUDE_CODE_PROJECT_DIR_NAME: '../etc' })).toBe(projectKeyForPath(scratch));
    expect(key({ CLAUDE_CONFIG_DIR: '/c', CLAUDE_CODE_PROJECT_DIR_NAME: 'NUL' })).toBe(projectKeyForPath(scratch));
    expect(key({ CLAUDE_CONFIG_DIR: '/c', CLAUDE_CODE_PROJECT_DIR_NAME: 'x'.repeat(65) })).toBe(projectKeyForPath(scratch));
  });
});
