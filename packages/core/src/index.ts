/**
 * The stateless executor and the session store protocol. Explicit list, reviewed.
 *
 * @module @sdk/core
 */
export type {
  AcquireLeaseOptions,
  AppendCondition,
  AppendResult,
  ExtendedSessionStore,
  LeasedWindow,
  LeaseWaitOptions,
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
  supportsLeaseAndLoad,
  supportsLeases,
  supportsLeaseWait,
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
  AbortError,
  EntryTooLargeError,
  InvalidArgumentError,
  InvalidSessionKeyError,
  NotConnectedError,
  SdkError,
  SessionConflictError,
  SessionLeaseError,
  SessionNotFoundError,
  SessionStoreError,
  StoreCapabilityError,
  StoreUnavailableError,
  TranscriptCorruptError,
  UnsupportedFeatureError,
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
export type { SessionFunctions, SessionFunctionsOptions } from './sessions/session-functions.js';
export { createSessionFunctions } from './sessions/lazy-session-functions.js';
export type {
  AgentDefinition,
  AsyncHookJSONOutput,
  BaseHookInput,
  CanUseTool,
  EffortLevel,
  ElicitationRequest,
  ElicitationResult,
  HookCallback,
  HookCallbackMatcher,
  HookEvent,
  HookInput,
  HookJSONOutput,
  JsonSchemaOutputFormat,
  McpHttpServerConfig,
  McpSdkServerConfigWithInstance,
  McpServerConfig,
  McpServerToolPolicy,
  McpSSEServerConfig,
  McpStdioServerConfig,
  OnElicitation,
  OnUserDialog,
  Options,
  OutputFormat,
  PermissionBehavior,
  PermissionDecisionClassification,
  PermissionResult,
  PermissionRuleValue,
  PermissionUpdate,
  PermissionUpdateDestination,
  SandboxSettings,
  SdkBeta,
  SdkPluginConfig,
  SessionStoreFlush,
  SettingSource,
  Settings,
  SpawnedProcess,
  SpawnOptions,
  SyncHookJSONOutput,
  SystemPromptOption,
  ThinkingAdaptive,
  ThinkingConfig,
  ThinkingDisabled,
  ThinkingEnabled,
  ToolConfig,
  UserDialogRequest,
  UserDialogResult,
} from './query/options.js';
export { HOOK_EVENTS } from './query/options.js';
export type {
  AccountInfo,
  AgentInfo,
  McpServerStatus,
  McpSetServersResult,
  ModelInfo,
  Query,
  RewindFilesResult,
  SDKControlInitializeResponse,
  SDKControlInterruptResponse,
  SDKControlSetPermissionModeResponse,
  SDKUserMessageInput,
  SlashCommand,
} from './query/query-types.js';
export type { QueryFactoryConfig, QueryFunction, QueryParams } from './query/create-query.js';
export { createQuery } from './query/create-query.js';
export { ClaudeSDKClient } from './query/claude-sdk-client.js';
export type { StartupParams, WarmQuery } from './query/warm-query.js';
export { createStartup } from './query/warm-query.js';
export type { ClaimOptions, SpareProcess } from './query/prewarm.js';
export { createPrewarm } from './query/prewarm.js';
export { CLAUDE_CODE_PRESET_PROMPT, DEFAULT_MODEL, SYSTEM_PROMPT_DYNAMIC_BOUNDARY } from './query/resolve-options.js';
export type { AgentExecutorDependencies, ExecutorLogger } from './executor/agent-executor.js';
export { AgentExecutor, subagentSubpath } from './executor/agent-executor.js';
export type { TurnRequest } from './executor/turn-request.js';
export type { CompactionSettings } from './executor/compaction.js';
export type { CompactSessionResult } from './executor/compact-session.js';
export { compactSession } from './executor/compact-session.js';
export type { AfterToolDecision, PromptDecision, StopDecision, ToolCallCheck, ToolCallDecision, TurnHooks } from './executor/turn-hooks.js';
export type { RetryPolicy } from './executor/retry.js';
export { DEFAULT_RETRY_POLICY } from './executor/retry.js';
export type { ToolContext, ToolDefinition, ToolOutcome, ToolResultContent, ToolRunner } from './tools/tool-runner.js';
export { createToolRunner } from './tools/tool-runner.js';
export { composeToolRunners } from './tools/compose-tool-runners.js';
export { restrictToolRunner } from './tools/restrict-tool-runner.js';
export { AGENT_TOOL_NAME, createAgentTool, GENERAL_PURPOSE_AGENT } from './agents/agent-tool.js';
export type { AgentToolOptions, SubagentLifecycle } from './agents/agent-tool.js';
export type { ToolAccess } from './tools/tool-access.js';
export type { AnyZodRawShape, CreateSdkMcpServerOptions, InferShape, SdkMcpToolDefinition } from './mcp/sdk-tools.js';
export { createSdkMcpServer, tool } from './mcp/sdk-tools.js';
export type { ConnectMcpServersOptions, McpConnections } from './mcp/mcp-connections.js';
export { connectMcpServers } from './mcp/mcp-connections.js';
export type { BuiltinToolOptions } from './tools/builtin/builtin-tools.js';
export { BUILTIN_TOOL_NAMES, builtinTools } from './tools/builtin/builtin-tools.js';
export { WEB_SEARCH_SERVER_TOOL } from './tools/builtin/web-search.js';
export type {
  PermissionDecision,
  PermissionDecisionReason,
  PermissionPolicyOptions,
  PermissionRequest,
} from './permissions/permission-policy.js';
export { PermissionPolicy } from './permissions/permission-policy.js';
export { formatPermissionRule, LEGACY_TOOL_NAME_ALIASES, parsePermissionRule } from './permissions/rule-syntax.js';
export type { DeniedModelsMatch, ResolvedSettings, ResolveSettingsOptions } from './query/settings-functions.js';
export { filterEscalatingDefaultMode, matchDeniedModels, resolveSettings } from './query/settings-functions.js';
export type { ToolAvailabilityOptions } from './permissions/tool-availability.js';
export { enabledToolNames, isToolEnabled } from './permissions/tool-availability.js';
export type { HookOutcome, HookPermissionDecision } from './hooks/hook-outcome.js';
export type { HookRunnerOptions, HookRunOptions } from './hooks/hook-runner.js';
export { HookRunner } from './hooks/hook-runner.js';
export type { FiredHookEvent, HookEventFields, HookInputBase, HookInputOf } from './hooks/hook-inputs.js';
export { buildHookInput } from './hooks/hook-inputs.js';
export type { ModelPrice, PriceLookup, TokenUsage } from './pricing.js';
export { costOf, DEFAULT_MODEL_PRICES, FALLBACK_MODEL_FAMILY, PRICE_TABLE_DATE, priceFor } from './pricing.js';
export type { RebuildOptions, RebuiltConversation, UnansweredToolUse } from './transcript/rebuild.js';
export { findLeaf, rebuildConversation } from './transcript/rebuild.js';
export {
  INTERRUPTED_MESSAGE,
  INTERRUPTED_TOOL_MESSAGE,
  NO_RESPONSE_MESSAGE,
  TOOL_CALL_INTERRUPTED_MESSAGE,
} from './transcript/entries.js';
export { SDK_VERSION } from './version.js';
export type {
  ApiKeySource,
  ModelUsage,
  NonNullableUsage,
  PermissionMode,
  SDKAPIRetryMessage,
  SDKAssistantMessage,
  SDKAssistantMessageError,
  SDKMessage,
  SDKPartialAssistantMessage,
  SDKPermissionDenial,
  SDKDeferredToolUse,
  SDKCompactBoundaryMessage,
  SDKStatusMessage,
  SDKResultError,
  SDKResultMessage,
  SDKResultSuccess,
  SDKSystemMessage,
  SDKUserMessage,
  TerminalReason,
} from './messages.js';
