import type { PermissionMode } from '../messages.js';
import type { JsonSchemaOutputFormat } from '../executor/structured-output.js';
import type { SessionStore } from '../store/session-store.js';

/**
 * The options of `query()`: every field of the official `Options` (0.3.332), each with a shape a
 * program written against the official declaration also satisfies. What each field does here —
 * implemented, accepted without effect, or rejected — is listed field by field in docs/compat.md.
 *
 * The large official object types that configure the CLI process (settings, sandbox, hook inputs)
 * are typed loosely (open records), so values of the official types are accepted.
 */

/** A rule naming a tool and, optionally, the part of its input the rule covers. */
export type PermissionRuleValue = { toolName: string; ruleContent?: string };

/** What a permission rule does. */
export type PermissionBehavior = 'allow' | 'deny' | 'ask';

/** Where a permission update is saved. */
export type PermissionUpdateDestination = 'userSettings' | 'projectSettings' | 'localSettings' | 'session' | 'cliArg';

/** A change to the permission rules, suggested to or returned from `canUseTool`. */
export type PermissionUpdate =
  | { type: 'addRules' | 'replaceRules' | 'removeRules'; rules: PermissionRuleValue[]; behavior: PermissionBehavior; destination: PermissionUpdateDestination }
  | { type: 'setMode'; mode: PermissionMode; destination: PermissionUpdateDestination }
  | { type: 'addDirectories' | 'removeDirectories'; directories: string[]; destination: PermissionUpdateDestination };

/** How a permission decision was made. */
export type PermissionDecisionClassification = 'user_temporary' | 'user_permanent' | 'user_reject';

/** The answer of `canUseTool`. */
export type PermissionResult =
  | {
      behavior: 'allow';
      updatedInput?: Record<string, unknown>;
      updatedPermissions?: PermissionUpdate[];
      toolUseID?: string;
      decisionClassification?: PermissionDecisionClassification;
    }
  | { behavior: 'deny'; message: string; interrupt?: boolean; toolUseID?: string; decisionClassification?: PermissionDecisionClassification };

/** Decides whether a tool call may run. */
export type CanUseTool = (
  toolName: string,
  input: Record<string, unknown>,
  options: {
    signal: AbortSignal;
    suggestions?: PermissionUpdate[];
    blockedPath?: string;
    mcpServer?: { name: string; source: string };
    decisionReason?: string;
    title?: string;
    displayName?: string;
    description?: string;
    toolUseID: string;
    agentID?: string;
    /** Id of the permission request. */
    requestId: string;
  },
) => Promise<PermissionResult | null>;

/** The events a hook can observe (the official list). */
export const HOOK_EVENTS = [
  'PreToolUse',
  'PostToolUse',
  'PostToolUseFailure',
  'PostToolBatch',
  'Notification',
  'UserPromptSubmit',
  'UserPromptExpansion',
  'SessionStart',
  'SessionEnd',
  'Stop',
  'StopFailure',
  'SubagentStart',
  'SubagentStop',
  'PreCompact',
  'PostCompact',
  'PreModelSwitch',
  'PostModelSwitch',
  'PermissionRequest',
  'PermissionDenied',
  'Setup',
  'TeammateIdle',
  'TaskCreated',
  'TaskCompleted',
  'Elicitation',
  'ElicitationResult',
  'ConfigChange',
  'WorktreeCreate',
  'WorktreeRemove',
  'InstructionsLoaded',
  'CwdChanged',
  'FileChanged',
  'DirectoryAdded',
  'MessageDisplay',
  'PreSkillShellCommand',
] as const;

/** One of {@link HOOK_EVENTS}. */
export type HookEvent = (typeof HOOK_EVENTS)[number];

/** The fields every hook input has. */
export type BaseHookInput = {
  session_id: string;
  transcript_path: string;
  cwd: string;
  prompt_id?: string;
  permission_mode?: string;
  agent_id?: string;
  agent_type?: string;
};

/** What a hook receives: the common fields, the event name and the event's own fields (loosely typed). */
export type HookInput = BaseHookInput & { hook_event_name: HookEvent; [field: string]: unknown };

/** A hook's answer telling the caller it finishes in the background. */
export type AsyncHookJSONOutput = { async: true; asyncTimeout?: number };

/** A hook's answer. */
export type SyncHookJSONOutput = {
  continue?: boolean;
  suppressOutput?: boolean;
  stopReason?: string;
  decision?: 'approve' | 'block';
  systemMessage?: string;
  terminalSequence?: string;
  reason?: string;
  /** The event-specific part, `{hookEventName, ...}` (loosely typed). */
  hookSpecificOutput?: { hookEventName: HookEvent; [field: string]: unknown };
};

/** Either kind of hook answer. */
export type HookJSONOutput = AsyncHookJSONOutput | SyncHookJSONOutput;

