import type { RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import { loadSchemaConversion } from './mcp-sdk-loader.js';

/** The process warning code the official SDK uses for a tool left out this way. */
export const UNCONVERTIBLE_SCHEMA_WARNING = 'CLAUDE_SDK_MCP_TOOL_SCHEMA_UNCONVERTIBLE';

/**
 * Leaves a tool out of `tools/list` while its input schema cannot be converted to JSON Schema (a
 * `z.date()`, a transform's output, a `z.lazy` whose target is not defined yet), with one warning,
 * as the official `createSdkMcpServer()` does: without this, one such tool fails the listing and so
 * the whole server. Checked when listed, not when registered, because a `z.lazy` target may only
 * be defined later. The check runs through `enabled`, which `tools/list` and `tools/call` read.
 */
export function hideWhileUnconvertible(registered: RegisteredTool, toolName: string, serverName: string): void {
  const descriptor = Object.getOwnPropertyDescriptor(registered, 'enabled');
  if (descriptor?.configurable !== true || !Object.isExtensible(registered)) return;
  const { normalizeObjectSchema, toJsonSchemaCompat } = loadSchemaConversion();
  let enabled = registered.enabled;
  let convertedSchema: unknown;
  let warnedSchema: unknown;
  Object.defineProperty(registered, 'enabled', {
    configurable: true,
    enumerable: true,
    get(): boolean {
      if (!enabled || convertedSchema === registered.inputSchema) return enabled;
      try {
        const objectSchema = normalizeObjectSchema(registered.inputSchema);
        if (objectSchema !== undefined) toJsonSchemaCompat(objectSchema, { strictUnions: true, pipeStrategy: 'input' });
        convertedSchema = registered.inputSchema;
        return true;
      } catch (error) {
        if (warnedSchema !== registered.inputSchema) {
          warnedSchema = registered.inputSchema;
          const reason = error instanceof Error ? error.message : String(error);
          process.emitWarning(
            `Tool "${toolName}" on SDK MCP server "${serverName}" was left out of the server's tool list, because its input schema cannot be converted to JSON Schema: ${reason}. The server's other tools are unaffected.`,
            { code: UNCONVERTIBLE_SCHEMA_WARNING },
          );
        }
        return false;
      }
    },
    set(value: boolean) {
      enabled = value;
    },
  });
}
