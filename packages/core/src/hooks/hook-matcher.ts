import { InvalidArgumentError } from '../errors.js';
import type { HookEvent, HookInput } from '../query/options.js';

/** Tests a match value (tool name, trigger, source…) against one `HookCallbackMatcher.matcher`. */
export type HookMatchTest = (value: string | undefined) => boolean;

// The input field each event's matcher is tested against (official); other events ignore matchers.
const MATCH_FIELDS: Partial<Record<HookEvent, string>> = {
  PreToolUse: 'tool_name',
  PostToolUse: 'tool_name',
  PostToolUseFailure: 'tool_name',
  PermissionRequest: 'tool_name',
  PermissionDenied: 'tool_name',
  PreCompact: 'trigger',
  PostCompact: 'trigger',
  SessionStart: 'source',
  SessionEnd: 'reason',
  SubagentStart: 'agent_type',
  SubagentStop: 'agent_type',
  Notification: 'notification_type',
};

/**
 * The value an event's matchers are tested against: the tool name for tool events, `trigger` for
 * PreCompact, `source` for SessionStart, `reason` for SessionEnd, `agent_type` for Subagent*.
 * `undefined` for events without matchers (UserPromptSubmit, Stop…): every hook of theirs runs.
 */
export function matchValueOf(input: HookInput): string | undefined {
  const field = MATCH_FIELDS[input.hook_event_name];
  if (field === undefined) return undefined;
  const value = input[field];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Compiles a matcher the official way: absent, `''` or `*` matches everything; a matcher of only
 * letters, digits, `_` and `|` is one exact name or a `|`-separated list of them (`Edit|Write`);
 * anything else is a regular expression tested against the value (`mcp__github__.*`, `Notebook.*`).
 * A value of `undefined` (an event without matchers) always matches.
 *
 * @throws InvalidArgumentError when the matcher is not a valid regular expression.
 */
export function compileHookMatcher(matcher: string | undefined): HookMatchTest {
  if (matcher === undefined || matcher === '' || matcher === '*') return () => true;
  if (/^[A-Za-z0-9_|]+$/.test(matcher)) {
    const names = new Set(matcher.split('|').filter((name) => name !== ''));
    return (value) => value === undefined || names.has(value);
  }
  let expression: RegExp;
  try {
    expression = new RegExp(matcher);
  } catch (error) {
    throw new InvalidArgumentError(`Hook matcher "${matcher}" is not a valid regular expression: ${(error as Error).message}`, 'hooks');
  }
  return (value) => value === undefined || expression.test(value);
}
