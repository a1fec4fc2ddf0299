import type { BetaToolUseBlock } from '@anthropic-ai/sdk/resources/beta/messages/messages';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SSEServerTransport } from '@modelcontextprotocol/sdk/server/sse.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { mkdtemp, readFile, realpath, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AbortError } from '../errors.js';
import type { McpServerConfig } from '../query/options.js';
import type { ToolContext, ToolOutcome } from '../tools/tool-runner.js';
import { connectMcpServers, type McpConnections } from './mcp-connections.js';
import { createSdkMcpServer, tool } from './sdk-tools.js';

const ECHO_SERVER = fileURLToPath(new URL('./__fixtures__/echo-stdio-server.mjs', import.meta.url));
const echoServer = (extra: Partial<McpServerConfig> = {}): McpServerConfig => ({ command: process.execPath, args: [ECHO_SERVER], ...extra }) as McpServerConfig;

function context(signal: AbortSignal = new AbortController().signal): ToolContext {
  return { signal, cwd: process.cwd(), sessionId: '6f1c1a52-3c55-4d0e-9a55-0a4f2f1d2b10' };
}
let useCounter = 0;
function toolUse(name: string, input: Record<string, unknown> = {}): BetaToolUseBlock {
  useCounter += 1;
  return { type: 'tool_use', id: `toolu_${useCounter}`, name, input };
}
function textOf(outcome: ToolOutcome): string {
  return typeof outcome.content === 'string' ? outcome.content : outcome.content.map((block) => ('text' in block ? block.text : '')).join('');
}
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
async function connect(...args: Parameters<typeof connectMcpServers>): Promise<McpConnections> {
  const connections = await connectMcpServers(...args);
  cleanups.push(() => connections.close());
  return connections;
}
async function tempDir(): Promise<string> {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'mcp-test-')));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** An MCP server with one tool `greet`, for the network transports. */
function greeter(): McpServer {
  const server = new McpServer({ name: 'greeter', version: '1.2.0' });
  server.registerTool('greet', { description: 'Greets', inputSchema: { who: z.string() } }, async ({ who }) => ({ content: [{ type: 'text', text: `hello ${who}` }] }));
  return server;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A stateless streamable HTTP MCP server on 127.0.0.1; records the headers of each request. */
async function startHttpServer(): Promise<{ url: string; headers: IncomingHttpHeaders[] }> {
  const headers: IncomingHttpHeaders[] = [];
  const http = createServer((req, res) => {
    headers.push(req.headers);
    const server = greeter();
    const transport = new StreamableHTTPServerTransport({});
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    void server.connect(transport).then(() => transport.handleRequest(req, res));
  });
  return { url: `${await listen(http)}/mcp`, headers };
}

/** An SSE MCP server (the deprecated transport) on 127.0.0.1. */
async function startSseServer(): Promise<{ url: string; headers: IncomingHttpHeaders[] }> {
  const headers: IncomingHttpHeaders[] = [];
  const sessions = new Map<string, SSEServerTransport>();
  const http = createServer((req, res) => {
    headers.push(req.headers);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/sse') {
      const transport = new SSEServerTransport('/messages', res);
      sessions.set(transport.sessionId, transport);
      void greeter().connect(transport);
      return;
    }
    const transport = sessions.get(url.searchParams.get('sessionId') ?? '');
    if (req.method === 'POST' && transport !== undefined) void transport.handlePostMessage(req, res);
    else res.writeHead(404).end();
  });
  return { url: `${await listen(http)}/sse`, headers };
}

