import { randomUUID } from 'node:crypto';
import { dirname, resolve, sep } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import type { PermissionMode } from '../messages.js';
import type {
  CanUseTool,
  PermissionBehavior,
  PermissionResult,
  PermissionRuleValue,
  PermissionUpdate,
  PermissionUpdateDestination,
} from '../query/options.js';
import type { ToolAccess } from '../tools/tool-access.js';
import { baseCommandOf, splitCompoundCommand } from './bash-command.js';
import { isInsideDirectories } from './path-pattern.js';
import { commandCoveredByRules, ruleMatches, type RuleSubject } from './rule-matching.js';
import { canonicalToolName, formatPermissionRule, parsePermissionRule } from './rule-syntax.js';

/** One tool call to decide. */
export type PermissionRequest = {
  toolName: string;
  input: Record<string, unknown>;
  toolUseId: string;
  /** What the call touches, as its tool declares it; `undefined` reads as `{ kind: 'other', paths: [] }`. */
  access: ToolAccess | undefined;
  /** Passed to `canUseTool`; aborts with the turn. */
  signal: AbortSignal;
  /** Set when the call comes from a subagent (passed to `canUseTool` as `agentID`). */
  agentId?: string;
  /**
   * What the PreToolUse hooks decided for this call (`HookOutcome.permissionDecision` and its
   * reason), so the policy applies it at its official place in the evaluation order.
   */
  hookDecision?: { decision: 'allow' | 'deny' | 'ask' | 'defer'; reason?: string };
};

/**
 * Why a decision was made: `mode` (the permission mode decided), `rule` (an allow or deny rule),
 * `readOnly` (a read inside the working directories, which needs no approval), `canUseTool` (the
 * callback answered, or failed), `hook` (a PreToolUse hook decided), `noApprover` (the call needed
 * approval and no `canUseTool` was given: denied, as the official SDK does).
 */
export type PermissionDecisionReason = 'mode' | 'rule' | 'readOnly' | 'canUseTool' | 'hook' | 'noApprover';

/** The outcome of {@link PermissionPolicy.decide}. */
export type PermissionDecision =
  | {
      behavior: 'allow';
      /** The input to run the tool with: `updatedInput` of `canUseTool` when it gave one. */
      input: Record<string, unknown>;
      reason: PermissionDecisionReason;
      /** The rule that allowed the call (official syntax), when `reason` is `rule`. */
      rule?: string;
      /** The `updatedPermissions` of a `canUseTool` allow: apply them with {@link PermissionPolicy.withUpdates}. */
      updatedPermissions?: PermissionUpdate[];
    }
  | {
      behavior: 'deny';
      /** What the model is told (the `tool_result` text). */
      message: string;
      /** `canUseTool` asked to stop the whole turn, not just this call. */
      interrupt: boolean;
      reason: PermissionDecisionReason;
      /** The rule that denied the call (official syntax), when `reason` is `rule`. */
      rule?: string;
    }
  | {
      /**
       * Nobody decided yet: `canUseTool` returned `null` (it answers out of band) or a PreToolUse
       * hook answered `defer`. The turn ends with the call pending; the answer comes later, on any
       * worker, through {@link PermissionPolicy.applyAnswer}.
       */
      behavior: 'defer';
      reason: 'canUseTool' | 'hook';
      message: string;
    };

/** Options of a {@link PermissionPolicy}: the official `query()` options it reads. */
export type PermissionPolicyOptions = {
  mode: PermissionMode;
  /** Allow rules (official `allowedTools`). */
  allowedTools?: readonly string[];
  /** Deny rules (official `disallowedTools`). */
  disallowedTools?: readonly string[];
  /** Ask rules (the `permissions.ask` of settings; the SDK has no option for them). */
  askTools?: readonly string[];
  canUseTool?: CanUseTool;
  cwd: string;
  additionalDirectories?: readonly string[];
  /** Anchor of `~/` in path rules; default: the user's home directory. */
  home?: string;
};

type SourcedRule = { rule: PermissionRuleValue; behavior: PermissionBehavior; source: PermissionUpdateDestination };

type PolicyState = {
  mode: PermissionMode;
  rules: readonly SourcedRule[];
  canUseTool: CanUseTool | undefined;
  cwd: string;
  additionalDirectories: readonly string[];
  home: string | undefined;
};

type Ask = { decisionReason: string; blockedPath?: string; suggestions: PermissionUpdate[] };

const PERMISSION_MODES: ReadonlySet<string> = new Set<PermissionMode>(['default', 'acceptEdits', 'bypassPermissions', 'plan', 'dontAsk', 'auto']);

