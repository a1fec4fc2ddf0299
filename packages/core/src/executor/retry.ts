import { APIConnectionError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import type { SDKAssistantMessageError } from '../messages.js';

/**
 * Retry policy of Messages API calls. The executor owns the retry loop (the client is called with
 * `maxRetries: 0`) so every retry is reported as an `api_retry` message and a failed attempt never
 * reaches the store.
 */
export type RetryPolicy = {
  /** Retries after the first attempt. Default 8. */
  maxRetries: number;
  /** Delay before the first retry, doubled for each further one. Default 500 ms. */
  initialDelayMs: number;
  /** Cap of the exponential delay (not of `retry-after`). Default 32 s. */
  maxDelayMs: number;
  /** Fraction of each delay that is randomized away (0 = none, 1 = full jitter). Default 0.25. */
  jitter: number;
  /** Longest `retry-after` honoured; a longer one ends the turn instead of waiting. Default 5 min. */
  maxRetryAfterMs: number;
  /** Source of randomness for the jitter, in [0, 1). Default `Math.random`. */
  random: () => number;
};

/** Defaults of {@link RetryPolicy}. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxRetries: 8,
  initialDelayMs: 500,
  maxDelayMs: 32_000,
  jitter: 0.25,
  maxRetryAfterMs: 300_000,
  random: Math.random,
});

/** How a failed API call is handled. */
export type ApiFailure = {
  retryable: boolean;
  /** HTTP status, `null` for connection errors and broken streams. */
  status: number | null;
  /** The official SDK's error category. */
  kind: SDKAssistantMessageError;
  /** Server-requested wait, from `retry-after-ms` or `retry-after`. */
  retryAfterMs?: number;
  /** A sentence saying what went wrong, for `errors` of the result. */
  message: string;
};

/** A stream that ended without `message_stop`: the connection was cut mid-message. */
export class IncompleteStreamError extends Error {
  constructor(message = 'the response stream ended before message_stop') {
    super(message);
    this.name = 'IncompleteStreamError';
  }
}

function retryAfterOf(headers: Headers | undefined): number | undefined {
  if (headers === undefined) return undefined;
  const milliseconds = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') !== null && Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = headers.get('retry-after');
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function kindOfStatus(status: number, errorType: string | undefined): SDKAssistantMessageError {
  if (status === 429 || errorType === 'rate_limit_error') return 'rate_limit';
  if (status === 529 || errorType === 'overloaded_error') return 'overloaded';
  if (status === 401) return 'authentication_failed';
  if (status === 402) return 'billing_error';
  if (status === 404) return 'model_not_found';
  if (status === 400 || status === 413 || status === 422) return 'invalid_request';
  if (status >= 500) return 'server_error';
  return 'unknown';
}

function errorTypeOf(errorBody: unknown): string | undefined {
  const body = errorBody as { error?: { type?: unknown }; type?: unknown } | undefined;
  const type = body?.error?.type ?? body?.type;
  return typeof type === 'string' ? type : undefined;
}

/** Classifies a failure of one API call: retry it or end the turn. */
export function classifyApiFailure(error: unknown): ApiFailure {
  if (error instanceof APIUserAbortError) {
    return { retryable: false, status: null, kind: 'unknown', message: 'the request was aborted' };
  }
  if (error instanceof APIConnectionError) {
    return { retryable: true, status: null, kind: 'unknown', message: `connection error: ${error.message}` };
  }
  if (error instanceof APIError) {
    const errorType = errorTypeOf(error.error);
    const status = typeof error.status === 'number' ? error.status : null;
    if (status === null) {
      // An SSE `error` event inside a 200 stream: the API's own transient failures.
      const retryable = errorType === undefined || ['overloaded_error', 'api_error', 'rate_limit_error', 'timeout_error'].includes(errorType);
      return { retryable, status: null, kind: kindOfStatus(0, errorType), message: `stream error ${errorType ?? ''}: ${error.message}`.replace('  ', ' ') };
    }
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    const retryAfterMs = retryAfterOf(error.headers as Headers | undefined);
    const failure: ApiFailure = {
      retryable,
      status,
      kind: kindOfStatus(status, errorType),
      message: `API error ${status}${errorType === undefined ? '' : ` ${errorType}`}: ${error.message}`,
    };
    if (retryAfterMs !== undefined) failure.retryAfterMs = retryAfterMs;
    return failure;
  }
  // Anything else thrown while reading the stream (a socket torn mid-body, a parse error of a cut
  // frame) is a broken transport: retry it.
  const message = error instanceof Error ? error.message : String(error);
  return { retryable: true, status: null, kind: 'unknown', message: `stream interrupted: ${message}` };
}

/**
 * The wait before retry number `attempt` (1-based): exponential with jitter, but never shorter than
 * what the server asked for with `retry-after`.
 */
export function retryDelay(attempt: number, policy: RetryPolicy, retryAfterMs?: number): number {
  const exponential = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = exponential * (1 - policy.jitter * policy.random());
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}

/** Resolves after `milliseconds`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(milliseconds: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason as Error);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
