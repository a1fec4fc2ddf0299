import { createRequire } from 'node:module';
import type * as ClientModule from '@modelcontextprotocol/sdk/client/index.js';
import type * as SseModule from '@modelcontextprotocol/sdk/client/sse.js';
import type * as StdioModule from '@modelcontextprotocol/sdk/client/stdio.js';
import type * as StreamableHttpModule from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type * as InMemoryModule from '@modelcontextprotocol/sdk/inMemory.js';
import type * as McpServerModule from '@modelcontextprotocol/sdk/server/mcp.js';
import type * as ZodCompatModule from '@modelcontextprotocol/sdk/server/zod-compat.js';
import type * as ZodJsonSchemaModule from '@modelcontextprotocol/sdk/server/zod-json-schema-compat.js';
import type * as TypesModule from '@modelcontextprotocol/sdk/types.js';

/*
 * `@modelcontextprotocol/sdk` is loaded here and nowhere else, on first use: a query without MCP
 * servers never pays for it (it pulls in zod, ajv and the protocol schemas, ~200-300 ms cold).
 *
 * It is loaded with `require` (the package ships a CommonJS build beside the ESM one) because
 * `createSdkMcpServer()` is synchronous, like the official one, and must hand back a real
 * `McpServer`. Every part of the package is loaded the same way so one copy of it runs; servers and
 * transports only meet through duck-typed methods, so a user's own ESM `McpServer` works as well.
 */
const requireFromHere = createRequire(import.meta.url);

/** `McpServer` (the high-level server `createSdkMcpServer()` builds). */
export function loadMcpServerModule(): typeof McpServerModule {
  return requireFromHere('@modelcontextprotocol/sdk/server/mcp.js') as typeof McpServerModule;
}

/** The conversion `tools/list` applies to a tool's zod input schema. */
export function loadSchemaConversion(): { normalizeObjectSchema: typeof ZodCompatModule.normalizeObjectSchema; toJsonSchemaCompat: typeof ZodJsonSchemaModule.toJsonSchemaCompat } {
  const compat = requireFromHere('@modelcontextprotocol/sdk/server/zod-compat.js') as typeof ZodCompatModule;
  const jsonSchema = requireFromHere('@modelcontextprotocol/sdk/server/zod-json-schema-compat.js') as typeof ZodJsonSchemaModule;
  return { normalizeObjectSchema: compat.normalizeObjectSchema, toJsonSchemaCompat: jsonSchema.toJsonSchemaCompat };
}

/** Everything a client needs: the client, the transports and the protocol error types. */
export type McpClientModules = {
  Client: typeof ClientModule.Client;
  InMemoryTransport: typeof InMemoryModule.InMemoryTransport;
  StdioClientTransport: typeof StdioModule.StdioClientTransport;
  getDefaultEnvironment: typeof StdioModule.getDefaultEnvironment;
  StreamableHTTPClientTransport: typeof StreamableHttpModule.StreamableHTTPClientTransport;
  SSEClientTransport: typeof SseModule.SSEClientTransport;
  McpError: typeof TypesModule.McpError;
  ErrorCode: typeof TypesModule.ErrorCode;
};

let clientModules: McpClientModules | undefined;

/** The client side of the MCP SDK, loaded once. */
export function loadMcpClientModules(): McpClientModules {
  if (clientModules !== undefined) return clientModules;
  const client = requireFromHere('@modelcontextprotocol/sdk/client/index.js') as typeof ClientModule;
  const inMemory = requireFromHere('@modelcontextprotocol/sdk/inMemory.js') as typeof InMemoryModule;
  const stdio = requireFromHere('@modelcontextprotocol/sdk/client/stdio.js') as typeof StdioModule;
  const streamableHttp = requireFromHere('@modelcontextprotocol/sdk/client/streamableHttp.js') as typeof StreamableHttpModule;
  const sse = requireFromHere('@modelcontextprotocol/sdk/client/sse.js') as typeof SseModule;
  const types = requireFromHere('@modelcontextprotocol/sdk/types.js') as typeof TypesModule;
  clientModules = {
    Client: client.Client,
    InMemoryTransport: inMemory.InMemoryTransport,
    StdioClientTransport: stdio.StdioClientTransport,
    getDefaultEnvironment: stdio.getDefaultEnvironment,
    StreamableHTTPClientTransport: streamableHttp.StreamableHTTPClientTransport,
    SSEClientTransport: sse.SSEClientTransport,
    McpError: types.McpError,
    ErrorCode: types.ErrorCode,
  };
  return clientModules;
}
