/**
 * The official `@anthropic-ai/claude-agent-sdk` API over `@sdk/core`. Only wiring lives here: the
 * default store is the Claude Code file layout under `CLAUDE_CONFIG_DIR` (else `~/.claude`), where
 * the official SDK keeps its sessions. What each export does: docs/compat.md.
 *
 * @module @sdk/compat
 */
import { readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  assertValidProjectKey,
  ClaudeSDKClient as CoreClaudeSDKClient,
  createPrewarm,
  createQuery,
  createSessionFunctions,
  createStartup,
  type Options,
  type QueryFunction,
  type SessionFunctions,
  type SessionStore,
  type SpareProcess,
  type StartupParams,
  type WarmQuery,
} from '@sdk/core';
import { FileSessionStore } from '@sdk/store-file';

const fileStores = new Map<string, FileSessionStore>();

/** The configuration folder the environment names: `CLAUDE_CONFIG_DIR`, else `~/.claude`. */
function configRoot(environment: { [name: string]: string | undefined }): string {
  return resolve(environment.CLAUDE_CONFIG_DIR || join(environment.HOME || homedir(), '.claude'));
}

/**
 * The file store of the configuration folder the environment names; one instance per folder and
 * mode. `lenientLoad` skips a corrupt line instead of failing, as the official session functions
 * read local transcripts.
 *
 * `durability: 'none'`, as the CLI this package replaces writes its transcripts: every append is in
 * the file (the kernel's page cache) before it resolves, so it survives a crash of the process, but
 * is not `fdatasync`ed, so a power loss may drop the last appends (never corrupt earlier lines).
 * The official CLI (Claude Code 2.1.332) appends to transcripts with `O_APPEND` writes and never
 * fsyncs them; two flushes per turn would cost more than the rest of the turn together. Programs
 * that need appends on disk before they resolve pass `sessionStore: new FileSessionStore()`
 * (`durability: 'fsync'` is that store's default). See docs/decisions.md.
 */
function fileStoreFor(environment: { [name: string]: string | undefined }, lenientLoad = false): SessionStore {
  const root = configRoot(environment);
  const key = `${lenientLoad ? 'lenient' : 'strict'}:${root}`;
  let store = fileStores.get(key);
  if (store === undefined) {
    store = new FileSessionStore({ root, lenientLoad, durability: 'none' });
    fileStores.set(key, store);
  }
  return store;
}

/**
 * Runs an agent conversation: the official `query({ prompt, options })`. Sessions are Claude Code
 * transcripts under `CLAUDE_CONFIG_DIR` (else `~/.claude`) unless `options.sessionStore` is given.
 */
export const query: QueryFunction = createQuery({ defaultStore: (environment) => fileStoreFor(environment) });

/** Prepares a query before its session is known (official `prewarm()`, alpha): `claim()` is `query()`. */
export const prewarm: (params?: { options?: Options; initializeTimeoutMs?: number }) => Promise<SpareProcess> = createPrewarm(query);

/** Prepares a query before its prompt is known (official `startup()`); see docs/compat.md. */
export const startup: (params?: StartupParams) => Promise<WarmQuery> = createStartup(query);

/** A multi-turn conversation (the Python SDK's `ClaudeSDKClient`), on the same default store as {@link query}. */
export class ClaudeSDKClient extends CoreClaudeSDKClient {
  constructor(options: Options = {}) {
    super(options, query);
  }
}

const isProjectKey = (name: string): boolean => {
  try {
    assertValidProjectKey(name);
    return true;
  } catch {
    return false;
  }
};

