import type { UUID } from 'node:crypto';
import type { MessageParam } from '@anthropic-ai/sdk/resources';
import type { BetaMessage, BetaRawMessageStreamEvent, BetaUsage } from '@anthropic-ai/sdk/resources/beta/messages/messages';

/**
 * The messages a turn yields. Each type is structurally identical to the official
 * `@anthropic-ai/claude-agent-sdk` declaration of the same name (0.3.332, `sdk.d.ts`) for the
 * members listed here; optional members the executor never sets are left out, so a value of our
 * type is assignable to the official one. `@sdk/compat` re-exports these.
 */

/** The official SDK's category of an API failure. */
export type SDKAssistantMessageError =
  | 'authentication_failed'
  | 'oauth_org_not_allowed'
  | 'account_on_hold'
  | 'verification_required'
  | 'billing_error'
  | 'rate_limit'
  | 'overloaded'
  | 'invalid_request'
  | 'model_not_found'
  | 'server_error'
  | 'unknown'
  | 'max_output_tokens'
  | 'cloud_credential_error';

/** How tool permissions are handled (reported in `system/init`; the executor itself asks nobody). */
export type PermissionMode = 'default' | 'acceptEdits' | 'bypassPermissions' | 'plan' | 'dontAsk' | 'auto';

/** Where the API credential came from. */
export type ApiKeySource = 'ANTHROPIC_API_KEY' | 'apiKeyHelper' | '/login managed key' | 'none' | 'user' | 'project' | 'org' | 'temporary' | 'oauth';

/** Why a turn ended. */
export type TerminalReason =
  | 'blocking_limit'
  | 'rapid_refill_breaker'
  | 'prompt_too_long'
  | 'image_error'
  | 'model_error'
  | 'api_error'
  | 'malformed_tool_use_exhausted'
  | 'aborted_streaming'
  | 'aborted_tools'
  | 'stop_hook_prevented'
  | 'hook_stopped'
  | 'tool_deferred'
  | 'max_turns'
  | 'background_requested'
  | 'completed'
  | 'budget_exhausted'
  | 'structured_output_retry_exhausted'
  | 'tool_deferred_unavailable'
  | 'turn_setup_failed';

/** `BetaUsage` with every field present. */
export type NonNullableUsage = {
  [K in keyof BetaUsage]: K extends 'fallback_credit' ? BetaUsage[K] : NonNullable<BetaUsage[K]>;
};

/** Token and cost totals of one model. */
export type ModelUsage = {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  webSearchRequests: number;
  costUSD: number;
  contextWindow: number;
  maxOutputTokens: number;
  /** Which price table priced the model: `list` (bundled), `managed` (caller override), `unknown` (fallback). */
  costBasis?: 'list' | 'managed' | 'unknown';
};

/** A tool call the permission layer refused (the executor has none: always `[]`). */
export type SDKPermissionDenial = {
  tool_name: string;
  tool_use_id: string;
  tool_input: Record<string, unknown>;
};

/** First message of every turn: the session's setup. */
export type SDKSystemMessage = {
  type: 'system';
  subtype: 'init';
  apiKeySource: ApiKeySource;
  claude_code_version: string;
  cwd: string;
  tools: string[];
  mcp_servers: { name: string; status: string; source?: string }[];
  model: string;
  permissionMode: PermissionMode;
  slash_commands: string[];
  output_style: string;
  skills: string[];
  plugins: { name: string; path: string }[];
  uuid: UUID;
  session_id: string;
};

/** One completed content block of the model's answer (several share `message.id`). */
export type SDKAssistantMessage = {
  type: 'assistant';
  message: BetaMessage;
  parent_tool_use_id: string | null;
  error?: SDKAssistantMessageError;
  uuid: UUID;
  session_id: string;
  request_id?: string;
  /** ISO time the block completed. */
  timestamp?: string;
};

