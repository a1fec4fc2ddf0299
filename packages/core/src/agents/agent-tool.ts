import { randomBytes } from 'node:crypto';
import type { AgentExecutor } from '../executor/agent-executor.js';
import type { TurnRequest } from '../executor/turn-request.js';
import type { SDKResultMessage } from '../messages.js';
import type { AgentDefinition } from '../query/options.js';
import { restrictToolRunner } from '../tools/restrict-tool-runner.js';
import type { ToolDefinition, ToolOutcome, ToolRunner } from '../tools/tool-runner.js';

/** Name of the tool that starts a subagent (the CLI's; `Task` is its older name). */
export const AGENT_TOOL_NAME = 'Agent';

/** The agent type used when the model names none: every tool, no special instructions. */
export const GENERAL_PURPOSE_AGENT = 'general-purpose';

/** Model aliases of agent definitions and of the tool's `model` input. */
const MODEL_ALIASES: Readonly<Record<string, string>> = {
  sonnet: 'claude-sonnet-4-6',
  opus: 'claude-opus-4-6',
  haiku: 'claude-haiku-4-5',
};

const GENERAL_PURPOSE_PROMPT =
  'You are an agent working on one task for a parent agent. Use the tools you have to complete the task, then answer with a concise report of what you did and found: the parent sees only your final answer.';

/** What the Agent tool needs from the turn that offers it. */
export type AgentToolOptions = {
  /** Runs the subagent's turn (normally the parent's own executor). */
  executor: Pick<AgentExecutor, 'runTurn'>;
  /** The parent session: the subagent's transcript is one of its sub-transcripts. */
  session: TurnRequest['session'];
  /** The agent types the model may start, by name (official `agents`). */
  agents: Readonly<Record<string, AgentDefinition>>;
  /** The parent's model: the default, and what `inherit` means. */
  model: string;
  /** The tools subagents may use (the parent's, without the Agent tool: subagents do not nest). */
  tools: ToolRunner;
  /** Settings every subagent turn inherits from the parent (retry, prices, cwd, maxTokens…). */
  inherit?: Pick<TurnRequest, 'cwd' | 'retry' | 'prices' | 'maxTokens' | 'permissionMode' | 'includePartialMessages' | 'hooks'>;
  /** Agent id generator; default 17 random hex digits prefixed with `a`, the CLI's shape. */
  generateAgentId?: () => string;
  /** Told when a subagent starts and when it stops (the SubagentStart / SubagentStop hooks). */
  lifecycle?: SubagentLifecycle;
};

/** Callbacks around each subagent run; a failing callback never fails the run. */
export type SubagentLifecycle = {
  /** Before the subagent's first API call (SubagentStart). */
  started?: (event: { agentId: string; agentType: string; signal: AbortSignal }) => Promise<void>;
  /** After its turn ended, with its final text (SubagentStop). */
  stopped?: (event: { agentId: string; agentType: string; lastAssistantMessage: string; signal: AbortSignal }) => Promise<void>;
};

const INPUT_SCHEMA = {
  type: 'object',
  properties: {
    description: { type: 'string', description: 'A short (3-5 word) description of the task' },
    prompt: { type: 'string', description: 'The task for the agent to perform' },
    subagent_type: { type: 'string', description: 'The type of specialized agent to use for this task' },
    model: { type: 'string', enum: ['sonnet', 'opus', 'haiku'], description: 'Optional model override for this agent' },
    run_in_background: { type: 'boolean', description: 'Ignored: agents run in the foreground here (a stateless executor keeps nothing running after a turn)' },
  },
  required: ['description', 'prompt'],
} as const;

/**
 * The Agent tool: runs a subagent as a nested executor turn whose transcript is stored at
 * `subagents/agent-<id>` of the parent session, passes its messages on (with
 * `parent_tool_use_id`), and answers with its final text and the official `AgentOutput` shape.
 * Subagents run in the foreground: the parent's turn waits for them, so nothing outlives it.
 */
