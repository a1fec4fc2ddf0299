import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { BetaTool } from '@anthropic-ai/sdk/resources/beta/messages/messages';
import { AbortError } from '../errors.js';
import type { McpServerConfig } from '../query/options.js';
import type { McpServerStatus } from '../query/query-types.js';
import type { ToolOutcome, ToolRunner } from '../tools/tool-runner.js';
import { callToolResultToOutcome } from './call-tool-result.js';
import { loadMcpClientModules, type McpClientModules } from './mcp-sdk-loader.js';
import { connectServer, failureMessage, type ConnectedServer, type PendingServer } from './mcp-server-connection.js';
import { connectTimeoutMs, toolTimeoutMs } from './mcp-timeouts.js';
import { mcpToolName } from './mcp-tool-names.js';

/** How {@link connectMcpServers} connects. */
export type ConnectMcpServersOptions = {
  /** Aborts connecting: started servers are stopped and the promise rejects with `AbortError`. */
  signal?: AbortSignal;
  /** Limit for one server to start, `initialize` and list its tools. Default: env `MCP_TIMEOUT`, else 30 000 ms. */
  connectTimeoutMs?: number;
  /**
   * The query's environment (`options.env`): read for `MCP_TOOL_TIMEOUT` and `MCP_TIMEOUT`, and
   * given to stdio servers over a minimal safe default (`HOME`, `LOGNAME`, `PATH`, `SHELL`, `TERM`,
   * `USER`), under each server's own `env`. Default: only that safe default, and `process.env` for
   * the two timeouts.
   */
  env?: Record<string, string | undefined>;
  /** Working directory of stdio servers. Default: this process's. */
  cwd?: string;
};

/** The connected MCP servers of one query. */
export type McpConnections = {
  /**
   * Tools of every connected server, named `mcp__<server>__<tool>` (official naming, including
   * its normalisation of characters the API does not allow in names).
   */
  runner: ToolRunner;
  /**
   * One entry per configured server, in configuration order: `connected` with `serverInfo`, or
   * `failed` with the error. A failing server never fails the query (official).
   */
  status(): McpServerStatus[];
  /** Closes every client and stops every child process. Idempotent. */
  close(): Promise<void>;
};

/** A tool as the runner knows it: which server, under which name there, with which limit. */
type RoutedTool = { serverName: string; toolName: string; client: Client; timeoutMs: number; denied: boolean; definition: BetaTool };

type ServerState = { status: McpServerStatus; pending?: PendingServer; connected?: ConnectedServer };

/** The tools named `always_deny` in a config's `tools` policy. */
function deniedToolNames(config: McpServerConfig): Set<string> {
  const denied = new Set<string>();
  for (const policy of (config.tools ?? []) as unknown[]) {
    if (typeof policy !== 'object' || policy === null) continue;
    const { name, permission_policy: permissionPolicy } = policy as { name?: unknown; permission_policy?: unknown };
    if (typeof name === 'string' && permissionPolicy === 'always_deny') denied.add(name);
  }
  return denied;
}

function definedEntries(env: Record<string, string | undefined> | undefined): Record<string, string> {
  const defined: Record<string, string> = {};
  for (const [key, value] of Object.entries(env ?? {})) if (value !== undefined) defined[key] = value;
  return defined;
}

/** Waits for `work`, at most `ms`, and not past `signal`. */
async function within<T>(work: Promise<T>, ms: number, signal: AbortSignal | undefined): Promise<{ value: T } | { gaveUp: 'timeout' | 'aborted' }> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const deadline = new Promise<{ gaveUp: 'timeout' | 'aborted' }>((resolve) => {
    timer = setTimeout(() => resolve({ gaveUp: 'timeout' }), ms);
    onAbort = () => resolve({ gaveUp: 'aborted' });
    if (signal?.aborted === true) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work.then((value) => ({ value })), deadline]);
  } finally {
    clearTimeout(timer);
    if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
  }
}

async function connectOne(
  name: string,
  config: McpServerConfig,
  state: ServerState,
  context: { modules: McpClientModules; env: Record<string, string>; cwd?: string; timeoutMs: number; signal?: AbortSignal },
): Promise<void> {
  const fail = (error: unknown) => {
    state.status = { name, status: 'failed', error: failureMessage(error, state.pending), ...(state.status.source === undefined ? {} : { source: state.status.source }) };
  };
  try {
    state.pending = connectServer(config, {
      modules: context.modules,
      env: context.env,
      ...(context.cwd === undefined ? {} : { cwd: context.cwd }),
      onLost: (reason) => {
        if (state.status.status === 'connected') fail(new Error(reason));
      },
    });
  } catch (error) {
    fail(error);
    return;
  }
  const outcome = await within(state.pending.ready, context.timeoutMs, context.signal).catch((error: unknown) => ({ error }));
  if ('value' in outcome) {
    state.connected = outcome.value;
    state.status = { ...state.status, status: 'connected', serverInfo: outcome.value.serverInfo };
    return;
  }
  // Gave up or failed: stop whatever was started (a child process must not outlive this).
  state.pending.ready.catch(() => undefined);
  await state.pending.close();
  if ('error' in outcome) fail(outcome.error);
  else if (outcome.gaveUp === 'timeout') fail(new Error(`connecting timed out after ${context.timeoutMs} ms`));
  else fail(new Error('connecting was aborted'));
}