/** A user message: here, the result of a tool call. */
export type SDKUserMessage = {
  type: 'user';
  message: MessageParam;
  parent_tool_use_id: string | null;
  isSynthetic?: boolean;
  /** The tool's structured output (the transcript's `toolUseResult`). */
  tool_use_result?: unknown;
  timestamp?: string;
  uuid?: UUID;
  session_id?: string;
};

/** One raw streaming event, when `includePartialMessages` is set. */
export type SDKPartialAssistantMessage = {
  type: 'stream_event';
  event: BetaRawMessageStreamEvent;
  parent_tool_use_id: string | null;
  uuid: UUID;
  session_id: string;
  ttft_ms?: number;
};

/** An API call failed and will be retried after `retry_delay_ms`. */
export type SDKAPIRetryMessage = {
  type: 'system';
  subtype: 'api_retry';
  attempt: number;
  max_retries: number;
  retry_delay_ms: number;
  /** HTTP status; `null` for connection errors and broken streams. */
  error_status: number | null;
  error: SDKAssistantMessageError;
  uuid: UUID;
  session_id: string;
};

/** The outcome of a turn that completed. */
export type SDKResultSuccess = {
  type: 'result';
  subtype: 'success';
  duration_ms: number;
  duration_api_ms: number;
  is_error: boolean;
  num_turns: number;
  result: string;
  stop_reason: string | null;
  total_cost_usd: number;
  usage: NonNullableUsage;
  modelUsage: Record<string, ModelUsage>;
  permission_denials: SDKPermissionDenial[];
  /** The validated `StructuredOutput` tool input, when `outputFormat` asked for one. */
  structured_output?: unknown;
  /** The tool call a `PreToolUse` hook deferred (`terminal_reason: 'tool_deferred'`); resume the session to run it. */
  deferred_tool_use?: SDKDeferredToolUse;
  terminal_reason?: TerminalReason;
  uuid: UUID;
  session_id: string;
};

/** A tool call left pending by a `defer` decision, reported in the turn's result. */
export type SDKDeferredToolUse = {
  id: string;
  name: string;
  input: Record<string, unknown>;
};

/** The outcome of a turn that failed or hit a limit. */
export type SDKResultError = {
  type: 'result';
  subtype: 'error_during_execution' | 'error_max_turns' | 'error_max_budget_usd' | 'error_max_structured_output_retries';
  duration_ms: number;
  duration_api_ms: number;
  is_error: boolean;
  num_turns: number;
  stop_reason: string | null;
  total_cost_usd: number;
  usage: NonNullableUsage;
  modelUsage: Record<string, ModelUsage>;
  permission_denials: SDKPermissionDenial[];
  errors: string[];
  terminal_reason?: TerminalReason;
  uuid: UUID;
  session_id: string;
};

/** The last message of every turn. */
export type SDKResultMessage = SDKResultSuccess | SDKResultError;

/** The turn's session was compacted: history before this point is replaced by a summary. */
export type SDKCompactBoundaryMessage = {
  type: 'system';
  subtype: 'compact_boundary';
  compact_metadata: {
    trigger: 'manual' | 'auto';
    pre_tokens: number;
    post_tokens?: number;
    duration_ms?: number;
    /** The kept messages: spliced after `anchor_uuid` (the summary) when the session is loaded. */
    preserved_segment?: { head_uuid: UUID; anchor_uuid: UUID; tail_uuid: UUID };
    preserved_messages?: { anchor_uuid: UUID; uuids: UUID[] };
  };
  uuid: UUID;
  session_id: string;
};

/** What the session is busy with (`compacting`), and how a compaction ended. */
export type SDKStatusMessage = {
  type: 'system';
  subtype: 'status';
  status: 'compacting' | 'requesting' | null;
  compact_result?: 'success' | 'failed';
  compact_error?: string;
  uuid: UUID;
  session_id: string;
};

/** Every message a turn of the executor yields. */
export type SDKMessage =
  | SDKSystemMessage
  | SDKAssistantMessage
  | SDKUserMessage
  | SDKPartialAssistantMessage
  | SDKAPIRetryMessage
  | SDKCompactBoundaryMessage
  | SDKStatusMessage
  | SDKResultMessage;