/** A hook callback. */
export type HookCallback = {
  // Declared as a method so its parameter is checked bivariantly: a callback written against the
  // official event-specific input types (`PreToolUseHookInput`…) is accepted as is.
  /** Called with the event's input, the tool call's id (tool events) and an abort signal; answers with the hook's decision. */
  bivariantCallback(input: HookInput, toolUseID: string | undefined, options: { signal: AbortSignal }): Promise<HookJSONOutput>;
}['bivariantCallback'];

/** Hooks that run for the tools (or events) `matcher` selects. */
export type HookCallbackMatcher = {
  matcher?: string;
  hooks: HookCallback[];
  timeout?: number;
  onFailure?: 'continue' | 'block';
};

/** Restricts which tools of an MCP server are offered. */
export type McpServerToolPolicy = Record<string, unknown>;

/** An MCP server started as a child process. */
export type McpStdioServerConfig = {
  type?: 'stdio';
  command: string;
  args?: string[];
  env?: Record<string, string>;
  timeout?: number;
  alwaysLoad?: boolean;
  tools?: McpServerToolPolicy[];
};

/** An MCP server reached over server-sent events. */
export type McpSSEServerConfig = {
  type: 'sse';
  url: string;
  headers?: Record<string, string>;
  tools?: McpServerToolPolicy[];
  timeout?: number;
  alwaysLoad?: boolean;
};

/** An MCP server reached over streamable HTTP. */
export type McpHttpServerConfig = {
  type: 'http';
  url: string;
  headers?: Record<string, string>;
  tools?: McpServerToolPolicy[];
  timeout?: number;
  alwaysLoad?: boolean;
};

/** An in-process MCP server, as `createSdkMcpServer()` returns it. */
export type McpSdkServerConfigWithInstance = {
  type: 'sdk';
  name: string;
  timeout?: number;
  tools?: McpServerToolPolicy[];
  /** The `McpServer` of `@modelcontextprotocol/sdk`. */
  instance: object;
};

/** Any MCP server configuration. */
export type McpServerConfig = McpStdioServerConfig | McpSSEServerConfig | McpHttpServerConfig | McpSdkServerConfigWithInstance;

/** A subagent the Agent tool can start. */
export type AgentDefinition = {
  description: string;
  tools?: string[];
  disallowedTools?: string[];
  prompt: string;
  model?: string;
  mcpServers?: (string | Record<string, unknown>)[];
  criticalSystemReminder_EXPERIMENTAL?: string;
  skills?: string[];
  initialPrompt?: string;
  maxTurns?: number;
  autoCompactWindow?: number;
  background?: boolean;
  omitClaudeMd?: boolean;
  memory?: 'user' | 'project' | 'local';
  effort?: EffortLevel | number;
  permissionMode?: PermissionMode;
  observer?: string;
  observerMessage?: string;
};

/** Configuration of built-in tools. */
export type ToolConfig = { askUserQuestion?: { previewFormat?: 'markdown' | 'html' } };

/** API betas the official SDK accepts. */
export type SdkBeta = 'context-1m-2025-08-07';

/** A request of an MCP server for user input. */
export type ElicitationRequest = {
  serverName: string;
  message: string;
  mode?: 'form' | 'url';
  url?: string;
  elicitationId?: string;
  requestedSchema?: Record<string, unknown>;
  title?: string;
  displayName?: string;
  description?: string;
};

/** The answer to an {@link ElicitationRequest} (the MCP `ElicitResult`). */
export type ElicitationResult = { action: 'accept' | 'decline' | 'cancel'; content?: Record<string, unknown> | undefined; [field: string]: unknown };

/** Answers MCP elicitation requests. */
export type OnElicitation = (request: ElicitationRequest, options: { signal: AbortSignal; requestId: string }) => Promise<ElicitationResult | null>;

/** A dialog the host is asked to show. */
export type UserDialogRequest = { dialogKind: string; payload: Record<string, unknown>; toolUseID?: string };

/** The outcome of a {@link UserDialogRequest}. */
export type UserDialogResult = { behavior: 'completed'; result: unknown } | { behavior: 'cancelled' };

/** Shows host dialogs. */
export type OnUserDialog = (request: UserDialogRequest, options: { signal: AbortSignal; requestId: string }) => Promise<UserDialogResult | null>;

/** How eagerly the official SDK flushes mirrored entries to the store. */
export type SessionStoreFlush = 'batched' | 'eager';

/** Adaptive thinking. */
export type ThinkingAdaptive = { type: 'adaptive'; display?: 'summarized' | 'omitted' };
/** Thinking with a token budget. */
export type ThinkingEnabled = { type: 'enabled'; budgetTokens?: number; display?: 'summarized' | 'omitted' };
/** No thinking. */
export type ThinkingDisabled = { type: 'disabled' };
/** Extended thinking configuration. */
export type ThinkingConfig = ThinkingAdaptive | ThinkingEnabled | ThinkingDisabled;

/** The effort parameter. */
export type EffortLevel = 'low' | 'medium' | 'high' | 'xhigh' | 'max';

/** Structured output as JSON matching `schema`. */
export type { JsonSchemaOutputFormat };
/** The structured output formats. */
export type OutputFormat = JsonSchemaOutputFormat;

