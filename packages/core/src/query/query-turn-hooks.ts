import type { TurnHooks } from '../executor/turn-hooks.js';
import { buildHookInput, type HookInputBase } from '../hooks/hook-inputs.js';
import type { HookOutcome } from '../hooks/hook-outcome.js';
import type { HookRunner } from '../hooks/hook-runner.js';
import type { SDKMessage } from '../messages.js';
import type { PermissionPolicy } from '../permissions/permission-policy.js';
import { promptText } from '../transcript/entries.js';

/** Where a query keeps its permission policy: `canUseTool` updates and `setPermissionMode()` replace it. */
export type PolicyHolder = { current: PermissionPolicy };

/** What {@link createQueryTurnHooks} composes. */
export type QueryTurnHooksOptions = {
  policy: PolicyHolder;
  /** The `hooks` option, compiled; `undefined` when none are registered. */
  hooks: HookRunner | undefined;
  /** The fields every hook input shares (session id, transcript path, cwd, permission mode). */
  base: () => HookInputBase;
  /** Emit the official `hook_started` / `hook_response` messages (`includeHookEvents`). */
  includeHookEvents: boolean;
  /** Context from SessionStart hooks, added to the next prompt once. */
  sessionContext?: string[];
};

/**
 * The executor's {@link TurnHooks} for one `query()`: the official hook events (PreToolUse,
 * PostToolUse, PostToolUseFailure, UserPromptSubmit, Stop) and the permission policy (rules,
 * mode, `canUseTool`), in the official order — PreToolUse hooks first, their decision handed to
 * the policy, which applies it at its place among the rules.
 */
export function createQueryTurnHooks(options: QueryTurnHooksOptions): TurnHooks {
  const { policy, hooks } = options;
  const pending: SDKMessage[] = [];
  let sessionContext = options.sessionContext ?? [];
  const collect = (outcome: HookOutcome): HookOutcome => {
    if (options.includeHookEvents) pending.push(...(outcome.events as SDKMessage[]));
    return outcome;
  };
  return {
    drainMessages: () => pending.splice(0),

    async promptSubmitted({ prompt, signal }) {
      const context = sessionContext;
      sessionContext = [];
      if (hooks === undefined || !hooks.has('UserPromptSubmit')) return { additionalContext: context };
      const input = buildHookInput('UserPromptSubmit', options.base(), { prompt: promptText(prompt), source: 'sdk' });
      const outcome = collect(await hooks.run('UserPromptSubmit', input, { signal }));
      if (!outcome.continue) return { stop: outcome.stopReason ?? 'Stopped by a UserPromptSubmit hook' };
      if (outcome.blockReason !== undefined) return { block: outcome.blockReason };
      return { additionalContext: [...context, ...outcome.additionalContext] };
    },

    async beforeTool({ toolUse, access, batchSize, signal }) {
      let input = (toolUse.input ?? {}) as Record<string, unknown>;
      let hookDecision: { decision: 'allow' | 'deny' | 'ask' | 'defer'; reason?: string } | undefined;
      if (hooks?.has('PreToolUse') === true) {
        const hookInput = buildHookInput('PreToolUse', options.base(), { tool_name: toolUse.name, tool_input: input, tool_use_id: toolUse.id });
        const outcome = collect(await hooks.run('PreToolUse', hookInput, { toolUseId: toolUse.id, matchValue: toolUse.name, signal }));
        if (!outcome.continue) return { behavior: 'stop', reason: outcome.stopReason ?? 'Stopped by a PreToolUse hook' };
        if (outcome.updatedInput !== undefined) input = outcome.updatedInput;
        // The CLI defers only a call made on its own (a sibling would be left without a result).
        if (outcome.permissionDecision !== undefined && !(outcome.permissionDecision === 'defer' && batchSize > 1)) {
          hookDecision = outcome.permissionDecisionReason === undefined ? { decision: outcome.permissionDecision } : { decision: outcome.permissionDecision, reason: outcome.permissionDecisionReason };
        }
      }
      const request = { toolName: toolUse.name, input, toolUseId: toolUse.id, access, signal };
      const decision = await policy.current.decide(hookDecision === undefined ? request : { ...request, hookDecision });
      if (decision.behavior === 'allow') {
        if (decision.updatedPermissions !== undefined && decision.updatedPermissions.length > 0) policy.current = policy.current.withUpdates(decision.updatedPermissions);
        return { behavior: 'allow', input: decision.input };
      }
      if (decision.behavior === 'deny') return { behavior: 'deny', message: decision.message, interrupt: decision.interrupt };
      if (batchSize > 1) return { behavior: 'deny', message: `${decision.message} (a call made together with others cannot wait for a later decision)` };
      return { behavior: 'defer', hookName: decision.reason === 'hook' ? 'PreToolUse' : 'canUseTool' };
    },

    async afterTool({ toolUse, outcome, signal }) {
      const failed = outcome.isError === true;
      const event = failed ? 'PostToolUseFailure' : 'PostToolUse';
      if (hooks?.has(event) !== true) return {};
      const toolInput = (toolUse.input ?? {}) as Record<string, unknown>;
      const hookInput = failed
        ? buildHookInput('PostToolUseFailure', options.base(), { tool_name: toolUse.name, tool_input: toolInput, tool_use_id: toolUse.id, error: typeof outcome.content === 'string' ? outcome.content : JSON.stringify(outcome.content) })
        : buildHookInput('PostToolUse', options.base(), { tool_name: toolUse.name, tool_input: toolInput, tool_response: outcome.structured ?? outcome.content, tool_use_id: toolUse.id });
      const result = collect(await hooks.run(event, hookInput, { toolUseId: toolUse.id, matchValue: toolUse.name, signal }));
      const additionalContext = [...result.additionalContext, ...(result.blockReason === undefined ? [] : [result.blockReason])];
      return result.continue ? { additionalContext } : { additionalContext, stop: result.stopReason ?? `Stopped by a ${event} hook` };
    },

    async compacting({ trigger, customInstructions, signal }) {
      if (hooks?.has('PreCompact') !== true) return;
      const input = buildHookInput('PreCompact', options.base(), { trigger, custom_instructions: customInstructions === '' ? null : customInstructions });
      collect(await hooks.run('PreCompact', input, { matchValue: trigger, signal }));
    },

    async stopping({ lastAssistantText, stopHookActive, signal }) {
      if (hooks?.has('Stop') !== true) return {};
      const input = buildHookInput('Stop', options.base(), { stop_hook_active: stopHookActive, last_assistant_message: lastAssistantText });
      const outcome = collect(await hooks.run('Stop', input, { signal }));
      return outcome.continue && outcome.blockReason !== undefined ? { continueWith: outcome.blockReason } : {};
    },
  };
}
