import {
  InvalidArgumentError,
  InvalidSessionKeyError,
  SessionConflictError,
  SessionNotFoundError,
  StoreCapabilityError,
  StoreUnavailableError,
} from '@sdk/core';
import { UsageError } from './cli-errors.js';

/**
 * The exit codes of `sdk-sessions`. Scripts may rely on them: they are part of the public
 * interface and only ever gain new values.
 */
export const ExitCode = {
  /** The command did what it was asked. */
  ok: 0,
  /** Anything else went wrong (a store error, a corrupt transcript, a migration with failures). */
  failure: 1,
  /** Bad usage: unknown command or option, missing argument, malformed or unknown store URL. */
  usage: 2,
  /** The session (or the entry named in the request) does not exist. */
  notFound: 3,
  /** The store could not be reached or timed out. Retrying later may succeed. */
  storeUnavailable: 4,
  /** The store lacks a method the command needs (for example `delete` or `listSessions`). */
  unsupported: 5,
  /** The destination holds different data under the same session (import, migrate). */
  conflict: 6,
  /** Stopped by SIGINT before finishing (as shells report 128 + SIGINT). */
  interrupted: 130,
} as const;

/** One of {@link ExitCode}'s values. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code that reports `error`; errors of unknown kinds are failures. */
export function exitCodeOf(error: unknown): ExitCodeValue {
  if (error instanceof UsageError || error instanceof InvalidArgumentError || error instanceof InvalidSessionKeyError) {
    return ExitCode.usage;
  }
  if (error instanceof SessionNotFoundError) return ExitCode.notFound;
  if (error instanceof StoreUnavailableError) return ExitCode.storeUnavailable;
  if (error instanceof StoreCapabilityError) return ExitCode.unsupported;
  if (error instanceof SessionConflictError) return ExitCode.conflict;
  return ExitCode.failure;
}
