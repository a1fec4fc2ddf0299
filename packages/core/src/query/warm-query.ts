import { InvalidArgumentError, SdkError } from '../errors.js';
import type { QueryFunction } from './create-query.js';
import type { Options } from './options.js';
import type { Query, SDKUserMessageInput } from './query-types.js';

/** A query prepared ahead of its prompt (official `startup()`): `query()` may be called once. */
export interface WarmQuery extends AsyncDisposable {
  /** Starts the query with its prompt; the options are the ones given to `startup()`. */
  query(prompt: string | AsyncIterable<SDKUserMessageInput>): Query;
  /** Gives the warm query up (and closes the query it started, if any). */
  close(): void;
}

/** The arguments of `startup()`. */
export type StartupParams = {
  options?: Options;
  /** Accepted for compatibility: nothing is spawned, so there is nothing to wait for. */
  initializeTimeoutMs?: number;
};

/**
 * Creates the official `startup()` for a `query()`. The official one spawns and initializes the
 * CLI before the prompt is known, to cut the first turn's latency; there is no process here, so
 * this only validates the options early and defers to `query()`.
 */
export function createStartup(query: QueryFunction): (params?: StartupParams) => Promise<WarmQuery> {
  return async function startup(params: StartupParams = {}): Promise<WarmQuery> {
    const options = params.options ?? {};
    // Validate now, as the official startup() fails before any prompt: a throwaway query is
    // built and closed at once (nothing runs until iteration).
    query({ prompt: '.', options }).close();
    let started: Query | undefined;
    let closed = false;
    return {
      query(prompt) {
        if (closed) throw new SdkError('WarmQuery.query(): the warm query was closed');
        if (started !== undefined) throw new InvalidArgumentError('WarmQuery.query() can only be called once', 'prompt');
        started = query({ prompt, options });
        return started;
      },
      close() {
        closed = true;
        started?.close();
      },
      async [Symbol.asyncDispose]() {
        closed = true;
        started?.close();
        await started?.return();
      },
    };
  };
}
