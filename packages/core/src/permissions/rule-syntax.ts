import { InvalidArgumentError } from '../errors.js';
import type { PermissionRuleValue } from '../query/options.js';

/**
 * Old tool names the official engine still accepts in rules, matchers, `tools` and
 * `disallowedTools` (the runtime `LEGACY_TOOL_NAME_ALIASES` of the official package).
 */
export const LEGACY_TOOL_NAME_ALIASES: Readonly<Record<string, string>> = {
  Task: 'Agent',
  KillShell: 'TaskStop',
  KillBash: 'TaskStop',
  ListPeers: 'ListAgents',
  Brief: 'SendUserMessage',
  ListMcpResources: 'ListMcpResourcesTool',
  ReadMcpResource: 'ReadMcpResourceTool',
  ReadMcpResourceDir: 'ReadMcpResourceDirTool',
  ProposeGoal: 'SetGoal',
};

/** The current name of a tool, also when a rule spells it by a legacy name (`Task` → `Agent`). */
export function canonicalToolName(name: string): string {
  return LEGACY_TOOL_NAME_ALIASES[name] ?? name;
}

// MCP names carry server keys, which may hold hyphens and dots; `*` only as `mcp__server__*`.
const TOOL_NAME = /^[A-Za-z0-9_.-]+(?:__\*)?$/;

/**
 * Parses one permission rule in the official syntax: `Tool` or `Tool(content)`, such as `Bash`,
 * `Bash(npm test:*)`, `Read(./src/**)`, `WebFetch(domain:example.com)`, `mcp__github` or
 * `mcp__github__*`. Parentheses inside the content may be escaped as `\(` and `\)`. `Tool()` and
 * `Tool(*)` mean the whole tool, as in the official engine.
 *
 * @throws InvalidArgumentError when the rule is empty, has no tool name, unbalanced parentheses,
 *   text after the closing parenthesis, or content on an MCP rule.
 */
export function parsePermissionRule(text: string, argument = 'rule'): PermissionRuleValue {
  const rule = text.trim();
  if (rule === '') throw new InvalidArgumentError(`Permission rule is empty`, argument);
  const open = rule.indexOf('(');
  if (open === -1) {
    if (rule.includes(')')) throw new InvalidArgumentError(`Permission rule "${text}" has a ")" without "("`, argument);
    return { toolName: checkedToolName(rule, text, argument) };
  }
  if (!rule.endsWith(')') || rule.endsWith('\\)')) {
    throw new InvalidArgumentError(`Permission rule "${text}" must end with ")" closing the "(" after the tool name`, argument);
  }
  const toolName = checkedToolName(rule.slice(0, open), text, argument);
  const content = unescapeContent(rule.slice(open + 1, -1), text, argument);
  if (content === '' || content === '*') return { toolName };
  if (toolName.startsWith('mcp__')) {
    throw new InvalidArgumentError(`Permission rule "${text}": MCP rules take no content; name the tool (mcp__server__tool)`, argument);
  }
  return { toolName, ruleContent: content };
}

/** The rule as the official syntax writes it; the inverse of {@link parsePermissionRule}. */
export function formatPermissionRule(rule: PermissionRuleValue): string {
  if (rule.ruleContent === undefined || rule.ruleContent === '') return rule.toolName;
  return `${rule.toolName}(${rule.ruleContent.replace(/[()]/g, (parenthesis) => `\\${parenthesis}`)})`;
}

function checkedToolName(name: string, text: string, argument: string): string {
  if (name === '') throw new InvalidArgumentError(`Permission rule "${text}" has no tool name before "("`, argument);
  if (!TOOL_NAME.test(name)) {
    throw new InvalidArgumentError(`Permission rule "${text}": "${name}" is not a tool name (letters, digits, "_", "-", ".")`, argument);
  }
  return canonicalToolName(name);
}

// Unescaped parentheses must balance, so `Bash(a) b(c)` is refused rather than read as one rule.
function unescapeContent(raw: string, text: string, argument: string): string {
  let depth = 0;
  let content = '';
  for (let index = 0; index < raw.length; index += 1) {
    const character = raw.charAt(index);
    const next = raw.charAt(index + 1);
    if (character === '\\' && (next === '(' || next === ')')) {
      content += next;
      index += 1;
      continue;
    }
    if (character === '(') depth += 1;
    if (character === ')') depth -= 1;
    if (depth < 0) throw new InvalidArgumentError(`Permission rule "${text}" has text after its closing ")"`, argument);
    content += character;
  }
  if (depth !== 0) throw new InvalidArgumentError(`Permission rule "${text}" has unbalanced parentheses`, argument);
  return content;
}
