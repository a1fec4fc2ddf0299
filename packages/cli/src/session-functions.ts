import { createSessionFunctions } from '@sdk/core';
import type { SessionFunctions } from '@sdk/core';

/**
 * The official session functions, used with an explicit (project-pinned) store on every call, so
 * the CLI lists, renames, tags, forks and deletes exactly as the official SDK does over a store.
 */
export const sessionFunctions: SessionFunctions = createSessionFunctions();
