import { InvalidArgumentError, SdkError } from '@sdk/core';

/**
 * The command line is unusable: an unknown command or option, a missing or malformed argument.
 * Reported with the command's usage, exit code 2.
 */
export class UsageError extends SdkError {
  static override readonly brand: string = '@sdk/cli/UsageError';
  constructor(
    message: string,
    /** The command whose usage to show; undefined for the program as a whole. */
    readonly command?: string,
  ) {
    super(message);
  }
}

/** A store URL is malformed, names an unknown scheme, or carries parameters the scheme rejects (exit code 2). */
export class StoreUrlError extends InvalidArgumentError {
  static override readonly brand: string = '@sdk/cli/StoreUrlError';
  constructor(message: string) {
    super(message, 'store');
  }
}
