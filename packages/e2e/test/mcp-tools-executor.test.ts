import { fileURLToPath } from 'node:url';
import { connectMcpServers, createSdkMcpServer, tool, type SDKUserMessage } from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';
import { toolUseReply } from '@sdk/testing/emulator';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { executorFor, messageRequests, newSession, runTurn } from './support/executor-harness.js';
import { emulatorForThisFile } from './support/file-emulator.js';

const ECHO_STDIO_SERVER = fileURLToPath(new URL('../../core/src/mcp/__fixtures__/echo-stdio-server.mjs', import.meta.url));

const emulator = await emulatorForThisFile();

const rejected = () => emulator.requests.filter((request) => request.rejected !== undefined).map((request) => request.rejected);

describe('MCP tools in the executor', () => {
  it("answers the model's mcp__calc__add with the in-process server; the tool_result reaches the API", async () => {
    const calc = createSdkMcpServer({
      name: 'calculator',
      tools: [
        tool('add', 'Adds two numbers', { a: z.number(), b: z.number() }, async ({ a, b }) => ({
          content: [{ type: 'text', text: String(a + b) }],
          structuredContent: { sum: a + b },
        })),
      ],
    });
    const connections = await connectMcpServers({ calc });
    try {
      emulator.enqueue(toolUseReply('mcp__calc__add', { a: 19, b: 23 }, { id: 'toolu_add_1' }));
      const { messages, result } = await runTurn(executorFor(new InMemorySessionStore(), emulator), { session: newSession(), prompt: 'add 19 and 23', tools: connections.runner });

      expect(messages[0]).toMatchObject({ type: 'system', subtype: 'init', tools: ['mcp__calc__add'] });
      const toolResult = messages.find((message): message is SDKUserMessage => message.type === 'user' && message.tool_use_result !== undefined);
      expect(toolResult?.message.content).toEqual([{ type: 'tool_result', tool_use_id: 'toolu_add_1', content: [{ type: 'text', text: '42' }] }]);
      expect(toolResult?.tool_use_result).toEqual({ sum: 42 });
      expect(result).toMatchObject({ subtype: 'success', num_turns: 2 });

      const [first, second] = messageRequests(emulator);
      expect(first!.body.tools).toEqual([
        {
          name: 'mcp__calc__add',
          description: 'Adds two numbers',
          input_schema: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] },
        },
      ]);
      expect(second!.messages.at(-1)).toEqual({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_add_1', content: [{ type: 'text', text: '42' }] }] });
      expect(rejected()).toEqual([]);
    } finally {
      await connections.close();
    }
  });

  it('calls the tool of a real stdio MCP server', async () => {
    const connections = await connectMcpServers({ echo: { command: process.execPath, args: [ECHO_STDIO_SERVER] } });
    try {
      expect(connections.status()).toEqual([{ name: 'echo', status: 'connected', serverInfo: { name: 'echo-stdio-server', version: '2.3.4' }, source: 'dynamic' }]);
      emulator.enqueue(toolUseReply('mcp__echo__echo', { text: 'from the model' }, { id: 'toolu_echo_1' }));
      const { result } = await runTurn(executorFor(new InMemorySessionStore(), emulator), { session: newSession(), prompt: 'echo something', tools: connections.runner });
      expect(result).toMatchObject({ subtype: 'success', num_turns: 2 });
      const second = messageRequests(emulator)[1]!;
      expect(second.messages.at(-1)).toEqual({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_echo_1', content: [{ type: 'text', text: 'echo: from the model' }] }] });
      expect(rejected()).toEqual([]);
    } finally {
      await connections.close();
    }
  });
});
