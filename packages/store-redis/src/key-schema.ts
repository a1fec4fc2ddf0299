import { SessionStoreError } from '@sdk/core/store';
import type { SessionRef } from '@sdk/core/store';

/** The prefix used when none is given. */
export const DEFAULT_PREFIX = 'claude-sessions';

const PREFIX = /^[A-Za-z0-9_.-][A-Za-z0-9_.:-]{0,99}$/;

/**
 * Throws `SessionStoreError` unless `prefix` can start key names safely: no braces (they would
 * change the hash tag), no pattern characters, no whitespace, at most 100 characters.
 */
export function assertValidPrefix(prefix: string): void {
  if (!PREFIX.test(prefix)) {
    throw new SessionStoreError(
      `prefix ${JSON.stringify(prefix)} may contain only letters, digits, '-', '_', '.' and ':' (not leading), at most 100 characters`,
    );
  }
}

/**
 * The key names of one session. All of them start with the same hash tag, so Redis Cluster keeps
 * them in one slot and a script may touch any of them; the project index lives elsewhere.
 */
export type SessionKeys = {
  /** `{prefix:projectKey:sessionId}`: the hash-tagged base; the scripts derive subkey names from it. */
  base: string;
  log: string;
  ids: string;
  meta: string;
  subkeys: string;
  subMeta: string;
  lease: string;
  /** A list holding one element for a moment after each lease release: what waiting workers block on. */
  wake: string;
};

/** Key names of the session `ref` under `prefix`. */
export function sessionKeys(prefix: string, ref: SessionRef): SessionKeys {
  const base = `{${prefix}:${ref.projectKey}:${ref.sessionId}}`;
  return {
    base,
    log: `${base}:log`,
    ids: `${base}:ids`,
    meta: `${base}:meta`,
    subkeys: `${base}:subkeys`,
    subMeta: `${base}:submeta`,
    lease: `${base}:lease`,
    wake: `${base}:wake`,
  };
}

/** The list holding the transcript at `subpath`; mirrored by `transcriptKeys` in the scripts. */
export function subLogKey(keys: SessionKeys, subpath: string): string {
  return `${keys.base}:sub:${subpath}`;
}

/** The set of uuids stored under `subpath`. */
export function subIdsKey(keys: SessionKeys, subpath: string): string {
  return `${keys.base}:subids:${subpath}`;
}

/** The project's session index: a sorted set of session ids, outside any session's slot. */
export function projectIndexKey(prefix: string, projectKey: string): string {
  return `${prefix}:${projectKey}:sessions`;
}
