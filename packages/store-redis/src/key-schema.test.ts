import { SessionStoreError } from '@sdk/core/store';
import { describe, expect, it } from 'vitest';
import { assertValidPrefix, projectIndexKey, sessionKeys, subIdsKey, subLogKey } from './key-schema.js';

const ref = { projectKey: '-home-u-proj', sessionId: '3f2c9a0e-8b1d-4c5e-9f6a-1b2c3d4e5f60' };

/** The hash tag Redis Cluster hashes: the text between the first `{` and the next `}`. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = key.indexOf('}', open + 1);
  return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key;
}

describe('key schema', () => {
  it('puts every key of a session under one hash tag', () => {
    const keys = sessionKeys('tenant:a', ref);
    const names = [keys.log, keys.ids, keys.meta, keys.subkeys, keys.subMeta, keys.lease, subLogKey(keys, 'subagents/agent-1'), subIdsKey(keys, 'subagents/agent-1')];
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(names.map(hashTag))).toEqual(new Set([`tenant:a:${ref.projectKey}:${ref.sessionId}`]));
  });

  it('keeps the project index out of every session tag and apart per prefix', () => {
    expect(projectIndexKey('p', 'proj')).toBe('p:proj:sessions');
    expect(projectIndexKey('p', 'proj')).not.toBe(projectIndexKey('p:x', 'proj'));
    expect(hashTag(projectIndexKey('p', 'proj'))).toBe('p:proj:sessions');
  });

  it('refuses prefixes that could move keys to another slot or match patterns', () => {
    for (const prefix of ['', 'a{b}', 'a}', 'a*', 'a?', 'a[b]', 'a b', ':lead', 'x'.repeat(101)]) {
      expect(() => assertValidPrefix(prefix)).toThrow(SessionStoreError);
    }
    expect(() => assertValidPrefix('tenant-1:prod.v2')).not.toThrow();
  });
});
