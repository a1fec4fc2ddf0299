import type { PermissionMode, SDKMessage, SDKUserMessage } from '../messages.js';
import type { EffortLevel, McpServerConfig, SdkPluginConfig, Settings } from './options.js';

/** A slash command the session offers. */
export type SlashCommand = { name: string; description: string; argumentHint: string; aliases?: string[]; builtin?: boolean };

/** A model the session can switch to. */
export type ModelInfo = {
  value: string;
  resolvedModel?: string;
  displayName: string;
  description: string;
  supportsEffort?: boolean;
  supportedEffortLevels?: EffortLevel[];
  supportsAdaptiveThinking?: boolean;
  supportsFastMode?: boolean;
  supportsAutoMode?: boolean;
};

/** A subagent the session offers. */
export type AgentInfo = { name: string; description: string; model?: string };

/** The account the session runs as. */
export type AccountInfo = {
  email?: string;
  organization?: string;
  subscriptionType?: string;
  tokenSource?: string;
  /** Officially a free string; here always an `ApiKeySource` value. */
  apiKeySource?: string;
  apiProvider?: 'firstParty' | 'bedrock' | 'vertex' | 'foundry' | 'anthropicAws' | 'anthropicGoogleCloud' | 'mantle' | 'gateway';
};

/** The state of one MCP server. */
export type McpServerStatus = {
  name: string;
  status: 'connected' | 'failed' | 'needs-auth' | 'pending' | 'disabled';
  serverInfo?: { name: string; version: string };
  error?: string;
  scope?: string;
  source?: string;
};

/** What `setMcpServers` changed. */
export type McpSetServersResult = { added: string[]; removed: string[]; errors: Record<string, string> };

/** What the session was set up with (the official CLI's answer to `initialize`). */
export type SDKControlInitializeResponse = {
  commands: SlashCommand[];
  agents: AgentInfo[];
  output_style: string;
  available_output_styles: string[];
  models: ModelInfo[];
  account: AccountInfo;
};

/** The receipt of `interrupt()`: what was still queued, and what the interrupt cancelled. */
export type SDKControlInterruptResponse = { still_queued: string[]; cancelled?: string[] };

/** The permission mode in effect after `setPermissionMode()`. */
export type SDKControlSetPermissionModeResponse = { mode?: PermissionMode };

/** The outcome of `rewindFiles()`. */
export type RewindFilesResult = { canRewind: boolean; error?: string; filesChanged?: string[]; insertions?: number; deletions?: number };

/**
 * A user message given as input (async-iterable prompts and `streamInput`): the output type plus
 * the official input-only fields. `uuid` becomes the transcript entry's uuid; `shouldQuery: false`
 * is refused (see docs/compat.md); the other extra fields are accepted and not used.
 */
export type SDKUserMessageInput = SDKUserMessage & {
  priority?: 'now' | 'next' | 'later';
  shouldQuery?: boolean;
  client_composed?: true;
  origin?: unknown;
};

/**
 * The running query: an async generator of the session's messages, plus control methods. Methods
 * the stateless executor has nothing to act on reject with `UnsupportedFeatureError`; see
 * docs/compat.md for each.
 */
export interface Query extends AsyncGenerator<SDKMessage, void> {
  /** Stops the current turn: it ends with an `error_during_execution` result; later input still runs. */
  interrupt(): Promise<SDKControlInterruptResponse | undefined>;
  /** The permission mode of the following turns (reported in `system/init`). */
  setPermissionMode(mode: PermissionMode): Promise<SDKControlSetPermissionModeResponse | undefined>;
  /** Not supported (no MCP servers). */
  setMcpPermissionModeOverride(serverName: string, mode: 'default' | 'auto' | null): Promise<{ warning?: string }>;
  /** The model of the following turns; `undefined` restores the query's model. */
  setModel(model?: string): Promise<void>;
  /** The thinking budget of the following turns; `null` (or 0) turns thinking off. @deprecated */
  setMaxThinkingTokens(maxThinkingTokens: number | null, thinkingDisplay?: 'summarized' | 'omitted' | 'highlights' | null): Promise<void>;
  /** Not supported (no settings layers). */
  applyFlagSettings(settings: Partial<Settings>): Promise<void>;
  /** Not supported (no settings files). */
  updateSettings(source: 'localSettings' | 'userSettings', settings: Record<string, unknown>): Promise<void>;
  /** What the session offers: no commands, agents or plugins; the known models. */
  initializationResult(): Promise<SDKControlInitializeResponse>;
  /** Same as {@link Query.initializationResult}. */
  reinitialize(): Promise<SDKControlInitializeResponse>;
  /** Always `[]`: there are no slash commands. */
  supportedCommands(): Promise<SlashCommand[]>;
  /** The models of the bundled price table. */
  supportedModels(): Promise<ModelInfo[]>;
  /** The `agents` option's names and descriptions. */
  supportedAgents(): Promise<AgentInfo[]>;
  /** The query's MCP servers: connected or failed, with server info or the error. */
  mcpServerStatus(): Promise<McpServerStatus[]>;
  /** Not supported: always rejects with `UnsupportedFeatureError`. */
  getContextUsage(opts?: { detail?: 'summary' | 'full' }): Promise<never>;
  /** Not supported. */
  usage_EXPERIMENTAL_MAY_CHANGE_DO_NOT_RELY_ON_THIS_API_YET(opts?: { skipBehaviors?: boolean }): Promise<never>;
  /** Not supported. */
  readFile(path: string, options?: { maxBytes?: number; encoding?: 'utf-8' | 'base64' }): Promise<never>;
  /** Not supported. */
  reloadPlugins(options?: { holdOnCacheImpact?: boolean; addPlugins?: SdkPluginConfig[]; refuseIfBusy?: boolean }): Promise<never>;
  /** Not supported. */
  reloadSkills(): Promise<never>;
  /** Not supported. */
  reloadOutputStyles(): Promise<never>;
  /** Where the API credential comes from. */
  accountInfo(): Promise<AccountInfo>;
  /** Not supported (no file checkpoints). */
  rewindFiles(userMessageId: string, options?: { dryRun?: boolean }): Promise<RewindFilesResult>;
  /** Not supported. */
  seedReadState(path: string, mtime: number): Promise<void>;
  /** Not supported. */
  reconnectMcpServer(serverName: string): Promise<void>;
  /** Not supported. */
  toggleMcpServer(serverName: string, enabled: boolean): Promise<void>;
  /** Not supported. */
  readMcpResource(serverName: string, uri: string): Promise<never>;
  /** Not supported. */
  setMcpServers(servers: Record<string, McpServerConfig>): Promise<McpSetServersResult>;
  /** Feeds more user messages: each becomes a turn after the ones already queued. */
  streamInput(stream: AsyncIterable<SDKUserMessageInput>): Promise<void>;
  /** Not supported (no background tasks). */
  stopTask(taskId: string): Promise<void>;
  /** Always false: there are no background tasks. */
  backgroundTasks(toolUseId?: string): Promise<boolean>;
  /** Stops at once: the running turn is aborted and iteration ends without further messages. */
  close(): void;
}
