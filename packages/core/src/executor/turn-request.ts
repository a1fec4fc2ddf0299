import type {
  BetaContentBlockParam,
  BetaTextBlockParam,
  BetaThinkingConfigParam,
  BetaToolUnion,
} from '@anthropic-ai/sdk/resources/beta/messages/messages';
import type { PermissionMode } from '../messages.js';
import type { ModelPrice } from '../pricing.js';
import type { SessionRef } from '../store/session-store.js';
import type { ToolRunner } from '../tools/tool-runner.js';
import type { CompactionSettings } from './compaction.js';
import type { RetryPolicy } from './retry.js';
import type { TurnHooks } from './turn-hooks.js';
import type { JsonSchemaOutputFormat } from './structured-output.js';

/**
 * One user turn. Everything a turn needs travels in the request: the executor keeps nothing
 * between turns, so consecutive turns of a session may run on different executors or processes.
 */
export type TurnRequest = {
  /** The session; a key never written starts a new session. */
  session: SessionRef;
  /**
   * The user's message: text, or content blocks (text, images, documents…). Omitted only to
   * continue a session whose last tool call was deferred (see {@link TurnHooks}); with a prompt,
   * such a session first finishes the deferred call's turn, then runs the prompt's (two results).
   */
  prompt?: string | BetaContentBlockParam[];
  /** Uuid of the prompt's transcript entry (official: `SDKUserMessage.uuid`); default a fresh one. */
  promptUuid?: string;
  /** Model id, e.g. `claude-sonnet-4-5`. */
  model: string;
  /** The system prompt; omitted = none. */
  systemPrompt?: string | BetaTextBlockParam[];
  /** `max_tokens` of each API call. Default 8192. */
  maxTokens?: number;
  /** Extended thinking configuration, sent as is. */
  thinking?: BetaThinkingConfigParam;
  /**
   * Tools the API runs itself, sent as they are (e.g. `WEB_SEARCH_SERVER_TOOL`): their calls and
   * results arrive inside the model's message, so the executor runs nothing for them.
   */
  serverTools?: BetaToolUnion[];
  /** The tools the model may call. Omitted = no tools. */
  tools?: ToolRunner;
  /** Most API calls in this turn; reached with tool calls pending → `error_max_turns`. */
  maxTurns?: number;
  /** Spending limit of this turn in USD; exceeded before the model is done → `error_max_budget_usd`. */
  maxBudgetUsd?: number;
  /** Yield every raw streaming event as a `stream_event` message. Default false. */
  includePartialMessages?: boolean;
  /** Aborts the turn: the stream and running tools stop, the interruption is recorded. */
  signal?: AbortSignal;
  /** Continue from this entry instead of the latest one (official `resumeSessionAt`); a branch. */
  resumeAt?: string;
  /** Working directory recorded in entries and passed to tools. Default `process.cwd()`. */
  cwd?: string;
  /** False: load the session but write nothing. Default true. */
  persist?: boolean;
  /**
   * When another worker is running a turn of the same session: `'error'` (default) rejects with
   * `SessionConflictError`; `'retry'` waits and runs the whole turn again from a fresh load.
   */
  onConflict?: 'error' | 'retry';
  /** How many times `onConflict: 'retry'` tries again. Default 50. */
  maxConflictRetries?: number;
  /** API retry settings; missing fields take {@link DEFAULT_RETRY_POLICY}'s values. */
  retry?: Partial<RetryPolicy>;
  /** Price overrides by model id or family prefix (see `priceFor`). */
  prices?: Readonly<Record<string, ModelPrice>>;
  /** Reported in `system/init`; the executor runs every tool the runner offers. Default `'default'`. */
  permissionMode?: PermissionMode;
  /** How long the session lease lasts without renewal (stores with leases). Default 30 s: renewed every 10 s while the turn runs; after a crash the session is free again within it. */
  leaseTtlMs?: number;
  /**
   * Ask for a final answer matching a JSON Schema (official `outputFormat`): the model gets a
   * `StructuredOutput` tool, and the result carries `structured_output`.
   */
  outputFormat?: JsonSchemaOutputFormat;
  /** Re-prompts and rejected `StructuredOutput` calls before `error_max_structured_output_retries`. Default 5. */
  maxStructuredOutputRetries?: number;
  /**
   * Runs the turn as a subagent of `session` (the Agent tool does this): the transcript goes to
   * the sub-transcript `subagents/agent-<agentId>` as sidechain entries, messages carry
   * `parent_tool_use_id`, no `system/init` is yielded, and no lease is taken (the parent's turn
   * holds the session).
   */
  subagent?: { agentId: string; parentToolUseId: string };
  /** Permission checks and hooks of the turn (PreToolUse, PostToolUse, UserPromptSubmit, Stop). */
  hooks?: TurnHooks;
  /**
   * Automatic compaction (on by default: at 90% of a 200k-token window, judged by the last
   * response's usage). A `/compact [instructions]` prompt compacts now and runs no model turn.
   */
  compaction?: CompactionSettings;
  /** MCP servers and their status, reported in `system/init` (the tools come through `tools`). */
  mcpServers?: Array<{ name: string; status: string; source?: string }>;
};
