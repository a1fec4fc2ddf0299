/**
 * Sessions as Claude Code JSONL transcripts on the local file system.
 *
 * @module @sdk/store-file
 */
export { FileSessionStore } from './file-session-store.js';
export type { FileSessionStoreOptions } from './file-session-store.js';
export type { CorruptLine } from './transcript-parser.js';
