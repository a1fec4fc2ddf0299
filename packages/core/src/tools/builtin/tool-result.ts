import type { ToolOutcome } from '../tool-runner.js';

/**
 * A failed call, as the CLI reports it: the model sees `message`, the transcript's `toolUseResult`
 * holds `Error: <message>`.
 */
export function toolFailure(message: string): ToolOutcome {
  return { content: message, isError: true, structured: `Error: ${message}` };
}

/**
 * A call refused before it touched anything (bad input, nothing to change): the CLI wraps the
 * message in `<tool_use_error>` for the model.
 */
export function toolRejection(message: string): ToolOutcome {
  return { content: `<tool_use_error>${message}</tool_use_error>`, isError: true, structured: `Error: ${message}` };
}

/** The message of anything thrown, for a failure result. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The `code` of a Node.js system error (`ENOENT`, `EISDIR`...). */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
