import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { projectKeyForPath } from './store/project-key.js';

/**
 * The project key the official SDK files a working directory's sessions under
 * (`~/.claude/projects/<key>/`): the directory is resolved and its symlinks followed (the
 * resolved path is kept when it does not exist), then sanitized by {@link projectKeyForPath}.
 */
export function projectKeyForDirectory(directory: string = process.cwd()): string {
  const absolute = resolve(directory);
  let canonical = absolute;
  try {
    canonical = realpathSync(absolute);
  } catch {
    // A directory that does not exist (yet) keeps its resolved spelling, as in the official SDK.
  }
  if (process.platform === 'darwin') canonical = canonical.normalize('NFC');
  return projectKeyForPath(canonical);
}
