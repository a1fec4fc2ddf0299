// Your own tools, a hook and a permission callback, through the official `query()` API:
// - `tool()` + `createSdkMcpServer()`: two in-process tools, `add` and `divide` (the model sees
//   them as `mcp__calc__add` and `mcp__calc__divide`);
// - a PreToolUse hook: logs every call and refuses a division by zero before anyone is asked;
// - `canUseTool`: the permission callback for calls no hook or rule decided (your UI would ask
//   the user here); it allows the calculator and refuses anything else.
// Real Claude when ANTHROPIC_API_KEY is set, else the project's local Messages API emulator.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSdkMcpServer, query, tool, type CanUseTool, type HookCallback } from '@sdk/compat';
import { startMessagesEmulator, textReply, toolUseReply, type MessagesEmulator } from '@sdk/testing/emulator';
import { z } from 'zod';

const smoke = process.argv.includes('--smoke');
const configDir = smoke ? mkdtempSync(join(tmpdir(), 'custom-tools-')) : undefined;
if (configDir) process.env.CLAUDE_CONFIG_DIR = configDir;

let emulator: MessagesEmulator | undefined;
if (smoke || !process.env.ANTHROPIC_API_KEY) {
  emulator = await startMessagesEmulator();
  process.env.ANTHROPIC_BASE_URL = emulator.url;
  process.env.ANTHROPIC_API_KEY = 'emulator';
  console.log(`Using the LOCAL Messages API emulator at ${emulator.url}, not Claude (no ANTHROPIC_API_KEY, or --smoke).`);
  // What the model does here: add, then divide by zero, then answer.
  emulator.enqueue(
    toolUseReply('mcp__calc__add', { a: 2, b: 3 }),
    toolUseReply('mcp__calc__divide', { a: 5, b: 0 }),
    textReply('2 + 3 = 5; 5 / 0 is not allowed.'),
  );
}

// The tools: a zod shape for the input, a handler returning MCP content.
const calc = createSdkMcpServer({
  name: 'calc',
  version: '1.0.0',
  tools: [
    tool('add', 'Adds two numbers.', { a: z.number(), b: z.number() }, async ({ a, b }) => ({ content: [{ type: 'text', text: String(a + b) }] })),
    tool('divide', 'Divides a by b.', { a: z.number(), b: z.number() }, async ({ a, b }) => ({ content: [{ type: 'text', text: String(a / b) }] })),
  ],
});

// The hook: sees every call first; may decide (allow / deny / ask / defer) or let it through.
const log: string[] = [];
const preToolUse: HookCallback = async (input) => {
  // PreToolUse input: { hook_event_name, tool_name, tool_input, tool_use_id, session_id, cwd, … }
  const tool_name = input.tool_name as string;
  const tool_input = input.tool_input as { b?: number };
  log.push(`PreToolUse ${tool_name}`);
  if (tool_name === 'mcp__calc__divide' && tool_input.b === 0) {
    return { hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: 'Division by zero.' } };
  }
  return {}; // no decision: the permission callback is asked
};

// The permission callback.
const canUseTool: CanUseTool = async (toolName, input) => {
  log.push(`canUseTool ${toolName}`);
  return toolName.startsWith('mcp__calc__') ? { behavior: 'allow', updatedInput: input } : { behavior: 'deny', message: 'Only the calculator is allowed.' };
};

let answer = '';
for await (const message of query({
  prompt: 'What is 2 + 3, and what is 5 / 0? Use the calculator.',
  options: {
    model: 'claude-sonnet-4-6',
    mcpServers: { calc },
    hooks: { PreToolUse: [{ matcher: 'mcp__calc__.*', hooks: [preToolUse] }] },
    canUseTool,
  },
})) {
  if (message.type === 'assistant') {
    for (const block of message.message.content) if (block.type === 'tool_use') console.log(`claude calls ${block.name}(${JSON.stringify(block.input)})`);
  }
  if (message.type === 'user' && message.tool_use_result !== undefined) console.log(`  → ${JSON.stringify(message.tool_use_result)}`);
  if (message.type === 'result') {
    answer = message.subtype === 'success' ? message.result : message.subtype;
    console.log(`claude: ${answer}\ndenied: ${JSON.stringify(message.permission_denials.map((denial) => denial.tool_name))}`);
  }
}
console.log(`calls seen: ${log.join(', ')}`);

await emulator?.close();
if (configDir) rmSync(configDir, { recursive: true, force: true });
const expectedLog = 'PreToolUse mcp__calc__add, canUseTool mcp__calc__add, PreToolUse mcp__calc__divide';
if (smoke && (answer !== '2 + 3 = 5; 5 / 0 is not allowed.' || log.join(', ') !== expectedLog)) {
  console.error('smoke run FAILED');
  process.exitCode = 1;
}