function routeTools(configs: Record<string, McpServerConfig>, states: Map<string, ServerState>, env: Record<string, string | undefined>): Map<string, RoutedTool> {
  const routes = new Map<string, RoutedTool>();
  for (const [serverName, state] of states) {
    const connected = state.connected;
    const config = configs[serverName];
    if (connected === undefined || config === undefined) continue;
    const denied = deniedToolNames(config);
    const timeoutMs = toolTimeoutMs(config.timeout, env);
    for (const listed of connected.tools) {
      const apiName = mcpToolName(serverName, listed.name);
      // Two names that normalise alike: the first keeps it, as a model cannot tell them apart.
      if (routes.has(apiName)) continue;
      const definition: BetaTool = { name: apiName, input_schema: listed.inputSchema as BetaTool['input_schema'] };
      if (listed.description !== undefined) definition.description = listed.description;
      routes.set(apiName, { serverName, toolName: listed.name, client: connected.client, timeoutMs, denied: denied.has(listed.name), definition });
    }
  }
  return routes;
}

function isAborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function callRoutedTool(route: RoutedTool, input: unknown, signal: AbortSignal, modules: McpClientModules): Promise<ToolOutcome> {
  if (route.denied) return { content: `Permission to use ${route.definition.name} has been denied by the tool policy of MCP server "${route.serverName}".`, isError: true };
  try {
    const result = await route.client.callTool({ name: route.toolName, arguments: (input ?? {}) as Record<string, unknown> }, undefined, { signal, timeout: route.timeoutMs });
    return callToolResultToOutcome(result);
  } catch (error) {
    // An abort is the turn's to report; the call was cancelled on the server (notifications/cancelled).
    if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new AbortError('the tool call was aborted');
    if (error instanceof modules.McpError && error.code === (modules.ErrorCode.RequestTimeout as number)) {
      return { content: `MCP tool "${route.toolName}" of server "${route.serverName}" timed out after ${route.timeoutMs} ms`, isError: true };
    }
    return { content: `Error calling MCP tool "${route.toolName}" of server "${route.serverName}": ${errorText(error)}`, isError: true };
  }
}

/**
 * Connects the MCP servers of a query, all at once: in-process servers (`sdk`, from
 * `createSdkMcpServer()`) over an in-memory link, `stdio` servers as child processes, `http` and
 * `sse` servers over the network. Lists their tools for the model and routes its calls. A server
 * that fails to connect (or does not within the connect timeout) is reported as `failed` in
 * `status()` and leaves the others working.
 *
 * Loads `@modelcontextprotocol/sdk` on first call; with no servers configured it loads nothing.
 *
 * @throws {AbortError} `options.signal` aborted while connecting (everything started is stopped).
 */
export async function connectMcpServers(configs: Record<string, McpServerConfig>, options: ConnectMcpServersOptions = {}): Promise<McpConnections> {
  const names = Object.keys(configs);
  const states = new Map<string, ServerState>(
    names.map((name) => [name, { status: { name, status: 'pending', source: configs[name]?.type === 'sdk' ? 'sdk' : 'dynamic' } }]),
  );
  if (names.length === 0) return { runner: { definitions: () => [], run: async (toolUse) => ({ content: `No such tool available: ${toolUse.name}`, isError: true }) }, status: () => [], close: async () => {} };
  if (options.signal?.aborted === true) throw new AbortError('connecting MCP servers was aborted');

  const modules = loadMcpClientModules();
  const timeoutEnv = options.env ?? process.env;
  const context = {
    modules,
    env: { ...modules.getDefaultEnvironment(), ...definedEntries(options.env) },
    timeoutMs: connectTimeoutMs(options.connectTimeoutMs, timeoutEnv),
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  await Promise.all(names.map((name) => connectOne(name, configs[name]!, states.get(name)!, context)));

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= Promise.all([...states.values()].map((state) => state.pending?.close() ?? Promise.resolve())).then(() => undefined);
    return closed;
  };
  // Read again: the signal may have aborted while the servers were connecting.
  if (isAborted(options.signal)) {
    await close();
    throw new AbortError('connecting MCP servers was aborted');
  }

  const routes = routeTools(configs, states, timeoutEnv);
  const runner: ToolRunner = {
    definitions: () => [...routes.values()].map((route) => structuredClone(route.definition)),
    async run(toolUse, context) {
      const route = routes.get(toolUse.name);
      if (route === undefined) return { content: `No such tool available: ${toolUse.name}`, isError: true };
      if (closed !== undefined) return { content: `MCP server "${route.serverName}" is closed`, isError: true };
      return callRoutedTool(route, toolUse.input, context.signal, modules);
    },
  };
  return { runner, status: () => [...states.values()].map((state) => structuredClone(state.status)), close };
}
