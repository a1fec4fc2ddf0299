/**
 * Sessions in process memory, for tests and single-process use.
 *
 * @module @sdk/store-memory
 */
export { InMemorySessionStore } from './in-memory-session-store.js';
export type { InMemorySessionStoreOptions } from './in-memory-session-store.js';
