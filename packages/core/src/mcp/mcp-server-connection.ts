import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { Readable } from 'node:stream';
import type { McpServerConfig } from '../query/options.js';
import { SDK_VERSION } from '../version.js';
import { acquireInProcessClient, type InProcessServer } from './in-process-link.js';
import type { McpClientModules } from './mcp-sdk-loader.js';

/** How this SDK introduces itself to MCP servers. */
const CLIENT_INFO = { name: '@sdk/core', version: SDK_VERSION };

/** How much of a stdio server's stderr a failure message quotes (its end). */
const STDERR_TAIL_CHARS = 2000;

/** A server that answered `initialize` and `tools/list`. */
export type ConnectedServer = {
  client: Client;
  serverInfo: { name: string; version: string };
  tools: Tool[];
  /** The child process, for stdio servers. */
  pid?: number;
};

/**
 * One server being connected. `close` may be called at any time (also while `ready` is pending,
 * to give up): it stops the child process or releases the in-process link.
 */
export type PendingServer = {
  ready: Promise<ConnectedServer>;
  close(): Promise<void>;
  /** The end of the server's stderr so far (stdio servers), for failure messages. */
  stderrTail(): string;
};

export type ServerConnectContext = {
  modules: McpClientModules;
  /** Environment stdio servers start with (before their own `env`). */
  env: Record<string, string>;
  cwd?: string;
  /** Called when an external server's connection ends without `close` (it exited or hung up). */
  onLost(reason: string): void;
};

function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // The HTTP transports' errors carry the status as `code`, often with an empty body as message.
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' && code >= 100 && code <= 599 && !error.message.includes(String(code)) ? `${error.message} (HTTP ${code})` : error.message;
}

async function listAllTools(client: Client): Promise<Tool[]> {
  // A server without the tools capability answers tools/list with "method not found".
  if (client.getServerCapabilities()?.tools === undefined) return [];
  const tools: Tool[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.listTools(cursor === undefined ? {} : { cursor });
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return tools;
}

function serverInfoOf(client: Client): { name: string; version: string } {
  const info = client.getServerVersion();
  return { name: info?.name ?? 'unknown', version: info?.version ?? 'unknown' };
}

function captureTail(stream: Readable | null): () => string {
  let tail = '';
  stream?.setEncoding('utf8');
  stream?.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-STDERR_TAIL_CHARS);
  });
  return () => tail.trim();
}

function remoteTransport(modules: McpClientModules, config: { type: 'http' | 'sse'; url: string; headers?: Record<string, string> }): Transport {
  const url = new URL(config.url);
  const requestInit = config.headers === undefined ? {} : { requestInit: { headers: config.headers } };
  return config.type === 'http' ? new modules.StreamableHTTPClientTransport(url, requestInit) : new modules.SSEClientTransport(url, requestInit);
}

async function connectOverTransport(context: ServerConnectContext, transport: Transport, isClosing: () => boolean): Promise<ConnectedServer> {
  const client = new context.modules.Client(CLIENT_INFO);
  client.onclose = () => {
    if (!isClosing()) context.onLost('the server closed the connection');
  };
  await client.connect(transport);
  return { client, serverInfo: serverInfoOf(client), tools: await listAllTools(client) };
}

/**
 * Starts connecting to one configured server: in process (`sdk`), a child process (`stdio`), or
 * over the network (`http`, `sse`). Throws synchronously for a config that cannot be used.
 */
export function connectServer(config: McpServerConfig, context: ServerConnectContext): PendingServer {
  const { modules } = context;
  if (config.type === 'sdk') {
    const instance = config.instance as Partial<InProcessServer>;
    if (typeof instance.connect !== 'function' || typeof instance.close !== 'function') {
      throw new Error('an sdk server needs `instance`, an McpServer (use createSdkMcpServer())');
    }
    const acquired = acquireInProcessClient(modules, instance as InProcessServer, CLIENT_INFO);
    return {
      ready: acquired.then(async ({ client }) => ({ client, serverInfo: serverInfoOf(client), tools: await listAllTools(client) })),
      close: async () => {
        const link = await acquired.catch(() => undefined);
        await link?.release();
      },
      stderrTail: () => '',
    };
  }
  let closing = false;
  const isClosing = () => closing;
  if (config.type === 'http' || config.type === 'sse') {
    if (typeof config.url !== 'string' || !URL.canParse(config.url)) throw new Error(`an ${config.type} server needs a valid url (got ${JSON.stringify(config.url)})`);
    const transport = remoteTransport(modules, config);
    return {
      ready: connectOverTransport(context, transport, isClosing),
      close: async () => {
        closing = true;
        await transport.close().catch(() => undefined);
      },
      stderrTail: () => '',
    };
  }
  if (config.type !== undefined && config.type !== 'stdio') throw new Error(`unsupported MCP server type ${JSON.stringify((config as { type: unknown }).type)}`);
  if (typeof config.command !== 'string' || config.command === '') throw new Error('a stdio server needs a command');
  const transport = new modules.StdioClientTransport({
    command: config.command,
    args: config.args ?? [],
    env: { ...context.env, ...config.env },
    stderr: 'pipe',
    ...(context.cwd === undefined ? {} : { cwd: context.cwd }),
  });
  return {
    stderrTail: captureTail(transport.stderr as Readable | null),
    ready: connectOverTransport(context, transport, isClosing).then((connected) => {
      const pid = transport.pid;
      return pid === null ? connected : { ...connected, pid };
    }),
    close: async () => {
      closing = true;
      await transport.close().catch(() => undefined);
    },
  };
}

/** The message a failed server reports: the error, then what the server wrote to stderr. */
export function failureMessage(error: unknown, pending: PendingServer | undefined): string {
  const stderr = pending?.stderrTail() ?? '';
  return stderr === '' ? errorMessage(error) : `${errorMessage(error)}\nstderr: ${stderr}`;
}
