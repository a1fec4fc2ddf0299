import { InvalidArgumentError } from '../../errors.js';
import type { ToolDefinition } from '../tool-runner.js';
import { bashTool, type BashToolOptions } from './bash.js';
import { editTool } from './edit.js';
import { globTool, type GlobToolOptions } from './glob.js';
import { grepTool, type GrepToolOptions } from './grep.js';
import { readTool, type ReadToolOptions } from './read.js';
import { todoWriteTool } from './todo-write.js';
import { webFetchTool, type WebFetchToolOptions } from './web-fetch.js';
import { writeTool } from './write.js';

/**
 * The official names of the built-in tools that run in-process, in the order the CLI lists its tools
 * (alphabetical). `WebSearch` is not among them: the API runs it (see `WEB_SEARCH_SERVER_TOOL`).
 */
export const BUILTIN_TOOL_NAMES = ['Bash', 'Edit', 'Glob', 'Grep', 'Read', 'TodoWrite', 'WebFetch', 'Write'] as const;

/** The name of one in-process built-in tool. */
export type BuiltinToolName = (typeof BUILTIN_TOOL_NAMES)[number];

/** Which built-in tools {@link builtinTools} returns and how they behave. */
export type BuiltinToolOptions = {
  /** The tools to return, in any order (returned in {@link BUILTIN_TOOL_NAMES} order); default all. */
  names?: readonly BuiltinToolName[];
  /** Bash: default and maximum timeout, environment (default `process.env`), shell, output limit. */
  bash?: BashToolOptions;
  /** Read: lines per call, line length, size of a whole-file read. */
  read?: ReadToolOptions;
  /** Glob: paths per call. */
  glob?: GlobToolOptions;
  /** Grep: largest file searched. */
  grep?: GrepToolOptions;
  /** WebFetch: the `fetch` implementation (default the global one), size, time and redirect limits. */
  webFetch?: WebFetchToolOptions;
};

/**
 * The official Claude Code built-in tools, implemented in-process with the official names, input
 * schemas and result shapes (`sdk-tools.d.ts`), for `createToolRunner`.
 *
 * @throws InvalidArgumentError when `names` holds a name that is not a built-in tool.
 */
export function builtinTools(options: BuiltinToolOptions = {}): ToolDefinition[] {
  const wanted = new Set<string>(options.names ?? BUILTIN_TOOL_NAMES);
  for (const name of wanted) {
    if (!(BUILTIN_TOOL_NAMES as readonly string[]).includes(name)) {
      throw new InvalidArgumentError(`Unknown built-in tool: ${name} (built-in tools: ${BUILTIN_TOOL_NAMES.join(', ')})`, 'names');
    }
  }
  const factories: Record<BuiltinToolName, () => ToolDefinition> = {
    Bash: () => bashTool(options.bash),
    Edit: () => editTool(),
    Glob: () => globTool(options.glob),
    Grep: () => grepTool(options.grep),
    Read: () => readTool(options.read),
    TodoWrite: () => todoWriteTool(),
    WebFetch: () => webFetchTool(options.webFetch),
    Write: () => writeTool(),
  };
  return BUILTIN_TOOL_NAMES.filter((name) => wanted.has(name)).map((name) => factories[name]());
}
