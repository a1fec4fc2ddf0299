import type { SessionKey, SessionRef, SessionStoreEntry } from '@sdk/core';
import type { AppendCondition, AppendResult } from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';
import { StoreUrlError } from '../cli-errors.js';
import type { OpenedStore } from '../opened-store.js';

/** An in-memory store that remembers the projects written to, so commands can list them. */
class ListableMemoryStore extends InMemorySessionStore {
  readonly projects = new Set<string>();

  override async append(key: SessionKey, entries: SessionStoreEntry[]): Promise<void> {
    await super.append(key, entries);
    if (entries.length > 0) this.projects.add(key.projectKey);
  }

  override async appendIf(key: SessionKey, entries: SessionStoreEntry[], condition: AppendCondition): Promise<AppendResult> {
    const result = await super.appendIf(key, entries, condition);
    if (entries.length > 0) this.projects.add(key.projectKey);
    return result;
  }

  override async fork(source: SessionRef, targetSessionId: string, options?: { upToUuid?: string }): Promise<void> {
    await super.fork(source, targetSessionId, options);
    this.projects.add(source.projectKey);
  }
}

/**
 * Stores of `memory:` URLs, one per name, shared by every command of this process: `memory:` and
 * `memory:<name>` survive from one {@link run} call to the next (and vanish with the process).
 */
const stores = new Map<string, ListableMemoryStore>();

/** `memory:` or `memory:<name>`: a process-wide in-memory store, for tests and embedding. */
export async function openMemoryStore(url: URL, text: string): Promise<OpenedStore> {
  if (url.search || url.hash || url.host) throw new StoreUrlError(`memory store URLs are memory: or memory:<name>, not ${JSON.stringify(text)}`);
  const name = url.pathname;
  let store = stores.get(name);
  if (!store) {
    store = new ListableMemoryStore();
    stores.set(name, store);
  }
  const opened = store;
  return {
    store: opened,
    displayUrl: text,
    listProjects: async () => {
      const projects: string[] = [];
      for (const projectKey of [...opened.projects].sort()) {
        if ((await opened.listSessions(projectKey)).length > 0) projects.push(projectKey);
      }
      return projects;
    },
    close: async () => undefined,
  };
}
