import type { ToolResultBlockParam } from '@anthropic-ai/sdk/resources';
import type { BetaTool, BetaToolUseBlock } from '@anthropic-ai/sdk/resources/beta/messages/messages';
import type { ModelUsage, SDKMessage } from '../messages.js';
import type { ToolAccess } from './tool-access.js';

/** What the model sees of a tool's result: text, or text and image blocks. */
export type ToolResultContent = Exclude<ToolResultBlockParam['content'], undefined>;

/** What a tool call runs with. */
export type ToolContext = {
  /** Aborts when the turn is aborted: stop promptly and reject or return. */
  signal: AbortSignal;
  cwd: string;
  sessionId: string;
  /** Id of the `tool_use` block being answered. */
  toolUseId?: string;
  /** Passes a message to the turn's caller while the tool runs (a subagent's messages). */
  emit?: (message: SDKMessage) => void;
};

/** The outcome of a tool call. */
export type ToolOutcome = {
  /** What the model sees (`tool_result.content`). */
  content: ToolResultContent;
  /** The call failed; the model sees `is_error: true`. */
  isError?: boolean;
  /** Structured output for the caller and the transcript (`toolUseResult`); default: `content`. */
  structured?: unknown;
  /** The turn ends after this result, with no further API call (the CLI's `toolEndsTurn`). */
  endsTurn?: boolean;
  /** Model calls the tool made itself (a subagent's), added to the turn's `modelUsage` and cost. */
  modelUsage?: Record<string, ModelUsage>;
};

/**
 * Runs the tools of a turn. `definitions()` is sent to the API as `tools`; `run` executes one
 * `tool_use` block. A thrown error becomes an `is_error` result, so a faulty tool never ends the
 * turn.
 */
export type ToolRunner = {
  /** The tools to offer the model, sent to the API as `tools`. */
  definitions(): BetaTool[];
  /** Runs one tool call; a failure is an outcome with `isError`, not a rejection. */
  run(toolUse: BetaToolUseBlock, context: ToolContext): Promise<ToolOutcome>;
  /** What the call would touch, when its tool declares it (for permission checks). */
  access?(toolUse: BetaToolUseBlock, cwd: string): ToolAccess | undefined;
};

/** One in-process tool for {@link createToolRunner}. */
export type ToolDefinition = {
  name: string;
  description: string;
  /** JSON Schema of the input object. */
  inputSchema: BetaTool['input_schema'];
  /** Runs the tool with the model's input; a string is the result text, a throw becomes an error result. */
  run(input: Record<string, unknown>, context: ToolContext): Promise<ToolOutcome | string> | ToolOutcome | string;
  /** What a call with this input would touch; omitted = `{ kind: 'other' }` for permission checks. */
  access?(input: Record<string, unknown>, cwd: string): ToolAccess;
};

/** A {@link ToolRunner} over in-process functions. A string returned by a tool is its text result. */
export function createToolRunner(tools: readonly ToolDefinition[]): ToolRunner {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  if (byName.size !== tools.length) throw new TypeError('createToolRunner: tool names must be unique');
  const definitions: BetaTool[] = tools.map((tool) => ({ name: tool.name, description: tool.description, input_schema: tool.inputSchema }));
  return {
    definitions: () => definitions.map((definition) => ({ ...definition })),
    async run(toolUse, context) {
      const tool = byName.get(toolUse.name);
      if (tool === undefined) return { content: `No such tool available: ${toolUse.name}`, isError: true };
      const outcome = await tool.run((toolUse.input ?? {}) as Record<string, unknown>, context);
      return typeof outcome === 'string' ? { content: outcome } : outcome;
    },
    access(toolUse, cwd) {
      return byName.get(toolUse.name)?.access?.((toolUse.input ?? {}) as Record<string, unknown>, cwd);
    },
  };
}
