import type { SessionFunctions, SessionFunctionsOptions } from './session-functions.js';

/**
 * Creates the session functions. Each one works on `options.sessionStore` when a call passes one,
 * else on the configured default store. `@sdk/compat` configures the file store of `~/.claude`
 * (with `defaultStoreIsLocal`), which makes these the official functions.
 *
 * The project key is derived from `options.dir`, or the current directory when it is omitted,
 * exactly as the official SDK does when it is given a store.
 */
export function createSessionFunctions(configuration: SessionFunctionsOptions = {}): SessionFunctions {
  // The implementation (listing, transcript reading, forks, imports: a dozen modules) is loaded at
  // the first call: `@sdk/compat` creates these functions when it is imported, and most programs
  // only run queries. Every function is asynchronous, so nothing changes for the caller.
  let loaded: Promise<SessionFunctions> | undefined;
  const functions = (): Promise<SessionFunctions> =>
    (loaded ??= import('./session-functions.js').then((module) => module.createSessionFunctions(configuration)));
  return {
    listSessions: async (options) => (await functions()).listSessions(options),
    getSessionInfo: async (sessionId, options) => (await functions()).getSessionInfo(sessionId, options),
    getSessionMessages: async (sessionId, options) => (await functions()).getSessionMessages(sessionId, options),
    listSubagents: async (sessionId, options) => (await functions()).listSubagents(sessionId, options),
    getSubagentMessages: async (sessionId, agentId, options) => (await functions()).getSubagentMessages(sessionId, agentId, options),
    renameSession: async (sessionId, title, options) => (await functions()).renameSession(sessionId, title, options),
    tagSession: async (sessionId, tag, options) => (await functions()).tagSession(sessionId, tag, options),
    deleteSession: async (sessionId, options) => (await functions()).deleteSession(sessionId, options),
    forkSession: async (sessionId, options) => (await functions()).forkSession(sessionId, options),
    importSessionToStore: async (sessionId, store, options) => (await functions()).importSessionToStore(sessionId, store, options),
    archiveSession: async (sessionId, options) => (await functions()).archiveSession(sessionId, options),
    unarchiveSession: async (sessionId, options) => (await functions()).unarchiveSession(sessionId, options),
  };
}
