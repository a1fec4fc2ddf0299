import type { BetaToolUseBlock } from '@anthropic-ai/sdk/resources/beta/messages/messages';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as z3 from 'zod/v3';
import { InvalidArgumentError } from '../errors.js';
import type { ToolContext } from '../tools/tool-runner.js';
import { connectMcpServers, type McpConnections } from './mcp-connections.js';
import { createSdkMcpServer, tool } from './sdk-tools.js';

const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

function context(signal: AbortSignal = new AbortController().signal): ToolContext {
  return { signal, cwd: process.cwd(), sessionId: '6f1c1a52-3c55-4d0e-9a55-0a4f2f1d2b10' };
}

let useCounter = 0;
function toolUse(name: string, input: Record<string, unknown>): BetaToolUseBlock {
  useCounter += 1;
  return { type: 'tool_use', id: `toolu_${useCounter}`, name, input };
}

function calcServer() {
  return createSdkMcpServer({
    name: 'calculator',
    version: '0.4.0',
    tools: [
      tool('add', 'Adds two numbers', { a: z.number().describe('first addend'), b: z.number() }, async ({ a, b }) => ({
        content: [{ type: 'text', text: String(a + b) }],
        structuredContent: { sum: a + b },
      })),
      tool('explode', 'Always throws', {}, async () => {
        throw new Error('kaboom');
      }),
      tool('picture', 'Returns an image', {}, async () => ({
        content: [
          { type: 'text', text: 'a red dot' },
          { type: 'image', data: PNG_1X1, mimeType: 'image/png' },
        ],
      })),
      tool('refuse', 'Reports a failure', {}, async () => ({ content: [{ type: 'text', text: 'no can do' }], isError: true })),
    ],
  });
}

const opened: McpConnections[] = [];
async function connect(...args: Parameters<typeof connectMcpServers>): Promise<McpConnections> {
  const connections = await connectMcpServers(...args);
  opened.push(connections);
  return connections;
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((connections) => connections.close()));
});

describe('tool()', () => {
  it('builds the official definition, hints in _meta', async () => {
    const handler = async () => ({ content: [] });
    const plain = tool('t', 'd', { a: z.string() }, handler);
    expect(plain).toEqual({ name: 't', description: 'd', inputSchema: { a: expect.anything() }, handler });
    expect(Object.keys(plain).sort()).toEqual(['description', 'handler', 'inputSchema', 'name']);
    const hinted = tool('t', 'd', {}, handler, { annotations: { readOnlyHint: true }, searchHint: 'find things', alwaysLoad: true });
    expect(hinted.annotations).toEqual({ readOnlyHint: true });
    expect(hinted._meta).toEqual({ 'anthropic/searchHint': 'find things', 'anthropic/alwaysLoad': true });
  });
});

