import type { BetaContentBlockParam, BetaToolUseBlock } from '@anthropic-ai/sdk/resources/beta/messages/messages';
import type { SDKMessage } from '../messages.js';
import type { ToolAccess } from '../tools/tool-access.js';
import type { ToolOutcome } from '../tools/tool-runner.js';

/**
 * The decision points of a turn, as plain async functions: permissions, `canUseTool` and the
 * official hook events are composed into these by `query()` (see `createTurnHooks`); executor users
 * may write their own. Each runs in the turn that needs it and keeps nothing afterwards.
 */
export type TurnHooks = {
  /** Before the prompt is stored and sent (UserPromptSubmit). */
  promptSubmitted?: (event: { prompt: string | BetaContentBlockParam[]; signal: AbortSignal }) => Promise<PromptDecision>;
  /** Before each tool call (PreToolUse, permission rules and modes, `canUseTool`). */
  beforeTool?: (call: ToolCallCheck) => Promise<ToolCallDecision>;
  /** After each tool call (PostToolUse / PostToolUseFailure). */
  afterTool?: (call: ToolCallCheck & { outcome: ToolOutcome }) => Promise<AfterToolDecision>;
  /** When the model ends its turn (Stop): may send it back to work. */
  stopping?: (event: { lastAssistantText: string; stopHookActive: boolean; signal: AbortSignal }) => Promise<StopDecision>;
  /** Before a compaction summarizes the session (PreCompact). */
  compacting?: (event: { trigger: 'manual' | 'auto'; customInstructions: string; signal: AbortSignal }) => Promise<void>;
  /** Messages the hooks want shown to the caller (`includeHookEvents`), drained after each point. */
  drainMessages?: () => SDKMessage[];
};

/** One tool call about to run. */
export type ToolCallCheck = {
  toolUse: BetaToolUseBlock;
  /** What the call touches, when its tool declares it. */
  access: ToolAccess | undefined;
  /** How many calls the model made in this message (`defer` is only for a call on its own). */
  batchSize: number;
  /** The call was deferred in an earlier turn and is being decided again. */
  resumingDeferred: boolean;
  signal: AbortSignal;
};

/** Whether a tool call runs. */
export type ToolCallDecision =
  | { behavior: 'allow'; /** Replaces the model's input. */ input?: Record<string, unknown> }
  | { behavior: 'deny'; message: string; /** Also end the turn (`canUseTool` deny with `interrupt`). */ interrupt?: boolean }
  /** Leave the call pending: the turn ends with `terminal_reason: 'tool_deferred'`; a later turn decides again. */
  | { behavior: 'defer'; hookName?: string }
  /** End the turn now (a hook's `continue: false`). */
  | { behavior: 'stop'; reason: string };

/** What happens to a prompt. */
export type PromptDecision = {
  /** Refuse the prompt: nothing is sent; the reason is the turn's error. */
  block?: string;
  /** Text added to the prompt for the model, after it. */
  additionalContext?: string[];
  /** End the turn before the API call (a hook's `continue: false`). */
  stop?: string;
};

/** What follows a tool call. */
export type AfterToolDecision = {
  /** Text added to the tool result for the model. */
  additionalContext?: string[];
  /** End the turn after this result (a hook's `continue: false`). */
  stop?: string;
};

/** Whether the turn really ends. */
export type StopDecision = {
  /** Send the model back to work with this reason (a Stop hook's `decision: 'block'`). */
  continueWith?: string;
};
