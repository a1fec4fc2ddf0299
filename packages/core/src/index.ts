// `@sdk/core`: the stateless executor and the session store protocol. Explicit list, reviewed.
export type {
  AcquireLeaseOptions,
  AppendCondition,
  AppendResult,
  ExtendedSessionStore,
  LoadedWindow,
  LoadWindow,
  SessionKey,
  SessionLease,
  SessionListing,
  SessionRef,
  SessionStore,
  SessionStoreEntry,
  SessionStoreExtensions,
  SessionSummaryEntry,
} from './store/session-store.js';
export {
  supportsConditionalAppend,
  supportsExpiry,
  supportsFork,
  supportsIdempotentAppend,
  supportsLeases,
  supportsWindowedLoad,
} from './store/session-store.js';
export {
  assertValidProjectKey,
  assertValidSessionId,
  assertValidSessionKey,
  assertValidSessionRef,
  assertValidSubpath,
  isUuid,
} from './store/keys.js';
export { projectKeyForPath } from './store/project-key.js';
export { foldSessionSummary } from './store/summary.js';
export { projectKeyForDirectory } from './project-directory.js';
export {
  EntryTooLargeError,
  InvalidSessionKeyError,
  SdkError,
  SessionConflictError,
  SessionLeaseError,
  SessionNotFoundError,
  SessionStoreError,
  StoreUnavailableError,
  TranscriptCorruptError,
} from './errors.js';
