import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertValidProjectKey } from '@sdk/core';
import { FileSessionStore } from '@sdk/store-file';
import { StoreUrlError } from '../cli-errors.js';
import type { OpenedStore } from '../opened-store.js';

/**
 * `file:///abs/path`: a Claude config folder (the one holding `projects/`). Bare `file:` (or
 * `file://`) means the default one: `CLAUDE_CONFIG_DIR`, else `~/.claude`, where Claude Code and
 * the official SDK keep their sessions.
 */
export async function openFileStore(url: URL, text: string): Promise<OpenedStore> {
  if (url.search || url.hash) throw new StoreUrlError(`file store URLs take no parameters: ${JSON.stringify(text)}`);
  if (url.host && url.host !== 'localhost') {
    throw new StoreUrlError(`file store URLs name a local folder: file:///abs/path, not ${JSON.stringify(text)} (host "${url.host}")`);
  }
  const bare = /^file:(\/\/)?$/i.test(text);
  let root: string | undefined;
  if (!bare) {
    try {
      root = fileURLToPath(url);
    } catch (error) {
      throw new StoreUrlError(`invalid file store URL ${JSON.stringify(text)}: ${(error as Error).message}`);
    }
  }
  const store = new FileSessionStore(root === undefined ? {} : { root });
  const projects = join(store.root, 'projects');
  return {
    store,
    displayUrl: text,
    async listProjects() {
      try {
        const entries = await readdir(projects, { withFileTypes: true });
        return entries.filter((entry) => entry.isDirectory() && isProjectKey(entry.name)).map((entry) => entry.name).sort();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
    },
    close: () => store.flush(),
  };
}

function isProjectKey(name: string): boolean {
  try {
    assertValidProjectKey(name);
    return true;
  } catch {
    return false;
  }
}
