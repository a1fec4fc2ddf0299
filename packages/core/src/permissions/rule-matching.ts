import type { PermissionRuleValue } from '../query/options.js';
import type { ToolAccess } from '../tools/tool-access.js';
import { commandMatchesPattern, splitCompoundCommand } from './bash-command.js';
import { type PathAnchors, pathMatchesPattern } from './path-pattern.js';
import { canonicalToolName } from './rule-syntax.js';

/** The facts of one tool call a rule is checked against. */
export type RuleSubject = { toolName: string; access: ToolAccess | undefined };

/**
 * What a match is for. `approve` (allow rules) needs the rule to cover the whole call: every part
 * of a compound command, every path. `restrict` (deny and ask rules) needs it to cover any part.
 */
export type RuleMatchPurpose = 'approve' | 'restrict';

const SHELL_TOOLS = new Set(['Bash', 'PowerShell']);
// Read rules cover every tool that reads files, Edit rules every tool that changes them (official).
const READ_RULE_TOOLS = new Set(['Read', 'Glob', 'Grep', 'LS']);
const EDIT_RULE_TOOLS = new Set(['Edit', 'Write', 'MultiEdit', 'NotebookEdit']);

/** Does the rule's tool part name this tool? Handles `mcp__server` and `mcp__server__*`. */
export function ruleNamesTool(ruleToolName: string, toolName: string): boolean {
  const ruleName = canonicalToolName(ruleToolName);
  const name = canonicalToolName(toolName);
  if (ruleName === name) return true;
  if (!ruleName.startsWith('mcp__')) return false;
  const server = ruleName.endsWith('__*') ? ruleName.slice(0, -3) : ruleName;
  // `mcp__server` (no tool part) covers the whole server, as does `mcp__server__*`.
  const isServerRule = ruleName.endsWith('__*') || !ruleName.slice('mcp__'.length).includes('__');
  return isServerRule && name.startsWith(`${server}__`);
}

/**
 * Does the rule cover the call? A rule without content covers every call of its tool. A rule
 * with content is read by kind: shell rules (`Bash(npm test:*)`) against `access.command`, path
 * rules (`Read(./src/**)`, `Edit(//etc/**)`) against `access.paths` of calls of that access kind,
 * `WebFetch(domain:example.com)` against the host of `access.url`. Content on other tools cannot
 * be checked without tool-specific knowledge and covers nothing.
 */
export function ruleMatches(rule: PermissionRuleValue, subject: RuleSubject, purpose: RuleMatchPurpose, anchors: PathAnchors): boolean {
  const content = rule.ruleContent;
  if (content === undefined) return ruleNamesTool(rule.toolName, subject.toolName);
  const ruleName = canonicalToolName(rule.toolName);
  const access = subject.access;
  if (access === undefined) return false;
  if (SHELL_TOOLS.has(ruleName)) {
    return ruleNamesTool(ruleName, subject.toolName) && access.command !== undefined && commandMatches(access.command, content, purpose);
  }
  const pathKind = READ_RULE_TOOLS.has(ruleName) ? 'read' : EDIT_RULE_TOOLS.has(ruleName) ? 'edit' : undefined;
  if (pathKind !== undefined) {
    if (access.kind !== pathKind) return false;
    // A shell command that declares it only reads is still approved by Bash rules alone.
    if (purpose === 'approve' && access.command !== undefined) return false;
    return pathsMatch(access.paths, content, purpose, anchors);
  }
  if (ruleName === 'WebFetch') return ruleNamesTool(ruleName, subject.toolName) && urlMatches(access.url, content);
  return false;
}

function commandMatches(command: string, pattern: string, purpose: RuleMatchPurpose): boolean {
  const { parts, hasSubstitution } = splitCompoundCommand(command);
  if (purpose === 'restrict') {
    return commandMatchesPattern(command, pattern) || parts.some((part) => commandMatchesPattern(part, pattern));
  }
  if (hasSubstitution || parts.length === 0) return false;
  return parts.every((part) => commandMatchesPattern(part, pattern));
}

function pathsMatch(paths: readonly string[], pattern: string, purpose: RuleMatchPurpose, anchors: PathAnchors): boolean {
  if (purpose === 'restrict') return paths.some((path) => pathMatchesPattern(path, pattern, anchors));
  return paths.length > 0 && paths.every((path) => pathMatchesPattern(path, pattern, anchors));
}

function urlMatches(url: string | undefined, content: string): boolean {
  if (url === undefined || !content.startsWith('domain:')) return false;
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  const domain = content.slice('domain:'.length).trim().toLowerCase();
  if (domain.startsWith('*.')) return host.endsWith(domain.slice(1));
  return host === domain;
}

/**
 * For a compound command that an allow rule set covers only as a whole: is every part covered by
 * at least one of the rules (`npm test && git status` with `Bash(npm test:*)` and `Bash(git status)`)?
 */
export function commandCoveredByRules(command: string, rules: readonly PermissionRuleValue[], toolName: string): boolean {
  const { parts, hasSubstitution } = splitCompoundCommand(command);
  if (hasSubstitution || parts.length === 0) return false;
  return parts.every((part) =>
    rules.some((rule) => rule.ruleContent !== undefined && ruleNamesTool(rule.toolName, toolName) && commandMatchesPattern(part, rule.ruleContent)),
  );
}
