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
  InvalidArgumentError,
  InvalidSessionKeyError,
  SdkError,
  SessionConflictError,
  SessionLeaseError,
  SessionNotFoundError,
  SessionStoreError,
  StoreCapabilityError,
  StoreUnavailableError,
  TranscriptCorruptError,
} from './errors.js';
export type {
  ForkSessionOptions,
  ForkSessionResult,
  GetSessionInfoOptions,
  GetSessionMessagesOptions,
  GetSubagentMessagesOptions,
  ImportSessionToStoreOptions,
  ListSessionsOptions,
  ListSubagentsOptions,
  SDKSessionInfo,
  SessionMessage,
  SessionMutationOptions,
} from './sessions/types.js';
export type { SessionFunctions } from './sessions/session-functions.js';
export { createSessionFunctions } from './sessions/session-functions.js';
