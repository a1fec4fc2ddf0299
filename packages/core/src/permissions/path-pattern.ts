import { homedir } from 'node:os';
import { realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve, sep } from 'node:path';

/** Where relative parts of a path rule are anchored. */
export type PathAnchors = { cwd: string; home?: string };

/**
 * Does `path` (absolute) match the path content of a `Read(…)` / `Edit(…)` rule? The official
 * gitignore-style anchors: `//abs` is absolute from the filesystem root, `~/x` is under the home
 * directory, `/x` is under the project root (here: the working directory, as the SDK has no
 * settings file to be relative to), `./x` and `x` are under the working directory. A pattern
 * without a `/` (other than a trailing one) matches at any depth, as in gitignore (`*.env`). `**`
 * spans directories, `*` and `?` stay within one name. A pattern that matches a directory matches
 * everything inside it (`Read(./secrets)` covers `secrets/key`).
 */
export function pathMatchesPattern(path: string, pattern: string, anchors: PathAnchors): boolean {
  const expression = patternExpression(pattern, anchors);
  let candidate = resolve(path);
  for (;;) {
    if (expression.test(candidate)) return true;
    const parent = resolve(candidate, '..');
    if (parent === candidate) return false;
    candidate = parent;
  }
}

/**
 * Is `path` the directory itself or inside one of `directories`? Compared where they physically
 * are: symbolic links in either are followed (as far as the path exists), so a link inside the
 * working directory that points outside it does not count as inside.
 */
export function isInsideDirectories(path: string, directories: readonly string[]): boolean {
  const target = physicalPath(path);
  return directories.some((directory) => {
    const root = physicalPath(directory);
    return target === root || target.startsWith(root.endsWith(sep) ? root : root + sep);
  });
}

/** `path` with every symbolic link of its existing part resolved; the part that does not exist yet is kept as written. */
export function physicalPath(path: string): string {
  const missing: string[] = [];
  let current = resolve(path);
  for (;;) {
    try {
      return join(realpathSync.native(current), ...missing);
    } catch {
      const parent = dirname(current);
      if (parent === current) return resolve(path);
      missing.unshift(basename(current));
      current = parent;
    }
  }
}

function patternExpression(pattern: string, anchors: PathAnchors): RegExp {
  const home = anchors.home ?? homedir();
  let base: string;
  let rest: string;
  if (pattern.startsWith('//')) [base, rest] = ['/', pattern.slice(2)];
  else if (pattern === '~' || pattern.startsWith('~/')) [base, rest] = [home, pattern.slice(2)];
  else if (pattern.startsWith('/')) [base, rest] = [anchors.cwd, pattern.slice(1)];
  else if (pattern.startsWith('./')) [base, rest] = [anchors.cwd, pattern.slice(2)];
  else if (isAbsolute(pattern)) [base, rest] = ['/', pattern.slice(1)];
  else {
    base = anchors.cwd;
    const unanchored = !pattern.replace(/\/+$/, '').includes('/');
    rest = unanchored ? `**/${pattern}` : pattern;
  }
  rest = rest.replace(/\/+$/, '');
  const root = resolve(base);
  if (rest === '') return new RegExp(`^${escapeRegExp(root)}$`);
  return new RegExp(`^${escapeRegExp(root.endsWith(sep) ? root : root + sep)}${globSource(rest)}$`);
}

function globSource(glob: string): string {
  let source = '';
  for (let index = 0; index < glob.length; index += 1) {
    const character = glob.charAt(index);
    if (character === '*' && glob.charAt(index + 1) === '*') {
      const slash = glob.charAt(index + 2) === '/';
      // `**/` may match no directory at all; a final `**` matches anything below.
      source += slash ? '(?:[^/]*/)*' : '.*';
      index += slash ? 2 : 1;
    } else if (character === '*') source += '[^/]*';
    else if (character === '?') source += '[^/]';
    else if (character === '[') {
      const close = glob.indexOf(']', index + 1);
      if (close === -1) source += '\\[';
      else {
        source += `[${glob.slice(index + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        index = close;
      }
    } else source += escapeRegExp(character);
  }
  return source;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
