import type { SessionKey, SessionRef, SessionStore } from '@sdk/core';

/**
 * A view of `store` in which every project key is `projectKey`. The official session functions
 * derive the project from a directory; the CLI knows the project key itself, so it hands them this
 * view and they read and write the right project whatever directory they derive.
 */
export function projectPinnedStore(store: SessionStore, projectKey: string): SessionStore {
  const pin = <K extends SessionKey | SessionRef>(key: K): K => ({ ...key, projectKey });
  const view: SessionStore = {
    append: (key, entries) => store.append(pin(key), entries),
    load: (key) => store.load(pin(key)),
  };
  // Optional methods are copied only when present: the session functions test for them.
  if (store.listSessions) {
    const listSessions = store.listSessions.bind(store);
    view.listSessions = () => listSessions(projectKey);
  }
  if (store.listSessionSummaries) {
    const listSessionSummaries = store.listSessionSummaries.bind(store);
    view.listSessionSummaries = () => listSessionSummaries(projectKey);
  }
  if (store.delete) {
    const remove = store.delete.bind(store);
    view.delete = (key) => remove(pin(key));
  }
  if (store.listSubkeys) {
    const listSubkeys = store.listSubkeys.bind(store);
    view.listSubkeys = (key) => listSubkeys(pin(key));
  }
  return view;
}