describe('connectMcpServers: stdio', () => {
  it('lists a real stdio server (connected, serverInfo) and calls its tool', async () => {
    const connections = await connect({ echo: echoServer() });
    expect(connections.status()).toEqual([{ name: 'echo', status: 'connected', serverInfo: { name: 'echo-stdio-server', version: '2.3.4' }, source: 'dynamic' }]);
    expect(connections.runner.definitions().map((definition) => definition.name)).toEqual(['mcp__echo__echo', 'mcp__echo__whoami', 'mcp__echo__slow', 'mcp__echo__exit']);
    expect(connections.runner.definitions()[0]).toMatchObject({ description: 'Echoes the text back', input_schema: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } });
    expect(await connections.runner.run(toolUse('mcp__echo__echo', { text: 'over stdio' }), context())).toEqual({ content: [{ type: 'text', text: 'echo: over stdio' }] });
  });

  it("starts the server with the query's env and its own over a safe default, in cwd; host secrets stay out", async () => {
    const cwd = await tempDir();
    process.env['MCP_TEST_HOST_ONLY'] = 'leaked';
    cleanups.push(async () => delete process.env['MCP_TEST_HOST_ONLY']);
    const connections = await connect({ echo: echoServer({ env: { FROM_CONFIG: 'config', SHARED: 'config wins' } }) }, { env: { FROM_QUERY: 'query', SHARED: 'query', UNSET: undefined }, cwd });
    const read = async (variable: string) => JSON.parse(textOf(await connections.runner.run(toolUse('mcp__echo__whoami', { variable }), context()))) as { value: string | null; cwd: string };
    expect((await read('FROM_CONFIG')).value).toBe('config');
    expect((await read('FROM_QUERY')).value).toBe('query');
    expect((await read('SHARED')).value).toBe('config wins');
    expect((await read('MCP_TEST_HOST_ONLY')).value).toBeNull();
    expect((await read('PATH')).value).toBe(process.env['PATH']);
    expect((await read('PATH')).cwd).toBe(cwd);
  });

  it('reports a command that does not exist as failed, naming it; the other servers still work', async () => {
    const calc = createSdkMcpServer({ name: 'calc', tools: [tool('add', 'Adds', { a: z.number(), b: z.number() }, async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] }))] });
    const connections = await connect({ missing: { command: 'definitely-not-a-command-4f2a' }, echo: echoServer(), calc });
    const [missing, echo, sdk] = connections.status();
    expect(missing).toMatchObject({ name: 'missing', status: 'failed', error: expect.stringContaining('spawn definitely-not-a-command-4f2a ENOENT') });
    expect(missing).not.toHaveProperty('serverInfo');
    expect(echo).toMatchObject({ name: 'echo', status: 'connected' });
    expect(sdk).toMatchObject({ name: 'calc', status: 'connected', source: 'sdk' });
    expect(connections.runner.definitions().map((definition) => definition.name)).toEqual(['mcp__echo__echo', 'mcp__echo__whoami', 'mcp__echo__slow', 'mcp__echo__exit', 'mcp__calc__add']);
    expect(textOf(await connections.runner.run(toolUse('mcp__calc__add', { a: 1, b: 2 }), context()))).toBe('3');
    expect(textOf(await connections.runner.run(toolUse('mcp__echo__echo', { text: 'still here' }), context()))).toBe('echo: still here');
  });

  it("quotes the server's stderr when it exits before answering", async () => {
    const connections = await connect({ crashing: echoServer({ args: [ECHO_SERVER, '--crash'] }) });
    expect(connections.status()[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('stderr: echo-stdio-server: refusing to start (--crash)') });
  });

  it('reports invalid configs as failed instead of throwing', async () => {
    const connections = await connect({
      empty: { command: '' },
      badUrl: { type: 'http', url: 'not a url' },
      strange: { type: 'carrier-pigeon', url: 'x' } as unknown as McpServerConfig,
      noInstance: { type: 'sdk', name: 'x', instance: {} },
    });
    expect(connections.status().map((status) => [status.name, status.status, status.error])).toEqual([
      ['empty', 'failed', 'a stdio server needs a command'],
      ['badUrl', 'failed', 'an http server needs a valid url (got "not a url")'],
      ['strange', 'failed', 'unsupported MCP server type "carrier-pigeon"'],
      ['noInstance', 'failed', 'an sdk server needs `instance`, an McpServer (use createSdkMcpServer())'],
    ]);
    expect(connections.runner.definitions()).toEqual([]);
  });

  it('gives up on a server that does not answer within the connect timeout, and stops it', async () => {
    const pidFile = join(await tempDir(), 'pid');
    const silent = { command: process.execPath, args: ['-e', `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000)`] };
    const started = Date.now();
    const connections = await connect({ silent }, { connectTimeoutMs: 700 });
    // Far below the 30 s default; stopping the silent child takes the MCP SDK's 2 s grace period.
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(connections.status()[0]).toMatchObject({ status: 'failed', error: 'connecting timed out after 700 ms' });
    const pid = Number(await readFile(pidFile, 'utf8'));
    await expect.poll(() => isAlive(pid)).toBe(false);
  });

  it('rejects with AbortError when aborted while connecting, and stops what it started', async () => {
    const pidFile = join(await tempDir(), 'pid');
    const silent = { command: process.execPath, args: ['-e', `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000)`] };
    const controller = new AbortController();
    const connecting = connectMcpServers({ silent, echo: echoServer() }, { signal: controller.signal });
    await expect.poll(async () => readFile(pidFile, 'utf8').catch(() => ''), { timeout: 10_000 }).not.toBe('');
    controller.abort();
    await expect(connecting).rejects.toBeInstanceOf(AbortError);
    const pid = Number(await readFile(pidFile, 'utf8'));
    await expect.poll(() => isAlive(pid)).toBe(false);
  });

  it('abandons a slow call when the turn aborts; the server keeps serving', async () => {
    const connections = await connect({ echo: echoServer() });
    const controller = new AbortController();
    const call = connections.runner.run(toolUse('mcp__echo__slow', { ms: 10_000 }), context(controller.signal));
    setTimeout(() => controller.abort(new AbortError('turn aborted')), 150);
    const started = Date.now();
    await expect(call).rejects.toThrow('turn aborted');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(textOf(await connections.runner.run(toolUse('mcp__echo__echo', { text: 'after' }), context()))).toBe('echo: after');
  });

  it('times calls out after MCP_TOOL_TIMEOUT; a server timeout below 1000 ms is ignored', async () => {
    const connections = await connect({ echo: echoServer({ timeout: 500 }) }, { env: { MCP_TOOL_TIMEOUT: '300' } });
    const started = Date.now();
    const outcome = await connections.runner.run(toolUse('mcp__echo__slow', { ms: 5000 }), context());
    expect(outcome).toEqual({ content: 'MCP tool "slow" of server "echo" timed out after 300 ms', isError: true });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await connections.runner.run(toolUse('mcp__echo__slow', { ms: 10 }), context())).toEqual({ content: [{ type: 'text', text: 'waited 10 ms' }] });
  });

  it('close() stops the child process, is idempotent, and later calls fail cleanly', async () => {
    const connections = await connectMcpServers({ echo: echoServer() });
    const { pid } = JSON.parse(textOf(await connections.runner.run(toolUse('mcp__echo__whoami', { variable: 'HOME' }), context()))) as { pid: number };
    expect(isAlive(pid)).toBe(true);
    await Promise.all([connections.close(), connections.close()]);
    expect(isAlive(pid)).toBe(false);
    await connections.close();
    expect(await connections.runner.run(toolUse('mcp__echo__echo', { text: 'x' }), context())).toEqual({ content: 'MCP server "echo" is closed', isError: true });
  });

  it('marks a server that exits later as failed; its calls return errors', async () => {
    const connections = await connect({ echo: echoServer() });
    expect(textOf(await connections.runner.run(toolUse('mcp__echo__exit'), context()))).toBe('bye');
    await expect.poll(() => connections.status()[0]?.status).toBe('failed');
    expect(connections.status()[0]).toMatchObject({ error: expect.stringMatching(/^the server closed the connection\nstderr: echo-stdio-server: ready$/) });
    const outcome = await connections.runner.run(toolUse('mcp__echo__echo', { text: 'x' }), context());
    expect(outcome.isError).toBe(true);
  });

  it('normalises server and tool names the way Claude Code does', async () => {
    const connections = await connect({ 'my.echo server': echoServer() });
    expect(connections.runner.definitions()[0]?.name).toBe('mcp__my_echo_server__echo');
    expect(textOf(await connections.runner.run(toolUse('mcp__my_echo_server__echo', { text: 'dots' }), context()))).toBe('echo: dots');
  });
});

