import { ruleNamesTool } from './rule-matching.js';
import { canonicalToolName, parsePermissionRule } from './rule-syntax.js';

/** The options that decide which tools the model is offered at all. */
export type ToolAvailabilityOptions = {
  /**
   * The official `tools` option as a name list: the built-in tools offered. Absent: every
   * built-in tool. It never hides MCP tools (`mcp__…`), which `mcpServers` decides.
   */
  tools?: readonly string[] | undefined;
  /**
   * The official `disallowedTools`. A bare name (`Bash`, `mcp__server`, `mcp__server__*`,
   * `mcp__server__tool`) removes matching tools from the model's context; a rule with content
   * (`Bash(rm:*)`) keeps the tool and only denies matching calls (see `PermissionPolicy`).
   */
  disallowedTools?: readonly string[] | undefined;
};

/**
 * Is the tool offered to the model? `allowedTools` plays no part: in the official SDK it only
 * pre-approves calls and never hides a tool.
 *
 * @throws InvalidArgumentError when a `disallowedTools` entry is not a valid rule.
 */
export function isToolEnabled(name: string, options: ToolAvailabilityOptions): boolean {
  const canonical = canonicalToolName(name);
  if (options.tools !== undefined && !canonical.startsWith('mcp__') && !options.tools.some((listed) => canonicalToolName(listed) === canonical)) {
    return false;
  }
  for (const entry of options.disallowedTools ?? []) {
    const rule = parsePermissionRule(entry, 'disallowedTools');
    if (rule.ruleContent === undefined && ruleNamesTool(rule.toolName, canonical)) return false;
  }
  return true;
}

/** The names of `names` that {@link isToolEnabled} keeps, in their order. */
export function enabledToolNames(names: readonly string[], options: ToolAvailabilityOptions): string[] {
  return names.filter((name) => isToolEnabled(name, options));
}
