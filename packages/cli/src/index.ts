/**
 * The `sdk-sessions` command, runnable in-process, and the store URL registry.
 *
 * @module @sdk/cli
 */
export { run } from './main.js';
export type { CliIo, OutputStream } from './io.js';
export { ExitCode, exitCodeOf } from './exit-codes.js';
export type { ExitCodeValue } from './exit-codes.js';
export { redactStoreUrl, registeredStoreSchemes, registerStoreScheme } from './store-url.js';
export { openStore } from './open-store.js';
export type { StoreFactory } from './store-url.js';
export type { OpenedStore } from './opened-store.js';
export { StoreUrlError, UsageError } from './cli-errors.js';
export { copyTranscript } from './copy-transcript.js';
export type { CopyResult } from './copy-transcript.js';
export type { SessionRow } from './session-row.js';