/** A local plugin. */
export type SdkPluginConfig = { type: 'local'; path: string; skipMcpDiscovery?: boolean };

/** Which settings files load. */
export type SettingSource = 'user' | 'project' | 'local';

/** The settings.json schema (loosely typed: an open record). */
export type Settings = Record<string, unknown>;

/** Command sandbox settings (loosely typed: an open record). */
export type SandboxSettings = Record<string, unknown>;

/** What a custom spawner is asked to start (the CLI process; never used here). */
export type SpawnOptions = {
  command: string;
  args: string[];
  cwd?: string;
  env: { [envVar: string]: string | undefined };
  signal: AbortSignal;
};

/** A process started by a custom spawner (never used here). */
export type SpawnedProcess = {
  stdin: NodeJS.WritableStream;
  stdout: NodeJS.ReadableStream;
  readonly killed: boolean;
  readonly exitCode: number | null;
  readonly signalCode?: NodeJS.Signals | null;
  /** Sends a signal to the process. */
  kill(signal: NodeJS.Signals): boolean;
  /** Listens for the process's exit. */
  on(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
  /** Listens for a spawn or process error. */
  on(event: 'error', listener: (error: Error) => void): void;
  /** Listens once for the process's exit. */
  once(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
  /** Listens once for a spawn or process error. */
  once(event: 'error', listener: (error: Error) => void): void;
  /** Removes an exit listener. */
  off(event: 'exit', listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
  /** Removes an error listener. */
  off(event: 'error', listener: (error: Error) => void): void;
};

/** The official `systemPrompt` forms. */
export type SystemPromptOption =
  | string
  | string[]
  | { type: 'custom'; prompt: string | string[]; snapshot?: boolean }
  | { type: 'preset'; preset: 'claude_code'; append?: string; excludeDynamicSections?: boolean; snapshot?: boolean };

/** The options of `query()` and `ClaudeSDKClient`: all 70 official fields. See docs/compat.md. */
export type Options = {
  abortController?: AbortController;
  additionalDirectories?: string[];
  projectConfigRoot?: string;
  agent?: string;
  agents?: Record<string, AgentDefinition>;
  allowedTools?: string[];
  canUseTool?: CanUseTool;
  continue?: boolean;
  cwd?: string;
  disallowedTools?: string[];
  toolAliases?: Record<string, string>;
  tools?: string[] | { type: 'preset'; preset: 'claude_code' };
  env?: { [envVar: string]: string | undefined };
  executable?: 'bun' | 'deno' | 'node';
  executableArgs?: string[];
  extraArgs?: Record<string, string | null>;
  fallbackModel?: string;
  enableFileCheckpointing?: boolean;
  toolConfig?: ToolConfig;
  forkSession?: boolean;
  betas?: SdkBeta[];
  hooks?: Partial<Record<HookEvent, HookCallbackMatcher[]>>;
  onElicitation?: OnElicitation;
  onUserDialog?: OnUserDialog;
  supportedDialogKinds?: string[];
  perTaskStopAffordance?: boolean;
  persistSession?: boolean;
  sessionStore?: SessionStore;
  sessionStoreFlush?: SessionStoreFlush;
  loadTimeoutMs?: number;
  includeHookEvents?: boolean;
  includePartialMessages?: boolean;
  forwardSubagentText?: boolean;
  verbatimPrompts?: boolean;
  thinking?: ThinkingConfig;
  effort?: EffortLevel;
  /** @deprecated Use `thinking`. */
  maxThinkingTokens?: number;
  maxTurns?: number;
  maxBudgetUsd?: number;
  taskBudget?: { total: number };
  mcpServers?: Record<string, McpServerConfig>;
  mcpServersDelivery?: 'argv' | 'initialize';
  model?: string;
  outputFormat?: OutputFormat;
  pathToClaudeCodeExecutable?: string;
  permissionMode?: PermissionMode;
  planModeInstructions?: string;
  allowDangerouslySkipPermissions?: boolean;
  permissionPromptToolName?: string;
  permissionPrompts?: 'host' | 'none';
  plugins?: SdkPluginConfig[];
  pluginDelivery?: 'argv' | 'initialize';
  promptSuggestions?: boolean;
  agentProgressSummaries?: boolean;
  resume?: string;
  sessionId?: string;
  resumeSessionAt?: string;
  resumeDropsTurn?: string;
  sandbox?: SandboxSettings;
  settings?: string | Settings;
  managedSettings?: Settings;
  settingSources?: SettingSource[];
  skills?: string[] | 'all';
  debug?: boolean;
  debugFile?: string;
  /** Accepted, never called: there is no child process (official: receives the CLI's stderr). */
  stderr?: (data: string) => void;
  strictMcpConfig?: boolean;
  systemPrompt?: SystemPromptOption;
  title?: string;
  /** Accepted, never called: there is no CLI process to spawn. */
  spawnClaudeCodeProcess?: (options: SpawnOptions) => SpawnedProcess;
};