describe('createSdkMcpServer()', () => {
  it('returns an sdk config holding a real McpServer', () => {
    const server = createSdkMcpServer({ name: 'calc', timeout: 5000 });
    expect(server).toMatchObject({ type: 'sdk', name: 'calc', timeout: 5000 });
    expect(typeof server.instance.registerTool).toBe('function');
    expect(server.instance.isConnected()).toBe(false);
    expect(createSdkMcpServer({ name: 'calc', timeout: 0 })).not.toHaveProperty('timeout');
    expect(createSdkMcpServer({ name: 'calc', timeout: 1.5 })).not.toHaveProperty('timeout');
  });

  it('refuses an empty name and duplicate tool names', () => {
    expect(() => createSdkMcpServer({ name: '' })).toThrow(InvalidArgumentError);
    const twice = tool('same', 'd', {}, async () => ({ content: [] }));
    expect(() => createSdkMcpServer({ name: 'x', tools: [twice, twice] })).toThrow(/defined twice/);
  });

  it('lists its tools as mcp__<server>__<tool> with their JSON schemas, and reports serverInfo', async () => {
    const connections = await connect({ calc: calcServer() });
    expect(connections.status()).toEqual([{ name: 'calc', status: 'connected', serverInfo: { name: 'calculator', version: '0.4.0' }, source: 'sdk' }]);
    const definitions = connections.runner.definitions();
    expect(definitions.map((definition) => definition.name)).toEqual(['mcp__calc__add', 'mcp__calc__explode', 'mcp__calc__picture', 'mcp__calc__refuse']);
    expect(definitions[0]).toMatchObject({
      name: 'mcp__calc__add',
      description: 'Adds two numbers',
      input_schema: { type: 'object', properties: { a: { type: 'number', description: 'first addend' }, b: { type: 'number' } }, required: ['a', 'b'] },
    });
  });

  it('runs a call with valid input: text content and structuredContent', async () => {
    const connections = await connect({ calc: calcServer() });
    const outcome = await connections.runner.run(toolUse('mcp__calc__add', { a: 2, b: 40 }), context());
    expect(outcome).toEqual({ content: [{ type: 'text', text: '42' }], structured: { sum: 42 } });
  });

  it('answers invalid input, a throwing handler and a reported failure with is_error results', async () => {
    const connections = await connect({ calc: calcServer() });
    const invalid = await connections.runner.run(toolUse('mcp__calc__add', { a: 'two', b: 40 }), context());
    expect(invalid.isError).toBe(true);
    expect(JSON.stringify(invalid.content)).toMatch(/Input validation error.*expected number/);
    const thrown = await connections.runner.run(toolUse('mcp__calc__explode', {}), context());
    expect(thrown).toEqual({ content: [{ type: 'text', text: 'kaboom' }], isError: true });
    const refused = await connections.runner.run(toolUse('mcp__calc__refuse', {}), context());
    expect(refused).toEqual({ content: [{ type: 'text', text: 'no can do' }], isError: true });
    const unknown = await connections.runner.run(toolUse('mcp__calc__nope', {}), context());
    expect(unknown).toEqual({ content: 'No such tool available: mcp__calc__nope', isError: true });
  });

  it('passes image content as an API image block', async () => {
    const connections = await connect({ calc: calcServer() });
    const outcome = await connections.runner.run(toolUse('mcp__calc__picture', {}), context());
    expect(outcome.content).toEqual([
      { type: 'text', text: 'a red dot' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1X1 } },
    ]);
  });

  it('accepts zod 3 shapes', async () => {
    const server = createSdkMcpServer({
      name: 'legacy',
      tools: [tool('shout', 'Upper-cases', { text: z3.string().describe('what to shout') }, async ({ text }) => ({ content: [{ type: 'text', text: text.toUpperCase() }] }))],
    });
    const connections = await connect({ legacy: server });
    expect(connections.runner.definitions()[0]?.input_schema).toMatchObject({ properties: { text: { type: 'string', description: 'what to shout' } } });
    expect(await connections.runner.run(toolUse('mcp__legacy__shout', { text: 'hi' }), context())).toEqual({ content: [{ type: 'text', text: 'HI' }] });
  });

  it('leaves a tool whose schema cannot become JSON Schema out, with one warning; the other tools load', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const server = createSdkMcpServer({
        name: 'dates',
        tools: [tool('when', 'Takes a Date', { at: z.date() }, async () => ({ content: [] })), tool('now', 'Says now', {}, async () => ({ content: [{ type: 'text', text: 'now' }] }))],
      });
      const connections = await connect({ dates: server });
      expect(connections.status()[0]?.status).toBe('connected');
      expect(connections.runner.definitions().map((definition) => definition.name)).toEqual(['mcp__dates__now']);
      await connections.close();
      // Listed again by the next query: still one warning.
      const again = await connect({ dates: server });
      expect(again.runner.definitions().map((definition) => definition.name)).toEqual(['mcp__dates__now']);
      await new Promise((resolve) => setImmediate(resolve));
      const ours = warnings.filter((warning) => (warning as Error & { code?: string }).code === 'CLAUDE_SDK_MCP_TOOL_SCHEMA_UNCONVERTIBLE');
      expect(ours.map((warning) => warning.message)).toEqual([expect.stringMatching(/^Tool "when" on SDK MCP server "dates" was left out of the server's tool list, because its input schema cannot be converted to JSON Schema: .*Date/)]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('refuses a shape that mixes zod 3 and zod 4 fields', () => {
    expect(() => createSdkMcpServer({ name: 'mixed', tools: [tool('t', 'd', { a: z.number(), b: z3.string() } as unknown as { a: z.ZodNumber }, async () => ({ content: [] }))] })).toThrow(/Mixed Zod versions/);
  });

  it('serves two sequential queries, and two concurrent ones, from one createSdkMcpServer() result', async () => {
    const server = calcServer();
    for (const round of [1, 2]) {
      const connections = await connectMcpServers({ calc: server });
      expect(await connections.runner.run(toolUse('mcp__calc__add', { a: round, b: 1 }), context())).toMatchObject({ content: [{ type: 'text', text: String(round + 1) }] });
      await connections.close();
      expect(server.instance.isConnected()).toBe(false);
    }
    const [first, second] = await Promise.all([connectMcpServers({ calc: server }), connectMcpServers({ calc: server })]);
    const answers = await Promise.all([first, second].map((connections, index) => connections.runner.run(toolUse('mcp__calc__add', { a: index, b: 10 }), context())));
    expect(answers.map((answer) => answer.content)).toEqual([[{ type: 'text', text: '10' }], [{ type: 'text', text: '11' }]]);
    await first.close();
    // The link stays up while the second query still uses it.
    expect(server.instance.isConnected()).toBe(true);
    expect(await second.runner.run(toolUse('mcp__calc__add', { a: 5, b: 5 }), context())).toMatchObject({ content: [{ type: 'text', text: '10' }] });
    await second.close();
    await second.close();
    expect(server.instance.isConnected()).toBe(false);
  });

  it('reports a server the user connected elsewhere as failed, without disturbing that connection', async () => {
    const { InMemoryTransport } = await import('@modelcontextprotocol/sdk/inMemory.js');
    const server = calcServer();
    const [, serverSide] = InMemoryTransport.createLinkedPair();
    await server.instance.connect(serverSide);
    const connections = await connect({ calc: server, other: calcServer() });
    expect(connections.status()[0]).toMatchObject({ name: 'calc', status: 'failed', error: expect.stringMatching(/already connected/) });
    expect(connections.status()[1]).toMatchObject({ name: 'other', status: 'connected' });
    expect(server.instance.isConnected()).toBe(true);
    await server.instance.close();
  });

  it("works with the user's own McpServer instance", async () => {
    const instance = new McpServer({ name: 'hand-made', version: '9.9.9' });
    instance.registerTool('ping', { description: 'pong' }, async () => ({ content: [{ type: 'text', text: 'pong' }] }));
    const connections = await connect({ 'hand made': { type: 'sdk', name: 'hand made', instance } });
    expect(connections.runner.definitions().map((definition) => definition.name)).toEqual(['mcp__hand_made__ping']);
    expect(await connections.runner.run(toolUse('mcp__hand_made__ping', {}), context())).toEqual({ content: [{ type: 'text', text: 'pong' }] });
  });

  it('denies calls to tools an always_deny policy names', async () => {
    const server = { ...calcServer(), tools: [{ name: 'add', permission_policy: 'always_deny' as const }] };
    const connections = await connect({ calc: server });
    const outcome = await connections.runner.run(toolUse('mcp__calc__add', { a: 1, b: 1 }), context());
    expect(outcome).toMatchObject({ isError: true, content: expect.stringMatching(/denied by the tool policy/) });
    expect(await connections.runner.run(toolUse('mcp__calc__picture', {}), context())).not.toHaveProperty('isError');
  });

  it('applies the server timeout to a slow in-process tool, and stops on abort', async () => {
    let cancelled = 0;
    const server = createSdkMcpServer({
      name: 'sleepy',
      timeout: 1000,
      tools: [
        tool('nap', 'Sleeps', { ms: z.number() }, async ({ ms }, extra) => {
          const { signal } = extra as { signal: AbortSignal };
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, ms);
            signal.addEventListener('abort', () => {
              cancelled += 1;
              clearTimeout(timer);
              resolve();
            });
          });
          return { content: [{ type: 'text', text: 'rested' }] };
        }),
      ],
    });
    const connections = await connect({ sleepy: server });
    const started = Date.now();
    const timedOut = await connections.runner.run(toolUse('mcp__sleepy__nap', { ms: 5000 }), context());
    expect(timedOut).toEqual({ content: 'MCP tool "nap" of server "sleepy" timed out after 1000 ms', isError: true });
    expect(Date.now() - started).toBeLessThan(3000);

    const controller = new AbortController();
    const call = connections.runner.run(toolUse('mcp__sleepy__nap', { ms: 5000 }), context(controller.signal));
    setTimeout(() => controller.abort(new Error('turn aborted')), 100);
    await expect(call).rejects.toThrow('turn aborted');
    await expect.poll(() => cancelled).toBe(2);
  });
});
