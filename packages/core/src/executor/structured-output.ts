import { createRequire } from 'node:module';
import type * as AjvModule from 'ajv';
import type { Ajv, ErrorObject } from 'ajv';
import { InvalidArgumentError } from '../errors.js';
import type { ToolDefinition } from '../tools/tool-runner.js';

/**
 * Structured output the way the CLI does it (`outputFormat: { type: 'json_schema', schema }`): a
 * `StructuredOutput` tool whose input schema is the caller's schema. A valid call ends the turn
 * with no further API call; an invalid one is answered with the validation errors; a turn that
 * ends without the call is re-prompted. The texts are the CLI's, so transcripts read the same.
 */

/** Name of the tool the model calls with its final answer. */
export const STRUCTURED_OUTPUT_TOOL_NAME = 'StructuredOutput';
/** The tool result of an accepted call. */
export const STRUCTURED_OUTPUT_ACCEPTED = 'Structured output provided successfully';
/** The meta prompt sent when the model ends its turn without calling the tool. */
export const STRUCTURED_OUTPUT_ENFORCE_PROMPT =
  '[structured-output-enforce] You MUST call the StructuredOutput tool to complete this request. Call this tool now.';
/** Re-prompts and rejected calls a turn allows before `error_max_structured_output_retries`. */
export const DEFAULT_MAX_STRUCTURED_OUTPUT_RETRIES = 5;

const DESCRIPTION =
  'Use this tool to return your final response in the requested structured format. You MUST call this tool exactly once at the end of your response to provide the structured output.';

/** The official `outputFormat` option. */
export type JsonSchemaOutputFormat = { type: 'json_schema'; schema: Record<string, unknown> };

/**
 * Ajv (a CommonJS package of 68 modules, about 0.8 MiB of heap once loaded) is required on the
 * first `outputFormat`, not when this module loads: most queries never ask for structured output,
 * and every process that imports `@sdk/core` would carry it. `require` keeps compiling synchronous,
 * so a bad schema still fails before the turn starts.
 */
let ajvClass: typeof AjvModule.Ajv | undefined;
function loadAjv(): typeof AjvModule.Ajv {
  ajvClass ??= (createRequire(import.meta.url)('ajv') as typeof AjvModule).Ajv;
  return ajvClass;
}

/** A checked `outputFormat`: makes the turn's `StructuredOutput` tool. */
export type CompiledOutputFormat = {
  /** The tool; `accept` receives each valid input. */
  tool(accept: (output: Record<string, unknown>) => void): ToolDefinition;
};

/**
 * Checks and compiles `outputFormat` before the turn starts, so a bad schema is the caller's
 * error (`InvalidArgumentError`) and nothing is stored.
 */
export function compileOutputFormat(format: JsonSchemaOutputFormat): CompiledOutputFormat {
  if (typeof format !== 'object' || format === null || format.type !== 'json_schema' || typeof format.schema !== 'object' || format.schema === null) {
    throw new InvalidArgumentError("outputFormat: must be { type: 'json_schema', schema: <JSON Schema object> }", 'outputFormat');
  }
  let validate: ReturnType<Ajv['compile']>;
  try {
    const AjvClass = loadAjv();
    validate = new AjvClass({ allErrors: true, strict: false }).compile(format.schema);
  } catch (error) {
    throw new InvalidArgumentError(`outputFormat.schema: not a valid JSON Schema: ${(error as Error).message}`, 'outputFormat');
  }
  return {
    tool: (accept) => ({
      name: STRUCTURED_OUTPUT_TOOL_NAME,
      description: DESCRIPTION,
      inputSchema: format.schema as ToolDefinition['inputSchema'],
      run(input) {
        if (!validate(input)) {
          const message = `Output does not match required schema: ${describeErrors(validate.errors ?? [])}`;
          return { content: message, isError: true, structured: `Error: ${message}` };
        }
        accept(input);
        return { content: STRUCTURED_OUTPUT_ACCEPTED, endsTurn: true };
      },
    }),
  };
}

function describeErrors(errors: readonly ErrorObject[]): string {
  return errors.map((error) => `${error.instancePath === '' ? '/' : error.instancePath}: ${error.message ?? 'is invalid'}`).join(', ');
}
