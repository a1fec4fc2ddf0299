import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import type { ZodRawShape as ZodRawShapeV3 } from 'zod/v3';
import type { ZodRawShape as ZodRawShapeV4 } from 'zod/v4';
import { InvalidArgumentError } from '../errors.js';
import { loadMcpServerModule } from './mcp-sdk-loader.js';
import { hideWhileUnconvertible } from './unconvertible-schemas.js';

/** A zod raw shape (`{ a: z.number() }`) of zod 4 or of zod 3 (`zod/v3`). */
export type AnyZodRawShape = ZodRawShapeV3 | ZodRawShapeV4;

/** The parsed input a handler receives for a raw shape. */
export type InferShape<T extends AnyZodRawShape> = {
  [K in keyof T]: T[K] extends { _output: infer O } ? O : never;
} & {};

/**
 * A tool of an in-process MCP server, as {@link tool} builds it. Holds a handler, so it is not
 * serialisable.
 */
export type SdkMcpToolDefinition<Schema extends AnyZodRawShape = AnyZodRawShape> = {
  name: string;
  description: string;
  inputSchema: Schema;
  annotations?: ToolAnnotations;
  _meta?: Record<string, unknown>;
  /** Runs a call with the parsed input and returns MCP content. */
  handler: (args: InferShape<Schema>, extra: unknown) => Promise<CallToolResult>;
};

/** What {@link createSdkMcpServer} takes. */
export type CreateSdkMcpServerOptions = {
  name: string;
  /** Reported as the server's version in `initialize`. Default `1.0.0`. */
  version?: string;
  /** Server instructions returned from `initialize`. */
  instructions?: string;
  // `any` as officially: tools of different shapes share one array.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  tools?: Array<SdkMcpToolDefinition<any>>;
  /**
   * Marks every tool with `_meta['anthropic/alwaysLoad']` (OR'd with a tool's own `alwaysLoad`).
   * There is no tool search here, so every tool is always loaded anyway.
   */
  alwaysLoad?: boolean;
  /** Per-server tool-call timeout in ms; values below 1000 are ignored (then `MCP_TOOL_TIMEOUT` applies). */
  timeout?: number;
};

/** An in-process MCP server: the config entry for `options.mcpServers`, with its live `McpServer`. */
export type McpSdkServerConfigWithInstance = {
  type: 'sdk';
  name: string;
  /** Per-server tool-call timeout in ms; values below 1000 are ignored. */
  timeout?: number;
  /** Per-tool permission policy declared by the host (see docs/mcp.md for what is applied). */
  tools?: Array<{ name: string; permission_policy?: 'always_allow' | 'always_ask' | 'always_deny'; org_max_permission?: 'allow' | 'ask' | 'blocked' }>;
  instance: McpServer;
};

/**
 * Defines a tool for {@link createSdkMcpServer}: its input is described by a zod raw shape, and
 * `handler` receives the parsed input. Same signature as the official `tool()`.
 *
 * @example
 * ```ts
 * const add = tool('add', 'Adds two numbers', { a: z.number(), b: z.number() }, async ({ a, b }) => ({
 *   content: [{ type: 'text', text: String(a + b) }],
 * }));
 * ```
 */
export function tool<Schema extends AnyZodRawShape>(
  name: string,
  description: string,
  inputSchema: Schema,
  handler: (args: InferShape<Schema>, extra: unknown) => Promise<CallToolResult>,
  extras?: { annotations?: ToolAnnotations; searchHint?: string; alwaysLoad?: boolean },
): SdkMcpToolDefinition<Schema> {
  // Hints travel in `_meta` under the keys Claude Code reads, as the official `tool()` puts them.
  const meta: Record<string, unknown> = {};
  if (extras?.searchHint !== undefined && extras.searchHint !== '') meta['anthropic/searchHint'] = extras.searchHint;
  if (extras?.alwaysLoad === true) meta['anthropic/alwaysLoad'] = true;
  const definition: SdkMcpToolDefinition<Schema> = { name, description, inputSchema, handler };
  if (extras?.annotations !== undefined) definition.annotations = extras.annotations;
  if (Object.keys(meta).length > 0) definition._meta = meta;
  return definition;
}

/**
 * Creates an MCP server that runs in this process, for `options.mcpServers`: its tools reach the
 * model as `mcp__<key>__<tool>` (the key under which it is configured). Same signature as the
 * official `createSdkMcpServer()`; `instance` is a real `McpServer` of `@modelcontextprotocol/sdk`,
 * so more tools, resources or prompts can be registered on it.
 *
 * The same result may be used by any number of queries, one after the other or at the same time:
 * they share one in-process connection to it (see docs/mcp.md).
 *
 * A tool whose input schema cannot be converted to JSON Schema is left out of the server's tool
 * list, with one process warning (code `CLAUDE_SDK_MCP_TOOL_SCHEMA_UNCONVERTIBLE`); the server's
 * other tools load, as officially.
 *
 * Calling this loads `@modelcontextprotocol/sdk` (synchronously, once).
 *
 * @throws {InvalidArgumentError} `name` is empty or two tools share a name.
 */
export function createSdkMcpServer(options: CreateSdkMcpServerOptions): McpSdkServerConfigWithInstance {
  if (typeof options.name !== 'string' || options.name === '') throw new InvalidArgumentError('createSdkMcpServer: name must be a non-empty string', 'name');
  const tools = options.tools ?? [];
  const names = new Set<string>();
  for (const definition of tools) {
    if (names.has(definition.name)) throw new InvalidArgumentError(`createSdkMcpServer: tool "${definition.name}" is defined twice`, 'tools');
    names.add(definition.name);
  }
  const { McpServer } = loadMcpServerModule();
  const instance = new McpServer(
    { name: options.name, version: options.version ?? '1.0.0' },
    { capabilities: options.tools === undefined ? {} : { tools: {} }, ...(options.instructions === undefined ? {} : { instructions: options.instructions }) },
  );
  for (const definition of tools) {
    const meta = options.alwaysLoad === true ? { 'anthropic/alwaysLoad': true, ...definition._meta } : definition._meta;
    const registered = instance.registerTool(
      definition.name,
      {
        description: definition.description,
        inputSchema: definition.inputSchema as ZodRawShapeV4,
        ...(definition.annotations === undefined ? {} : { annotations: definition.annotations }),
        ...(meta === undefined ? {} : { _meta: meta }),
      },
      definition.handler,
    );
    hideWhileUnconvertible(registered, definition.name, options.name);
  }
  const config: McpSdkServerConfigWithInstance = { type: 'sdk', name: options.name, instance };
  if (options.timeout !== undefined && Number.isInteger(options.timeout) && options.timeout > 0) config.timeout = options.timeout;
  return config;
}
