import { APIConnectionError, APIError, APIUserAbortError } from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { classifyApiFailure, DEFAULT_RETRY_POLICY, IncompleteStreamError, retryDelay, sleep } from './retry.js';

const apiError = (status: number | undefined, type: string, headers: Record<string, string> = {}) =>
  APIError.generate(status, { type: 'error', error: { type, message: 'boom' } }, 'boom', new Headers(headers));

describe('classifyApiFailure', () => {
  it('retries 429, 529, 5xx and connection errors, not 400/401', () => {
    expect(classifyApiFailure(apiError(429, 'rate_limit_error'))).toMatchObject({ retryable: true, status: 429, kind: 'rate_limit' });
    expect(classifyApiFailure(apiError(529, 'overloaded_error'))).toMatchObject({ retryable: true, status: 529, kind: 'overloaded' });
    expect(classifyApiFailure(apiError(503, 'api_error'))).toMatchObject({ retryable: true, kind: 'server_error' });
    expect(classifyApiFailure(new APIConnectionError({ message: 'reset' }))).toMatchObject({ retryable: true, status: null });
    expect(classifyApiFailure(new IncompleteStreamError())).toMatchObject({ retryable: true, status: null });
    const badRequest = classifyApiFailure(apiError(400, 'invalid_request_error'));
    expect(badRequest).toMatchObject({ retryable: false, status: 400, kind: 'invalid_request' });
    expect(badRequest.message).toContain('400 invalid_request_error');
    expect(classifyApiFailure(apiError(401, 'authentication_error'))).toMatchObject({ retryable: false, kind: 'authentication_failed' });
    expect(classifyApiFailure(new APIUserAbortError())).toMatchObject({ retryable: false });
  });

  it('reads retry-after in seconds and retry-after-ms', () => {
    expect(classifyApiFailure(apiError(429, 'rate_limit_error', { 'retry-after': '2' })).retryAfterMs).toBe(2000);
    expect(classifyApiFailure(apiError(529, 'overloaded_error', { 'retry-after-ms': '150' })).retryAfterMs).toBe(150);
  });

  it('retries transient SSE error events inside a 200 stream', () => {
    // How the client reports an SSE `error` event: an APIError without status.
    const sseError = (type: string) => new APIError(undefined, { type: 'error', error: { type, message: 'x' } }, undefined, new Headers());
    expect(classifyApiFailure(sseError('overloaded_error'))).toMatchObject({ retryable: true, status: null, kind: 'overloaded' });
    expect(classifyApiFailure(sseError('invalid_request_error'))).toMatchObject({ retryable: false });
  });
});

describe('retryDelay', () => {
  const policy = { ...DEFAULT_RETRY_POLICY, initialDelayMs: 100, maxDelayMs: 1000, jitter: 0.5 };

  it('doubles per attempt up to the cap, without jitter when random returns 0', () => {
    const fixed = { ...policy, random: () => 0 };
    expect([1, 2, 3, 4, 5, 6].map((attempt) => retryDelay(attempt, fixed))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('removes at most the jitter fraction', () => {
    expect(retryDelay(3, { ...policy, random: () => 0.999999 })).toBe(200);
    expect(retryDelay(3, { ...policy, random: () => 0.5 })).toBe(300);
  });

  it('never waits less than retry-after', () => {
    expect(retryDelay(1, { ...policy, random: () => 0 }, 5000)).toBe(5000);
  });
});

describe('sleep', () => {
  it('rejects promptly when the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const pending = sleep(10_000, controller.signal);
    setTimeout(() => controller.abort(new Error('stop')), 10);
    await expect(pending).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