export function createAgentTool(options: AgentToolOptions): ToolDefinition {
  const generateAgentId = options.generateAgentId ?? (() => `a${randomBytes(9).toString('hex').slice(0, 16)}`);
  const types = Object.keys(options.agents);
  const listing = [GENERAL_PURPOSE_AGENT, ...types.filter((name) => name !== GENERAL_PURPOSE_AGENT)]
    .map((name) => `- ${name}: ${options.agents[name]?.description ?? 'General-purpose agent for multi-step tasks; has every tool.'}`)
    .join('\n');
  return {
    name: AGENT_TOOL_NAME,
    description: `Launch a subagent to handle a task on its own and report back. Available agent types:\n${listing}`,
    inputSchema: INPUT_SCHEMA,
    access: () => ({ kind: 'other', paths: [] }),
    async run(input, context): Promise<ToolOutcome> {
      const prompt = typeof input.prompt === 'string' ? input.prompt : '';
      if (prompt === '') return { content: 'Agent: `prompt` must be a non-empty string', isError: true };
      const type = typeof input.subagent_type === 'string' && input.subagent_type !== '' ? input.subagent_type : GENERAL_PURPOSE_AGENT;
      const definition = options.agents[type];
      if (definition === undefined && type !== GENERAL_PURPOSE_AGENT) {
        return { content: `Agent type '${type}' not found. Available agents: ${[GENERAL_PURPOSE_AGENT, ...types].join(', ')}`, isError: true };
      }
      const model = resolveModel(typeof input.model === 'string' ? input.model : definition?.model, options.model);
      const agentId = generateAgentId();
      const toolUseId = context.toolUseId ?? agentId;
      const request: TurnRequest = {
        ...options.inherit,
        session: options.session,
        subagent: { agentId, parentToolUseId: toolUseId },
        prompt,
        model,
        systemPrompt: definition?.prompt ?? GENERAL_PURPOSE_PROMPT,
        tools: restrictToolRunner(options.tools, definition?.tools, [AGENT_TOOL_NAME, 'Task', ...(definition?.disallowedTools ?? [])]),
        signal: context.signal,
      };
      if (definition?.maxTurns !== undefined) request.maxTurns = definition.maxTurns;
      await options.lifecycle?.started?.({ agentId, agentType: type, signal: context.signal }).catch(() => undefined);
      let result: SDKResultMessage | undefined;
      let toolUseCount = 0;
      for await (const message of options.executor.runTurn(request)) {
        if (message.type === 'result') {
          result = message;
          continue;
        }
        if (message.type === 'assistant') toolUseCount += message.message.content.filter((block) => block.type === 'tool_use').length;
        context.emit?.(message);
      }
      const lastAssistantMessage = result?.subtype === 'success' ? result.result : '';
      await options.lifecycle?.stopped?.({ agentId, agentType: type, lastAssistantMessage, signal: context.signal }).catch(() => undefined);
      if (result === undefined) return { content: 'Agent: the subagent ended without a result', isError: true };
      if (result.subtype !== 'success') {
        return { content: `Agent ${type} failed: ${result.errors.join('; ') || result.subtype}`, isError: true, modelUsage: result.modelUsage };
      }
      const usage = result.usage;
      const output = {
        status: 'completed' as const,
        prompt,
        agentId,
        agentType: type,
        content: [{ type: 'text' as const, text: result.result }],
        resolvedModel: model,
        totalToolUseCount: toolUseCount,
        totalDurationMs: result.duration_ms,
        totalTokens: usage.input_tokens + usage.output_tokens + usage.cache_read_input_tokens + usage.cache_creation_input_tokens,
        usage,
      };
      return { content: [{ type: 'text', text: result.result }], structured: output, modelUsage: result.modelUsage };
    },
  };
}

function resolveModel(requested: string | undefined, parent: string): string {
  if (requested === undefined || requested === 'inherit' || requested === '') return parent;
  return MODEL_ALIASES[requested] ?? requested;
}