// The commands acceptEdits approves inside the working directories (official list).
const FILESYSTEM_COMMANDS = new Set(['mkdir', 'touch', 'rm', 'rmdir', 'mv', 'cp', 'sed']);
// Paths acceptEdits still asks for: changing them changes how the repository or Claude behave.
const PROTECTED_SEGMENTS = new Set(['.git', '.claude']);

/**
 * Decides whether tool calls may run, in the official order: PreToolUse hook deny → deny rules →
 * ask rules → hook defer / ask / allow → permission mode (and reads inside the working
 * directories) → allow rules → `canUseTool` (denied instead in `dontAsk` mode, or when no
 * `canUseTool` is given). Immutable: permission updates and mode changes return a new policy.
 * See docs/permissions.md.
 */
export class PermissionPolicy {
  private readonly state: PolicyState;

  /** @throws InvalidArgumentError when the mode is unknown or a rule in `allowedTools`, `disallowedTools` or `askTools` is malformed. */
  constructor(options: PermissionPolicyOptions) {
    assertPermissionMode(options.mode);
    const sourced = (entries: readonly string[] | undefined, behavior: PermissionBehavior, argument: string): SourcedRule[] =>
      (entries ?? []).map((entry) => ({ rule: parsePermissionRule(entry, argument), behavior, source: 'cliArg' }));
    this.state = {
      mode: options.mode,
      rules: [
        ...sourced(options.disallowedTools, 'deny', 'disallowedTools'),
        ...sourced(options.askTools, 'ask', 'askTools'),
        ...sourced(options.allowedTools, 'allow', 'allowedTools'),
      ],
      canUseTool: options.canUseTool,
      cwd: resolve(options.cwd),
      additionalDirectories: (options.additionalDirectories ?? []).map((directory) => resolve(options.cwd, directory)),
      home: options.home,
    };
  }

  /** The permission mode in effect. */
  get mode(): PermissionMode {
    return this.state.mode;
  }

  /** The working directory and the additional directories, absolute. */
  get workingDirectories(): string[] {
    return [this.state.cwd, ...this.state.additionalDirectories];
  }

  /** The rules in effect, in the official syntax, by behavior. */
  rules(behavior: PermissionBehavior): string[] {
    return this.state.rules.filter((entry) => entry.behavior === behavior).map((entry) => formatPermissionRule(entry.rule));
  }

  /** Decides one tool call. Never throws for a failing `canUseTool`: that is a deny. */
  async decide(request: PermissionRequest): Promise<PermissionDecision> {
    const { toolName, hookDecision } = request;
    const subject: RuleSubject = { toolName, access: request.access };
    const access = request.access ?? { kind: 'other', paths: [] };
    if (hookDecision?.decision === 'deny') {
      return { behavior: 'deny', message: hookDecision.reason ?? `${toolName} was denied by a PreToolUse hook`, interrupt: false, reason: 'hook' };
    }
    const denied = this.denyingRule(subject);
    if (denied !== undefined) return denied;
    const askRule = this.matchingRule('ask', subject, 'restrict');
    if (askRule !== undefined) return this.ask(request, this.askFor(request, `The rule ${askRule} requires approval`));
    if (hookDecision?.decision === 'defer') {
      return { behavior: 'defer', reason: 'hook', message: hookDecision.reason ?? `A PreToolUse hook deferred the decision on ${toolName}` };
    }
    if (hookDecision?.decision === 'ask') return this.ask(request, this.askFor(request, hookDecision.reason ?? 'A PreToolUse hook asked for approval'));
    if (hookDecision?.decision === 'allow') return { behavior: 'allow', input: request.input, reason: 'hook' };

    const mode = this.state.mode;
    if (mode === 'bypassPermissions') return { behavior: 'allow', input: request.input, reason: 'mode' };
    const outside = access.paths.find((path) => !isInsideDirectories(path, this.workingDirectories));
    if (access.kind === 'read' && outside === undefined) return { behavior: 'allow', input: request.input, reason: 'readOnly' };
    if (mode === 'acceptEdits' && outside === undefined && this.acceptsEdit(access)) return { behavior: 'allow', input: request.input, reason: 'mode' };
    if (mode === 'plan' && (access.kind === 'edit' || access.kind === 'execute')) {
      return this.ask(request, this.askFor(request, `Plan mode: ${toolName} would change files or run commands`));
    }

    const allowRule = this.matchingRule('allow', subject, 'approve');
    if (allowRule !== undefined) return { behavior: 'allow', input: request.input, reason: 'rule', rule: allowRule };
    const allowRules = this.state.rules.filter((entry) => entry.behavior === 'allow').map((entry) => entry.rule);
    if (access.command !== undefined && commandCoveredByRules(access.command, allowRules, toolName)) {
      return { behavior: 'allow', input: request.input, reason: 'rule' };
    }
    const why = outside === undefined ? `${toolName} requires approval` : `${outside} is outside the allowed working directories`;
    return this.ask(request, this.askFor(request, why, outside));
  }

