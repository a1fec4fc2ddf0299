import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { projectKeyForPath } from '../store/project-key.js';

/**
 * Where the session functions look for a session: the directory as the official SDK resolves it
 * (absolute, symlinks followed, NFC on macOS) and the project key of that directory.
 */
export type ProjectScope = { directory: string; projectKey: string };

const PROJECT_DIRECTORY_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const WINDOWS_RESERVED_NAME = /^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

/**
 * Resolves `dir` (default: the current directory) as the official session functions do. With
 * `CLAUDE_CONFIG_DIR` set, a valid `CLAUDE_CODE_PROJECT_DIR_NAME` replaces the derived key, as it
 * does for the official SDK.
 */
export function projectScope(dir: string | undefined, environment: NodeJS.ProcessEnv = process.env): ProjectScope {
  const absolute = resolve(dir ?? '.');
  let directory = absolute;
  try {
    directory = realpathSync(absolute);
  } catch {
    // A directory that does not exist keeps its resolved spelling, as in the official SDK.
  }
  if (process.platform === 'darwin') directory = directory.normalize('NFC');
  return { directory, projectKey: projectKeyOverride(environment) ?? projectKeyForPath(directory) };
}

function projectKeyOverride(environment: NodeJS.ProcessEnv): string | undefined {
  if (!environment.CLAUDE_CONFIG_DIR) return undefined;
  const name = environment.CLAUDE_CODE_PROJECT_DIR_NAME;
  if (!name || !PROJECT_DIRECTORY_NAME.test(name) || WINDOWS_RESERVED_NAME.test(name)) return undefined;
  return name;
}
