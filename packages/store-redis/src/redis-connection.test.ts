import { SessionStoreError, StoreUnavailableError } from '@sdk/core/store';
import { ErrorReply } from 'redis';
import { describe, expect, it } from 'vitest';
import { reconnectDelay, toStoreError } from './redis-connection.js';

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
