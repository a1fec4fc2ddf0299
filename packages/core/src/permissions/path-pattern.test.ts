import { describe, expect, it } from 'vitest';
import { isInsideDirectories, pathMatchesPattern } from './path-pattern.js';

const anchors = { cwd: '/work/project', home: '/home/ada' };

describe('pathMatchesPattern', () => {
  it('anchors ./x and x/y at the working directory', () => {
    expect(pathMatchesPattern('/work/project/src/a.ts', './src/**', anchors)).toBe(true);
    expect(pathMatchesPattern('/work/project/src/deep/a.ts', 'src/**/*.ts', anchors)).toBe(true);
    expect(pathMatchesPattern('/work/project/lib/src/a.ts', './src/**', anchors)).toBe(false);
    expect(pathMatchesPattern('/work/other/src/a.ts', './src/**', anchors)).toBe(false);
  });

  it('anchors /x at the project root (the working directory), //x at the filesystem root, ~/x at home', () => {
    expect(pathMatchesPattern('/work/project/src/a.ts', '/src/*.ts', anchors)).toBe(true);
    expect(pathMatchesPattern('/src/a.ts', '/src/*.ts', anchors)).toBe(false);
    expect(pathMatchesPattern('/etc/passwd', '//etc/**', anchors)).toBe(true);
    expect(pathMatchesPattern('/work/project/etc/passwd', '//etc/**', anchors)).toBe(false);
    expect(pathMatchesPattern('/home/ada/.ssh/id_rsa', '~/.ssh/**', anchors)).toBe(true);
    expect(pathMatchesPattern('/work/project/.ssh/id_rsa', '~/.ssh/**', anchors)).toBe(false);
  });

  it('matches a pattern without slash at any depth, like gitignore', () => {
    expect(pathMatchesPattern('/work/project/.env', '.env', anchors)).toBe(true);
    expect(pathMatchesPattern('/work/project/app/prod.env', '*.env', anchors)).toBe(true);
    expect(pathMatchesPattern('/work/project/app/env.txt', '*.env', anchors)).toBe(false);
  });

  it('keeps * and ? within one name and covers the contents of a matched directory', () => {
    expect(pathMatchesPattern('/work/project/src/a/b.ts', './src/*.ts', anchors)).toBe(false);
    expect(pathMatchesPattern('/work/project/a1.ts', './a?.ts', anchors)).toBe(true);
    expect(pathMatchesPattern('/work/project/secrets/key.pem', './secrets', anchors)).toBe(true);
    expect(pathMatchesPattern('/work/project/secrets-public/x', './secrets', anchors)).toBe(false);
    expect(pathMatchesPattern('/work/project/f1.txt', './f[0-9].txt', anchors)).toBe(true);
  });
});

describe('isInsideDirectories', () => {
  it('accepts the directory itself and paths below it, not siblings with a common prefix', () => {
    expect(isInsideDirectories('/work/project', ['/work/project'])).toBe(true);
    expect(isInsideDirectories('/work/project/a/../b', ['/work/project'])).toBe(true);
    expect(isInsideDirectories('/work/project-2/a', ['/work/project'])).toBe(false);
    expect(isInsideDirectories('/work/project/../x', ['/work/project'])).toBe(false);
  });
});
