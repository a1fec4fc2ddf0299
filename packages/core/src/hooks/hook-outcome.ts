import type { HookEvent, SyncHookJSONOutput } from '../query/options.js';

/** A PreToolUse permission decision of a hook (official `HookPermissionDecision`). */
export type HookPermissionDecision = 'allow' | 'deny' | 'ask' | 'defer';

/** What all hooks of one event run said, folded by the official rules. */
export type HookOutcome = {
  /** `false` when any hook answered `continue: false`: stop the whole turn (terminal reason `hook_stopped`). */
  continue: boolean;
  /** The `stopReason` of the first hook that answered `continue: false`. */
  stopReason?: string;
  /**
   * Set when a hook answered `decision: 'block'` (or failed with `onFailure: 'block'`): on
   * UserPromptSubmit the prompt is refused, on Stop / SubagentStop the agent keeps going with this
   * as its instruction, on PostToolUse it is feedback to the model. Reasons of several hooks are
   * joined by newlines. On PreToolUse a block is a `permissionDecision` of `deny` instead.
   */
  blockReason?: string;
  /** PreToolUse: the strongest decision of all hooks, deny over defer over ask over allow. */
  permissionDecision?: HookPermissionDecision;
  /** The reason the hook that gave {@link permissionDecision} stated. */
  permissionDecisionReason?: string;
  /** PreToolUse: the input to run the tool with (last hook that gave one); absent when denied. */
  updatedInput?: Record<string, unknown>;
  /** `additionalContext` of every hook, in registration order, for the model. */
  additionalContext: string[];
  /** `systemMessage` of every hook, for the user (not the model). */
  systemMessages: string[];
  /** PostToolUse: replaces the tool output sent to the model (last hook that gave one). */
  updatedToolOutput?: unknown;
  /** PostToolUse: replaces the output of an MCP tool only (official; prefer `updatedToolOutput`). */
  updatedMCPToolOutput?: unknown;
  /** Hooks that threw, timed out or answered something invalid, one message each (the official warnings). */
  errors: string[];
  /**
   * The official `system` messages `hook_started` and `hook_response` (with `uuid` and
   * `session_id`), in the order they happened: emit them when `includeHookEvents` is on.
   */
  events: Array<Record<string, unknown>>;
};

/** How one hook callback ended. */
export type HookCallbackResult =
  | { status: 'success'; output: SyncHookJSONOutput | { async: true } }
  | { status: 'error'; message: string; onFailure: 'continue' | 'block' }
  | { status: 'cancelled' };

const DECISION_RANK: Record<HookPermissionDecision, number> = { allow: 0, ask: 1, defer: 2, deny: 3 };
// Events whose hooks guard nothing a failure could block (official: onFailure is ignored on them).
const FAILURE_NEVER_BLOCKS = new Set<HookEvent>(['Stop', 'SubagentStop', 'TaskCompleted', 'TeammateIdle']);

/** Folds the results of one event's hooks (in registration order) into a {@link HookOutcome}. */
export function foldHookResults(event: HookEvent, results: readonly HookCallbackResult[], events: Array<Record<string, unknown>>): HookOutcome {
  const outcome: HookOutcome = { continue: true, additionalContext: [], systemMessages: [], errors: [], events };
  const blockReasons: string[] = [];
  let decision: { value: HookPermissionDecision; reason: string | undefined } | undefined;
  const propose = (value: HookPermissionDecision, reason: string | undefined): void => {
    if (decision === undefined || DECISION_RANK[value] > DECISION_RANK[decision.value]) decision = { value, reason };
  };
  const block = (reason: string): void => {
    if (event === 'PreToolUse') propose('deny', reason);
    else blockReasons.push(reason);
  };

  for (const result of results) {
    if (result.status === 'cancelled') continue;
    if (result.status === 'error') {
      outcome.errors.push(result.message);
      if (result.onFailure === 'block' && !FAILURE_NEVER_BLOCKS.has(event)) block(result.message);
      continue;
    }
    // An async answer means the hook goes on in the background: it decides nothing.
    if ('async' in result.output && result.output.async === true) continue;
    const output = result.output as SyncHookJSONOutput;
    if (output.continue === false) {
      if (outcome.continue) {
        outcome.continue = false;
        if (output.stopReason !== undefined) outcome.stopReason = output.stopReason;
      }
    }
    if (typeof output.systemMessage === 'string' && output.systemMessage !== '') outcome.systemMessages.push(output.systemMessage);
    // The deprecated top-level decision still works: approve/block mean allow/deny on PreToolUse.
    if (output.decision === 'block') block(output.reason ?? `Blocked by a ${event} hook`);
    if (output.decision === 'approve' && event === 'PreToolUse') propose('allow', output.reason);
    const specific = output.hookSpecificOutput;
    if (specific === undefined) continue;
    const permissionDecision = specific.permissionDecision;
    if (event === 'PreToolUse' && typeof permissionDecision === 'string' && permissionDecision in DECISION_RANK) {
      const reason = specific.permissionDecisionReason;
      propose(permissionDecision as HookPermissionDecision, typeof reason === 'string' ? reason : undefined);
    }
    if (isRecord(specific.updatedInput)) outcome.updatedInput = specific.updatedInput;
    if (typeof specific.additionalContext === 'string' && specific.additionalContext !== '') outcome.additionalContext.push(specific.additionalContext);
    if ('updatedToolOutput' in specific) outcome.updatedToolOutput = specific.updatedToolOutput;
    if ('updatedMCPToolOutput' in specific) outcome.updatedMCPToolOutput = specific.updatedMCPToolOutput;
  }

  if (decision !== undefined) {
    outcome.permissionDecision = decision.value;
    if (decision.reason !== undefined) outcome.permissionDecisionReason = decision.reason;
    if (decision.value === 'deny') delete outcome.updatedInput;
  }
  if (blockReasons.length > 0) outcome.blockReason = blockReasons.join('\n');
  return outcome;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