describe('connectMcpServers: network', () => {
  it('lists and calls a streamable HTTP server, sending the configured headers', async () => {
    const { url, headers } = await startHttpServer();
    const connections = await connect({ web: { type: 'http', url, headers: { Authorization: 'Bearer t0ken' } } });
    expect(connections.status()).toEqual([{ name: 'web', status: 'connected', serverInfo: { name: 'greeter', version: '1.2.0' }, source: 'dynamic' }]);
    expect(connections.runner.definitions().map((definition) => definition.name)).toEqual(['mcp__web__greet']);
    expect(await connections.runner.run(toolUse('mcp__web__greet', { who: 'http' }), context())).toEqual({ content: [{ type: 'text', text: 'hello http' }] });
    expect(headers.length).toBeGreaterThanOrEqual(3);
    expect(headers.every((seen) => seen.authorization === 'Bearer t0ken')).toBe(true);
  });

  it('lists and calls an SSE server, sending the configured headers', async () => {
    const { url, headers } = await startSseServer();
    const connections = await connect({ events: { type: 'sse', url, headers: { 'X-Api-Key': 'k' } } });
    expect(connections.status()[0]).toMatchObject({ status: 'connected', serverInfo: { name: 'greeter', version: '1.2.0' } });
    expect(await connections.runner.run(toolUse('mcp__events__greet', { who: 'sse' }), context())).toEqual({ content: [{ type: 'text', text: 'hello sse' }] });
    expect(headers.every((seen) => seen['x-api-key'] === 'k')).toBe(true);
  });

  it('reports an unreachable HTTP server as failed', async () => {
    const http = createServer((_req, res) => res.writeHead(404).end());
    const url = await listen(http);
    const connections = await connect({ gone: { type: 'http', url: `${url}/mcp` } });
    expect(connections.status()[0]).toMatchObject({ name: 'gone', status: 'failed', error: expect.stringMatching(/Error POSTing to endpoint.*\(HTTP 404\)$/) });
  });
});

describe('connectMcpServers: no servers', () => {
  it('returns an empty runner and status', async () => {
    const connections = await connectMcpServers({});
    expect(connections.status()).toEqual([]);
    expect(connections.runner.definitions()).toEqual([]);
    expect(await connections.runner.run(toolUse('mcp__x__y'), context())).toEqual({ content: 'No such tool available: mcp__x__y', isError: true });
    await connections.close();
  });
});
