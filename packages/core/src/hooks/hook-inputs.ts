import type { BaseHookInput } from '../query/options.js';

/** The fields every hook input shares; the executor knows them once per turn. */
export type HookInputBase = {
  session_id: string;
  /** Where the transcript is (a store key rendered as a path when the store is not a file store). */
  transcript_path: string;
  cwd: string;
  permission_mode?: string | undefined;
  prompt_id?: string | undefined;
  /** Set only when the hook fires inside a subagent. */
  agent_id?: string | undefined;
  agent_type?: string | undefined;
};

/** The official event-specific fields of the events this SDK fires. */
export type HookEventFields = {
  PreToolUse: { tool_name: string; tool_input: unknown; tool_use_id: string };
  PostToolUse: { tool_name: string; tool_input: unknown; tool_response: unknown; tool_use_id: string; duration_ms?: number };
  PostToolUseFailure: { tool_name: string; tool_input: unknown; tool_use_id: string; error: string; is_interrupt?: boolean; duration_ms?: number };
  UserPromptSubmit: { prompt: string; source?: 'user' | 'sdk' | 'system'; session_title?: string };
  Stop: { stop_hook_active: boolean; last_assistant_message?: string };
  SessionStart: { source: 'startup' | 'resume' | 'clear' | 'compact' | 'fork'; agent_type?: string; model?: string };
  SessionEnd: { reason: 'clear' | 'resume' | 'logout' | 'prompt_input_exit' | 'other' };
  SubagentStart: { agent_id: string; agent_type: string };
  SubagentStop: { stop_hook_active: boolean; agent_id: string; agent_transcript_path: string; agent_type: string; last_assistant_message?: string };
  PreCompact: { trigger: 'manual' | 'auto'; custom_instructions: string | null };
};

/** An event this SDK fires, with an input builder. */
export type FiredHookEvent = keyof HookEventFields;

/** The official input object of `event` (`PreToolUseHookInput`, `StopHookInput`…). */
export type HookInputOf<E extends FiredHookEvent> = BaseHookInput & { hook_event_name: E } & HookEventFields[E];

/**
 * Builds the official input object of one event from the shared fields and the event's own.
 * Shared fields that are `undefined` are left out, as the CLI leaves them out.
 */
export function buildHookInput<E extends FiredHookEvent>(event: E, base: HookInputBase, fields: HookEventFields[E]): HookInputOf<E> {
  const shared: BaseHookInput = { session_id: base.session_id, transcript_path: base.transcript_path, cwd: base.cwd };
  if (base.permission_mode !== undefined) shared.permission_mode = base.permission_mode;
  if (base.prompt_id !== undefined) shared.prompt_id = base.prompt_id;
  if (base.agent_id !== undefined) shared.agent_id = base.agent_id;
  if (base.agent_type !== undefined) shared.agent_type = base.agent_type;
  return Object.assign(shared, { hook_event_name: event }, fields);
}
