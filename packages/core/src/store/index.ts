/**
 * The SessionStore protocol for store authors. Imports nothing at runtime beyond its own pure
 * helpers, so a store does not load the executor.
 *
 * @module @sdk/core/store
 */
export type {
  AcquireLeaseOptions,
  AppendCondition,
  AppendResult,
  ExtendedSessionStore,
  LeasedWindow,
  LeaseWaitOptions,
  LoadedWindow,
  LoadOptions,
  LoadWindow,
  SessionKey,
  SessionLease,
  SessionListing,
  SessionRef,
  SessionStore,
  SessionStoreEntry,
  SessionStoreExtensions,
  SessionSummaryEntry,
} from './session-store.js';
export {
  supportsConditionalAppend,
  supportsExpiry,
  supportsFork,
  supportsIdempotentAppend,
  supportsLeaseAndLoad,
  supportsLeases,
  supportsLeaseWait,
  supportsWindowedLoad,
} from './session-store.js';
export {
  assertValidProjectKey,
  assertValidSessionId,
  assertValidSessionKey,
  assertValidSessionRef,
  assertValidSubpath,
  isUuid,
  MAX_PROJECT_KEY_LENGTH,
  MAX_SUBPATH_DEPTH,
  MAX_SUBPATH_LENGTH,
  MAX_SUBPATH_SEGMENT_LENGTH,
} from './keys.js';
export { projectKeyForPath } from './project-key.js';
export { foldSessionSummary } from './summary.js';
export { promptOfEntry } from './first-prompt.js';
export { deepFreeze } from './deep-freeze.js';
export {
  EntryTooLargeError,
  InvalidSessionKeyError,
  SdkError,
  SessionConflictError,
  SessionLeaseError,
  SessionNotFoundError,
  SessionStoreError,
  StoreCapabilityError,
  StoreUnavailableError,
  TranscriptCorruptError,
} from '../errors.js';
