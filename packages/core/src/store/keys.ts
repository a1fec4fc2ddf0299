import { InvalidSessionKeyError } from '../errors.js';
import type { SessionKey, SessionRef } from './session-store.js';

/**
 * Session key validation, shared by core and every store.
 *
 * Keys become file paths (file store) and key names (Redis), so anything that could escape a
 * directory or match a pattern is refused before a store sees it: separators, `.`/`..`, a leading
 * dot, NUL and other control characters, glob and Redis pattern characters (`* ? [ ] { }`),
 * whitespace, and overlong values. Stores call these again because they can be called directly.
 */

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** Longest accepted project key (the official rule yields at most 200 + 1 + 7 characters). */
export const MAX_PROJECT_KEY_LENGTH = 255;
/** Longest accepted subpath, all segments included. */
export const MAX_SUBPATH_LENGTH = 255;
/** Deepest accepted subpath. */
export const MAX_SUBPATH_DEPTH = 8;
/**
 * Longest accepted subpath segment: file stores add suffixes such as `.meta.json` to a segment,
 * and file names stop at 255 bytes.
 */
export const MAX_SUBPATH_SEGMENT_LENGTH = 200;

function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** 8-4-4-4-12 hex digits, checked by character: every store call validates its key, so this runs often. */
function isUuidText(value: string): boolean {
  for (let index = 0; index < 36; index++) {
    const code = value.charCodeAt(index);
    if (index === 8 || index === 13 || index === 18 || index === 23) {
      if (code !== 45) return false;
    } else if (!((code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102))) {
      return false;
    }
  }
  return true;
}

/** True when `value` is a UUID (any version, either case). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && value.length === 36 && isUuidText(value);
}

/** Throws `InvalidSessionKeyError` unless `projectKey` is a safe project key. */
export function assertValidProjectKey(projectKey: unknown): asserts projectKey is string {
  if (typeof projectKey !== 'string' || projectKey.length === 0) {
    throw new InvalidSessionKeyError(`projectKey must be a non-empty string, got ${describe(projectKey)}`, 'projectKey');
  }
  if (projectKey.length > MAX_PROJECT_KEY_LENGTH) {
    throw new InvalidSessionKeyError(`projectKey is longer than ${MAX_PROJECT_KEY_LENGTH} characters`, 'projectKey');
  }
  if (!SEGMENT.test(projectKey)) {
    throw new InvalidSessionKeyError(
      `projectKey ${describe(projectKey)} may contain only letters, digits, '-', '_' and '.', and must not start with '.'`,
      'projectKey',
    );
  }
}

/** Throws `InvalidSessionKeyError` unless `sessionId` is a UUID. */
export function assertValidSessionId(sessionId: unknown): asserts sessionId is string {
  if (!isUuid(sessionId)) {
    throw new InvalidSessionKeyError(`sessionId must be a UUID, got ${describe(sessionId)}`, 'sessionId');
  }
}

/** Throws `InvalidSessionKeyError` unless `subpath` is undefined or a safe relative path. */
export function assertValidSubpath(subpath: unknown): asserts subpath is string | undefined {
  if (subpath === undefined) return;
  if (typeof subpath !== 'string' || subpath.length === 0) {
    throw new InvalidSessionKeyError(
      `subpath must be a non-empty string or omitted for the main transcript, got ${describe(subpath)}`,
      'subpath',
    );
  }
  if (subpath.length > MAX_SUBPATH_LENGTH) {
    throw new InvalidSessionKeyError(`subpath is longer than ${MAX_SUBPATH_LENGTH} characters`, 'subpath');
  }
  const segments = subpath.split('/');
  if (segments.length > MAX_SUBPATH_DEPTH) {
    throw new InvalidSessionKeyError(`subpath is deeper than ${MAX_SUBPATH_DEPTH} segments`, 'subpath');
  }
  for (const segment of segments) {
    if (segment.length > MAX_SUBPATH_SEGMENT_LENGTH) {
      throw new InvalidSessionKeyError(`subpath segments are limited to ${MAX_SUBPATH_SEGMENT_LENGTH} characters`, 'subpath');
    }
    if (!SEGMENT.test(segment)) {
      throw new InvalidSessionKeyError(
        `subpath ${describe(subpath)}: each '/'-separated segment may contain only letters, digits, '-', '_' and '.', and must not start with '.'`,
        'subpath',
      );
    }
  }
}

/** Throws `InvalidSessionKeyError` unless every part of `key` is valid. */
export function assertValidSessionKey(key: unknown): asserts key is SessionKey {
  if (typeof key !== 'object' || key === null) {
    throw new InvalidSessionKeyError(`a session key must be an object, got ${describe(key)}`, 'key');
  }
  const { projectKey, sessionId, subpath } = key as Record<string, unknown>;
  assertValidProjectKey(projectKey);
  assertValidSessionId(sessionId);
  assertValidSubpath(subpath);
}

/** Throws `InvalidSessionKeyError` unless `key` is a valid key of a whole session. */
export function assertValidSessionRef(key: unknown): asserts key is SessionRef {
  if (typeof key !== 'object' || key === null) {
    throw new InvalidSessionKeyError(`a session reference must be an object, got ${describe(key)}`, 'key');
  }
  const { projectKey, sessionId } = key as Record<string, unknown>;
  assertValidProjectKey(projectKey);
  assertValidSessionId(sessionId);
}
