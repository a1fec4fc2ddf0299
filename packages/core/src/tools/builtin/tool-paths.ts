import { isAbsolute, relative, resolve, sep } from 'node:path';

/** A path from tool input, made absolute against the working directory (as the CLI does with relative paths). */
export function resolveToolPath(path: string, cwd: string): string {
  return resolve(cwd, path);
}

/** A path as search tools print it: relative when it lies under the working directory, else absolute. */
export function displayPath(absolutePath: string, cwd: string): string {
  const fromCwd = relative(cwd, absolutePath);
  if (fromCwd === '' || fromCwd === '..' || fromCwd.startsWith(`..${sep}`) || isAbsolute(fromCwd)) return absolutePath;
  return fromCwd;
}

/** The sentence the CLI appends to "does not exist" errors so the model can fix a relative path. */
export function cwdNote(cwd: string): string {
  return `Note: your current working directory is ${cwd}.`;
}
