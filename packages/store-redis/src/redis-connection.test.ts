import { SessionStoreError, StoreUnavailableError } from '@sdk/core/store';
import { ErrorReply } from 'redis';
import { describe, expect, it } from 'vitest';
import { RedisConnection, reconnectDelay, toStoreError } from './redis-connection.js';

describe('error mapping', () => {
  it('reports transient server states and lost connections as unavailability', () => {
    for (const message of ['LOADING Redis is loading', 'CLUSTERDOWN The cluster is down', 'TRYAGAIN later', 'MASTERDOWN link down']) {
      const error = toStoreError(new ErrorReply(message), 'append');
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect(error.cause).toBeInstanceOf(ErrorReply);
    }
    expect(toStoreError(new Error('Socket closed unexpectedly'), 'load')).toBeInstanceOf(StoreUnavailableError);
  });

  it('reports other error replies as store errors that are not unavailability', () => {
    for (const message of ['READONLY You can\'t write against a read only replica.', 'MOVED 3999 127.0.0.1:6381', 'OOM command not allowed']) {
      const error = toStoreError(new ErrorReply(message), 'append');
      expect(error).toBeInstanceOf(SessionStoreError);
      expect(error).not.toBeInstanceOf(StoreUnavailableError);
      expect(error.message).toContain(message.split(' ', 1)[0]);
    }
  });

  it('passes store errors through unchanged', () => {
    const original = new SessionStoreError('already typed');
    expect(toStoreError(original, 'load')).toBe(original);
  });
});

describe('reconnect delay', () => {
  it('grows with the attempts and stays capped at 2 s', () => {
    expect(reconnectDelay(0)).toBeLessThanOrEqual(50);
    expect(reconnectDelay(3)).toBeGreaterThanOrEqual(200);
    for (let attempt = 0; attempt < 50; attempt++) expect(reconnectDelay(attempt)).toBeLessThanOrEqual(2000);
    expect(reconnectDelay(40)).toBeGreaterThanOrEqual(1000);
  });
});

describe('deadlines', () => {
  /** A client whose replies the test gives, by the command's first argument. */
  function fakeClient(): { client: { isOpen: boolean; sendCommand(args: string[]): Promise<unknown> }; answer(name: string, value: unknown): void } {
    const waiting = new Map<string, (value: unknown) => void>();
    return {
      client: { isOpen: true, sendCommand: (args) => new Promise((resolve) => waiting.set(args[0]!, resolve)) },
      answer: (name, value) => waiting.get(name)?.(value),
    };
  }

  it('fails each unanswered call at its own deadline, and only those', async () => {
    const { client, answer } = fakeClient();
    const connection = new RedisConnection({ client }, 200);
    const started = performance.now();
    const first = connection.send('first', undefined, true, ['FIRST']).then(
      () => 'answered',
      (error: unknown) => ({ error, after: performance.now() - started }),
    );
    await new Promise((resolve) => setTimeout(resolve, 100));
    const second = connection.send('second', undefined, true, ['SECOND']).then(
      () => 'answered',
      (error: unknown) => ({ error, after: performance.now() - started }),
    );
    const answered = connection.send('third', undefined, true, ['THIRD']);
    answer('THIRD', 'ok');
    expect(await answered).toBe('ok');
    const [one, two] = (await Promise.all([first, second])) as Array<{ error: unknown; after: number }>;
    expect(one!.error).toBeInstanceOf(StoreUnavailableError);
    expect(two!.error).toBeInstanceOf(StoreUnavailableError);
    // The second call's deadline is its own, not the first's, which armed the shared timer.
    expect(one!.after).toBeGreaterThanOrEqual(190);
    expect(two!.after).toBeGreaterThanOrEqual(290);
    // A late answer changes nothing, and the connection keeps serving calls.
    answer('FIRST', 'late');
    const next = connection.send('fourth', undefined, true, ['FOURTH']);
    answer('FOURTH', 4);
    expect(await next).toBe(4);
  });
});