/** The project folders under `projects/`: a session call without `dir` searches them all, as the official SDK does. */
async function projectKeys(environment: { [name: string]: string | undefined }): Promise<string[]> {
  try {
    const entries = await readdir(join(configRoot(environment), 'projects'), { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory() && isProjectKey(entry.name)).map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

const sessions: SessionFunctions = createSessionFunctions({
  defaultStore: () => fileStoreFor(process.env, true),
  defaultStoreIsLocal: true,
  defaultStoreProjectKeys: () => projectKeys(process.env),
  localProjectsRoot: () => join(configRoot(process.env), 'projects'),
});

/** Sessions of a project, newest first (official `listSessions`). */
export const listSessions: SessionFunctions['listSessions'] = (options) => sessions.listSessions(options);
/** One session's info (official `getSessionInfo`). */
export const getSessionInfo: SessionFunctions['getSessionInfo'] = (sessionId, options) => sessions.getSessionInfo(sessionId, options);
/** A session's conversation (official `getSessionMessages`). */
export const getSessionMessages: SessionFunctions['getSessionMessages'] = (sessionId, options) => sessions.getSessionMessages(sessionId, options);
/** A session's subagent ids (official `listSubagents`). */
export const listSubagents: SessionFunctions['listSubagents'] = (sessionId, options) => sessions.listSubagents(sessionId, options);
/** A subagent's conversation (official `getSubagentMessages`). */
export const getSubagentMessages: SessionFunctions['getSubagentMessages'] = (sessionId, agentId, options) => sessions.getSubagentMessages(sessionId, agentId, options);
/** Sets a session's title (official `renameSession`). */
export const renameSession: SessionFunctions['renameSession'] = (sessionId, title, options) => sessions.renameSession(sessionId, title, options);
/** Sets or clears a session's tag (official `tagSession`). */
export const tagSession: SessionFunctions['tagSession'] = (sessionId, tag, options) => sessions.tagSession(sessionId, tag, options);
/** Deletes a session (official `deleteSession`). */
export const deleteSession: SessionFunctions['deleteSession'] = (sessionId, options) => sessions.deleteSession(sessionId, options);
/** Copies a session to a new id with fresh uuids (official `forkSession`). */
export const forkSession: SessionFunctions['forkSession'] = (sessionId, options) => sessions.forkSession(sessionId, options);
/** Marks a local session archived; `listSessions` reports `archived: true` (official `archiveSession`). */
export const archiveSession: SessionFunctions['archiveSession'] = (sessionId, options) => sessions.archiveSession(sessionId, options);
/** Clears a local session's archive mark (official `unarchiveSession`). */
export const unarchiveSession: SessionFunctions['unarchiveSession'] = (sessionId, options) => sessions.unarchiveSession(sessionId, options);
/** Copies a session from the default store into another store (official `importSessionToStore`). */
export const importSessionToStore: SessionFunctions['importSessionToStore'] = (sessionId, store, options) => sessions.importSessionToStore(sessionId, store, options);

export {
  AbortError,
  createSdkMcpServer,
  filterEscalatingDefaultMode,
  foldSessionSummary,
  HOOK_EVENTS,
  matchDeniedModels,
  resolveSettings,
  SYSTEM_PROMPT_DYNAMIC_BOUNDARY,
  tool,
} from '@sdk/core';
export {
  BUILTIN_TOOL_NAMES,
  EXIT_REASONS,
  LEGACY_TOOL_NAME_ALIASES,
  ORG_POLICY_LIMIT_PREFIXES,
  USAGE_LIMIT_ERROR_PREFIXES,
  USAGE_TRANSITION_PREFIXES,
  USAGE_WARNING_PREFIXES,
} from './cli-constants.js';
export { InMemorySessionStore } from '@sdk/store-memory';
export type {
  AccountInfo,
  AgentDefinition,
  AgentInfo,
  AnyZodRawShape,
  ApiKeySource,
  AsyncHookJSONOutput,
  BaseHookInput,
  CanUseTool,
  ClaimOptions,
  CreateSdkMcpServerOptions,
  DeniedModelsMatch,
  EffortLevel,
  ElicitationRequest,
  ElicitationResult,
  ForkSessionOptions,
  ForkSessionResult,
  GetSessionInfoOptions,
  GetSessionMessagesOptions,
  GetSubagentMessagesOptions,
  HookCallback,
  HookCallbackMatcher,
  HookEvent,
  HookInput,
  HookJSONOutput,
  ImportSessionToStoreOptions,
  InferShape,
  JsonSchemaOutputFormat,
  ListSessionsOptions,
  ListSubagentsOptions,
  McpHttpServerConfig,
  McpSdkServerConfigWithInstance,
  McpServerConfig,
  McpServerStatus,
  McpServerToolPolicy,
  McpSetServersResult,
  McpSSEServerConfig,
  McpStdioServerConfig,
  ModelInfo,
  ModelUsage,
  NonNullableUsage,
  OnElicitation,
  OnUserDialog,
  Options,
  OutputFormat,
  PermissionBehavior,
  PermissionDecisionClassification,
  PermissionMode,
  PermissionResult,
  PermissionRuleValue,
  PermissionUpdate,
  PermissionUpdateDestination,
  Query,
  ResolvedSettings,
  ResolveSettingsOptions,
  RewindFilesResult,
  SandboxSettings,
  SdkBeta,
  SdkMcpToolDefinition,
  SDKDeferredToolUse,
  SDKAPIRetryMessage,
  SDKAssistantMessage,
  SDKAssistantMessageError,
  SDKControlInitializeResponse,
  SDKControlInterruptResponse,
  SDKControlSetPermissionModeResponse,
  SDKMessage,
  SDKPartialAssistantMessage,
  SDKPermissionDenial,
  SdkPluginConfig,
  SDKResultError,
  SDKResultMessage,
  SDKResultSuccess,
  SDKSessionInfo,
  SDKSystemMessage,
  SDKUserMessage,
  SDKUserMessageInput,
  SessionKey,
  SessionMessage,
  SessionMutationOptions,
  SessionStore,
  SessionStoreEntry,
  SessionStoreFlush,
  SessionSummaryEntry,
  SettingSource,
  Settings,
  SlashCommand,
  SpareProcess,
  SpawnedProcess,
  SpawnOptions,
  StartupParams,
  SyncHookJSONOutput,
  TerminalReason,
  ThinkingAdaptive,
  ThinkingConfig,
  ThinkingDisabled,
  ThinkingEnabled,
  ToolConfig,
  UserDialogRequest,
  UserDialogResult,
  WarmQuery,
} from '@sdk/core';