  /**
   * Turns an answer given later (to a deferred call, on any worker) into a decision, as if
   * `canUseTool` had returned it: deny rules in effect now still win, `updatedInput` replaces the
   * input, `updatedPermissions` are carried for {@link withUpdates}.
   */
  applyAnswer(request: Pick<PermissionRequest, 'toolName' | 'input' | 'access'>, answer: PermissionResult): PermissionDecision {
    const denied = this.denyingRule({ toolName: request.toolName, access: request.access });
    return denied ?? decisionOfAnswer(answer, request.input);
  }

  /**
   * A new policy with the rules, mode and directories of `updates` applied (the `updatedPermissions`
   * of a `canUseTool` answer), for the rest of the query. Every destination applies to this query
   * only: the SDK writes no settings files. `replaceRules` and `removeRules` touch only rules of
   * the same destination (the options' rules are `cliArg`).
   *
   * @throws InvalidArgumentError on an update of an unknown type or with a malformed rule.
   */
  withUpdates(updates: readonly PermissionUpdate[]): PermissionPolicy {
    let { mode, rules, additionalDirectories } = this.state;
    for (const update of updates) {
      switch (update.type) {
        case 'addRules':
        case 'replaceRules':
        case 'removeRules': {
          const incoming = update.rules.map((rule) => ({ rule: normalizedRule(rule), behavior: update.behavior, source: update.destination }));
          const sameGroup = (entry: SourcedRule): boolean => entry.behavior === update.behavior && entry.source === update.destination;
          if (update.type === 'replaceRules') rules = [...rules.filter((entry) => !sameGroup(entry)), ...incoming];
          else if (update.type === 'addRules') rules = [...rules, ...incoming];
          else {
            const removed = new Set(incoming.map((entry) => formatPermissionRule(entry.rule)));
            rules = rules.filter((entry) => !(sameGroup(entry) && removed.has(formatPermissionRule(entry.rule))));
          }
          break;
        }
        case 'setMode':
          assertPermissionMode(update.mode);
          mode = update.mode;
          break;
        case 'addDirectories':
          additionalDirectories = [...additionalDirectories, ...update.directories.map((directory) => resolve(this.state.cwd, directory))];
          break;
        case 'removeDirectories': {
          const removed = new Set(update.directories.map((directory) => resolve(this.state.cwd, directory)));
          additionalDirectories = additionalDirectories.filter((directory) => !removed.has(directory));
          break;
        }
        default:
          throw new InvalidArgumentError(`Unknown permission update type "${(update as { type?: unknown }).type as string}"`, 'updatedPermissions');
      }
    }
    return PermissionPolicy.fromState({ ...this.state, mode, rules, additionalDirectories });
  }

  /** A new policy in another permission mode (official `setPermissionMode`). */
  withMode(mode: PermissionMode): PermissionPolicy {
    assertPermissionMode(mode);
    return PermissionPolicy.fromState({ ...this.state, mode });
  }

  private static fromState(state: PolicyState): PermissionPolicy {
    const policy = Object.create(PermissionPolicy.prototype) as PermissionPolicy;
    Object.defineProperty(policy, 'state', { value: state, enumerable: false });
    return policy;
  }

  private denyingRule(subject: RuleSubject): PermissionDecision | undefined {
    const rule = this.matchingRule('deny', subject, 'restrict');
    if (rule === undefined) return undefined;
    // The official wording, which names the command of shell calls.
    const command = subject.access?.command;
    const what = command === undefined ? subject.toolName : `${subject.toolName} with command ${command}`;
    return { behavior: 'deny', message: `Permission to use ${what} has been denied.`, interrupt: false, reason: 'rule', rule };
  }

  private matchingRule(behavior: PermissionBehavior, subject: RuleSubject, purpose: 'approve' | 'restrict'): string | undefined {
    const anchors = this.state.home === undefined ? { cwd: this.state.cwd } : { cwd: this.state.cwd, home: this.state.home };
    const found = this.state.rules.find((entry) => entry.behavior === behavior && ruleMatches(entry.rule, subject, purpose, anchors));
    return found === undefined ? undefined : formatPermissionRule(found.rule);
  }

