/**
 * Claude Code's default tool-call limit (~27.8 hours): MCP tool calls are effectively unbounded
 * unless a server's `timeout` or `MCP_TOOL_TIMEOUT` says otherwise. The MCP client's own 60 s
 * request default must not apply.
 */
export const DEFAULT_MCP_TOOL_TIMEOUT_MS = 100_000_000;

/** How long connecting (start + `initialize` + `tools/list`) may take by default; env `MCP_TIMEOUT`. */
export const DEFAULT_MCP_CONNECT_TIMEOUT_MS = 30_000;

/** Per-server timeouts below this are ignored, as officially. */
export const MIN_SERVER_TOOL_TIMEOUT_MS = 1000;

function positiveInteger(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  const parsed = Number.parseInt(value, 10);
  return parsed > 0 ? parsed : undefined;
}

/**
 * The limit of one tool call of a server: its `timeout` (ms) when it is at least 1000, else
 * `MCP_TOOL_TIMEOUT`, else {@link DEFAULT_MCP_TOOL_TIMEOUT_MS}.
 */
export function toolTimeoutMs(serverTimeout: number | undefined, env: Record<string, string | undefined>): number {
  if (serverTimeout !== undefined && Number.isFinite(serverTimeout) && serverTimeout >= MIN_SERVER_TOOL_TIMEOUT_MS) return Math.floor(serverTimeout);
  return positiveInteger(env['MCP_TOOL_TIMEOUT']) ?? DEFAULT_MCP_TOOL_TIMEOUT_MS;
}

/** The connect limit: the explicit option, else `MCP_TIMEOUT`, else {@link DEFAULT_MCP_CONNECT_TIMEOUT_MS}. */
export function connectTimeoutMs(explicit: number | undefined, env: Record<string, string | undefined>): number {
  if (explicit !== undefined && Number.isFinite(explicit) && explicit > 0) return explicit;
  return positiveInteger(env['MCP_TIMEOUT']) ?? DEFAULT_MCP_CONNECT_TIMEOUT_MS;
}
