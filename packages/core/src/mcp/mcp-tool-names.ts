/** The prefix of every MCP tool name the model sees. */
export const MCP_TOOL_PREFIX = 'mcp__';

/**
 * A server or tool name as the API accepts it, the way Claude Code normalises it: every character
 * outside `[a-zA-Z0-9_-]` becomes `_`. Names of claude.ai connectors (`claude.ai <name>`) also
 * lose repeated and edge underscores.
 */
export function normalizeMcpName(name: string): string {
  const normalized = name.replace(/[^a-zA-Z0-9_-]/g, '_');
  return name.startsWith('claude.ai ') ? normalized.replace(/_+/g, '_').replace(/^_|_$/g, '') : normalized;
}

/** `mcp__<server>__<tool>`, both parts normalised: the name the model calls the tool by. */
export function mcpToolName(serverName: string, toolName: string): string {
  return `${MCP_TOOL_PREFIX}${normalizeMcpName(serverName)}__${normalizeMcpName(toolName)}`;
}
