// `@sdk/store-memory`: sessions in process memory, for tests and single-process use.
export { InMemorySessionStore } from './in-memory-session-store.js';
export type { InMemorySessionStoreOptions } from './in-memory-session-store.js';
