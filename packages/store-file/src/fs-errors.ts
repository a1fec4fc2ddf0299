import { SessionStoreError, StoreUnavailableError } from '@sdk/core/store';

/** The `code` of a Node.js system error, if `error` is one. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Busy-resource errors that usually pass on their own: the caller may retry. */
const TRANSIENT = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'EINTR', 'ETIMEDOUT', 'EIO']);

/**
 * Wraps a file system error in a store error whose message says what failed and where, and what
 * an operator can do about it; the original error stays available as `cause`. Errors that are
 * already store errors pass through unchanged.
 */
export function toStoreError(error: unknown, action: string, path: string): Error {
  if (error instanceof SessionStoreError) return error;
  const code = errorCode(error);
  const where = `${action} ${path}`;
  switch (code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new SessionStoreError(`No space left on the device (${code}) while trying to ${where}; nothing was acknowledged`, {
        cause: error,
      });
    case 'EACCES':
    case 'EPERM':
      return new SessionStoreError(`Permission denied (${code}) while trying to ${where}: check the owner and mode of the store root`, {
        cause: error,
      });
    case 'EROFS':
      return new SessionStoreError(`The file system is read-only (EROFS) while trying to ${where}`, { cause: error });
    case 'ELOOP':
      return new SessionStoreError(`Refused to ${where}: it is a symbolic link, which the file store does not follow`, { cause: error });
    case 'ENOTDIR':
    case 'EISDIR':
      return new SessionStoreError(`Cannot ${where}: an unexpected file or directory is in the way (${code})`, { cause: error });
    default:
      if (code !== undefined && TRANSIENT.has(code)) {
        return new StoreUnavailableError(`Temporarily unable to ${where} (${code}); retry later`, { cause: error });
      }
      return new SessionStoreError(`Failed to ${where}${code ? ` (${code})` : ''}`, { cause: error });
  }
}