  private acceptsEdit(access: ToolAccess): boolean {
    if (access.paths.some(isProtectedPath)) return false;
    if (access.kind === 'edit') return true;
    if (access.kind !== 'execute' || access.command === undefined) return false;
    const { parts, hasSubstitution } = splitCompoundCommand(access.command);
    return !hasSubstitution && parts.length > 0 && parts.every((part) => FILESYSTEM_COMMANDS.has(baseCommandOf(part)));
  }

  private askFor(request: PermissionRequest, decisionReason: string, blockedPath?: string): Ask {
    const suggestions: PermissionUpdate[] = [];
    const access = request.access;
    if (access?.command !== undefined) {
      const parts = splitCompoundCommand(access.command).parts.slice(0, 5);
      suggestions.push({ type: 'addRules', rules: parts.map((part) => ({ toolName: request.toolName, ruleContent: part })), behavior: 'allow', destination: 'session' });
    } else {
      suggestions.push({ type: 'addRules', rules: [{ toolName: request.toolName }], behavior: 'allow', destination: 'session' });
    }
    if (access?.kind === 'edit' && this.state.mode === 'default') suggestions.push({ type: 'setMode', mode: 'acceptEdits', destination: 'session' });
    if (blockedPath !== undefined) suggestions.push({ type: 'addDirectories', directories: [dirname(blockedPath)], destination: 'session' });
    return blockedPath === undefined ? { decisionReason, suggestions } : { decisionReason, blockedPath, suggestions };
  }

  private async ask(request: PermissionRequest, ask: Ask): Promise<PermissionDecision> {
    const { toolName } = request;
    if (this.state.mode === 'dontAsk') {
      return { behavior: 'deny', message: `Permission to use ${toolName} has been denied because Claude Code is running in don't ask mode.`, interrupt: false, reason: 'mode' };
    }
    const canUseTool = this.state.canUseTool;
    if (canUseTool === undefined) {
      return { behavior: 'deny', message: `Claude requested permissions to use ${toolName}, but you haven't granted it yet.`, interrupt: false, reason: 'noApprover' };
    }
    let answer: PermissionResult | null;
    try {
      answer = await canUseTool(toolName, request.input, {
        signal: request.signal,
        suggestions: ask.suggestions,
        ...(ask.blockedPath === undefined ? {} : { blockedPath: ask.blockedPath }),
        decisionReason: ask.decisionReason,
        toolUseID: request.toolUseId,
        ...(request.agentId === undefined ? {} : { agentID: request.agentId }),
        requestId: randomUUID(),
      });
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      return { behavior: 'deny', message: `canUseTool failed for ${toolName}: ${detail}`, interrupt: false, reason: 'canUseTool' };
    }
    if (answer === null) return { behavior: 'defer', reason: 'canUseTool', message: `canUseTool deferred the decision on ${toolName}` };
    return decisionOfAnswer(answer, request.input);
  }
}

function decisionOfAnswer(answer: unknown, input: Record<string, unknown>): PermissionDecision {
  const result = (typeof answer === 'object' && answer !== null ? answer : {}) as Partial<Record<string, unknown>>;
  if (result.behavior === 'allow') {
    const updatedInput = result.updatedInput;
    const decided = { behavior: 'allow' as const, input: isRecord(updatedInput) ? updatedInput : input, reason: 'canUseTool' as const };
    return Array.isArray(result.updatedPermissions) ? { ...decided, updatedPermissions: result.updatedPermissions as PermissionUpdate[] } : decided;
  }
  if (result.behavior === 'deny') {
    const message = typeof result.message === 'string' && result.message !== '' ? result.message : 'Denied by canUseTool';
    return { behavior: 'deny', message, interrupt: result.interrupt === true, reason: 'canUseTool' };
  }
  return { behavior: 'deny', message: `canUseTool returned no valid answer (behavior must be "allow" or "deny")`, interrupt: false, reason: 'canUseTool' };
}

function assertPermissionMode(mode: string): void {
  if (!PERMISSION_MODES.has(mode)) throw new InvalidArgumentError(`Unknown permission mode "${mode}"`, 'permissionMode');
}

function normalizedRule(rule: PermissionRuleValue): PermissionRuleValue {
  return parsePermissionRule(formatPermissionRule({ ...rule, toolName: canonicalToolName(rule.toolName) }), 'updatedPermissions');
}

function isProtectedPath(path: string): boolean {
  return resolve(path).split(sep).some((segment) => PROTECTED_SEGMENTS.has(segment));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
