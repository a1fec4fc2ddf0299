/**
 * The official SDK's project key rule, on an already canonical path: every UTF-16 code unit
 * outside `[A-Za-z0-9]` becomes `-`; a result over 200 units is cut to 200 and suffixed with `-`
 * and the base-36 absolute value of a 32-bit ×31 string hash of the path (not of the sanitized
 * string), so the same path yields the same key under every runtime.
 */
export function projectKeyForPath(canonicalPath: string): string {
  const sanitized = canonicalPath.replace(/[^a-zA-Z0-9]/g, '-');
  if (sanitized.length <= MAX_SANITIZED_LENGTH) return sanitized;
  let hash = 0;
  for (let index = 0; index < canonicalPath.length; index++) {
    hash = ((hash << 5) - hash + canonicalPath.charCodeAt(index)) | 0;
  }
  return `${sanitized.slice(0, MAX_SANITIZED_LENGTH)}-${Math.abs(hash).toString(36)}`;
}

const MAX_SANITIZED_LENGTH = 200;
