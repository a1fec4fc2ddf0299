import { AGENT_TOOL_NAME, createAgentTool, type SubagentLifecycle } from '../agents/agent-tool.js';
import type { AgentExecutor } from '../executor/agent-executor.js';
import { connectMcpServers, type McpConnections } from '../mcp/mcp-connections.js';
import { enabledToolNames, isToolEnabled } from '../permissions/tool-availability.js';
import type { SessionRef } from '../store/session-store.js';
import type { BetaToolUnion } from '@anthropic-ai/sdk/resources/beta/messages/messages';
import { BUILTIN_TOOL_NAMES, builtinTools, type BuiltinToolName } from '../tools/builtin/builtin-tools.js';
import { WEB_SEARCH_SERVER_TOOL } from '../tools/builtin/web-search.js';
import { composeToolRunners } from '../tools/compose-tool-runners.js';
import { restrictToolRunner } from '../tools/restrict-tool-runner.js';
import { createToolRunner, type ToolRunner } from '../tools/tool-runner.js';
import type { McpServerStatus } from './query-types.js';
import type { Options } from './options.js';

/** The tools of one query, and what must be closed with it. */
export type QueryTools = {
  runner: ToolRunner;
  /** API-run tools to send (WebSearch, when `tools` names it). */
  serverTools: BetaToolUnion[];
  mcpStatus(): McpServerStatus[];
  close(): Promise<void>;
};

/** What {@link assembleQueryTools} needs besides the options. */
export type QueryToolsContext = {
  executor: Pick<AgentExecutor, 'runTurn'>;
  session: SessionRef;
  model: string;
  cwd: string;
  environment: Record<string, string | undefined>;
  /** What subagent turns inherit from the parent's (hooks, limits). */
  inherit: NonNullable<Parameters<typeof createAgentTool>[0]['inherit']>;
  /** The SubagentStart / SubagentStop hooks. */
  lifecycle?: SubagentLifecycle;
  signal?: AbortSignal;
};

/**
 * The tools the model is offered, as the official options select them: the built-in tools
 * (`tools`: omitted or the `claude_code` preset = all of them; a list = those), the tools of
 * `mcpServers` (connected now, closed with the query), and the Agent tool when `agents` are
 * defined — minus what `disallowedTools` names bare. `allowedTools` only pre-approves calls.
 */
export async function assembleQueryTools(options: Options, context: QueryToolsContext): Promise<QueryTools> {
  const listed = Array.isArray(options.tools) ? options.tools : undefined;
  const availability = { tools: listed, disallowedTools: options.disallowedTools };
  const names = enabledToolNames(BUILTIN_TOOL_NAMES, availability) as BuiltinToolName[];
  const builtins = names.length === 0 ? undefined : builtinRunner(names, context.environment);
  let mcp: McpConnections | undefined;
  const servers = options.mcpServers ?? {};
  if (Object.keys(servers).length > 0) {
    const connectOptions = context.signal === undefined ? { env: context.environment, cwd: context.cwd } : { env: context.environment, cwd: context.cwd, signal: context.signal };
    mcp = await connectMcpServers(servers, connectOptions);
  }
  const mcpRunner = mcp === undefined ? undefined : onlyEnabled(mcp.runner, availability);
  const working = composeToolRunners([builtins, mcpRunner]);
  const agents = options.agents ?? {};
  // isToolEnabled reads the legacy name `Task` as `Agent`.
  const wantsAgent = Object.keys(agents).length > 0 && isToolEnabled(AGENT_TOOL_NAME, availability);
  const agentTool = wantsAgent
    ? createToolRunner([
        createAgentTool({
          executor: context.executor,
          session: context.session,
          agents,
          model: context.model,
          tools: working,
          inherit: context.inherit,
          ...(context.lifecycle === undefined ? {} : { lifecycle: context.lifecycle }),
        }),
      ])
    : undefined;
  // The API runs WebSearch; offered only when `tools` names it (never by default: it is billed per search).
  const webSearch = listed !== undefined && listed.includes('WebSearch') && isToolEnabled('WebSearch', availability);
  return {
    runner: composeToolRunners([working, agentTool]),
    serverTools: webSearch ? [{ ...WEB_SEARCH_SERVER_TOOL }] : [],
    mcpStatus: () => mcp?.status() ?? [],
    close: async () => {
      await mcp?.close();
    },
  };
}

/** Built-in tool runners by environment (Bash runs in it) and tool names. */
const builtinRunners = new WeakMap<Record<string, string | undefined>, Map<string, ToolRunner>>();

/**
 * The runner of these built-in tools in this environment. The tools keep no state between calls
 * (each call gets its context), so queries with the same environment object share one runner
 * instead of building the tools and their schemas again for every query.
 */
function builtinRunner(names: BuiltinToolName[], environment: Record<string, string | undefined>): ToolRunner {
  let byNames = builtinRunners.get(environment);
  if (byNames === undefined) {
    byNames = new Map();
    builtinRunners.set(environment, byNames);
  }
  const key = names.join(',');
  let runner = byNames.get(key);
  if (runner === undefined) {
    runner = createToolRunner(builtinTools({ names, bash: { env: environment } }));
    byNames.set(key, runner);
  }
  return runner;
}

function onlyEnabled(runner: ToolRunner, availability: { tools: readonly string[] | undefined; disallowedTools: readonly string[] | undefined }): ToolRunner {
  const names = runner.definitions().map((definition) => definition.name);
  return restrictToolRunner(runner, enabledToolNames(names, availability));
}
