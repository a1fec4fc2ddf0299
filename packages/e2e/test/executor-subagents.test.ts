import { randomUUID } from 'node:crypto';
import { getSubagentMessages as officialGetSubagentMessages, listSubagents as officialListSubagents } from '@anthropic-ai/claude-agent-sdk';
import { composeToolRunners, createAgentTool, createToolRunner, type SDKMessage, type SessionStoreEntry } from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';
import { textReply, toolUseReply } from '@sdk/testing/emulator';
import { describe, expect, it } from 'vitest';
import { executorFor, messageRequests, MODEL, runTurn } from './support/executor-harness.js';
import { emulatorForThisFile } from './support/file-emulator.js';

const emulator = await emulatorForThisFile();

const agents = {
  researcher: { description: 'Looks things up', prompt: 'You are a careful researcher.', tools: ['lookup'], model: 'haiku' },
};

describe('subagents through the Agent tool', () => {
  it('runs a nested turn stored as a sidechain sub-transcript, passes its messages on, and folds its cost in', async () => {
    const store = new InMemorySessionStore();
    const cwd = '/work/project';
    const session = { projectKey: '-work-project', sessionId: randomUUID() };
    const executor = executorFor(store, emulator);
    const lookup = createToolRunner([{ name: 'lookup', description: 'Looks a word up', inputSchema: { type: 'object', properties: { word: { type: 'string' } } }, run: (input) => `definition of ${String(input.word)}` }]);
    const other = createToolRunner([{ name: 'shell', description: 'Not for subagents', inputSchema: { type: 'object' }, run: () => 'ran' }]);
    const parentTools = composeToolRunners([lookup, other]);
    const agentTool = createAgentTool({ executor, session, agents, model: MODEL, tools: parentTools, inherit: { cwd }, generateAgentId: () => 'a0123456789abcdef' });
    const tools = composeToolRunners([parentTools, createToolRunner([agentTool])]);

    emulator.enqueue(toolUseReply('Agent', { description: 'look up a word', prompt: 'Define apple', subagent_type: 'researcher' }, { id: 'toolu_parent_agent' }));
    emulator.enqueue(toolUseReply('lookup', { word: 'apple' }));
    emulator.enqueue(textReply('An apple is a fruit.'));
    emulator.enqueue(textReply('The researcher says: an apple is a fruit.'));
    const { messages, result } = await runTurn(executor, { session, prompt: 'What is an apple? Ask the researcher.', tools, cwd });

    expect(result).toMatchObject({ subtype: 'success', result: 'The researcher says: an apple is a fruit.' });
    const requests = messageRequests(emulator);
    expect(requests).toHaveLength(4);
    // The subagent's requests: its own system prompt, model, tools (no Agent, no shell) and history.
    expect(requests[1]!.body).toMatchObject({ model: 'claude-haiku-4-5', system: 'You are a careful researcher.' });
    expect((requests[1]!.body.tools as Array<{ name: string }>).map((tool) => tool.name)).toEqual(['lookup']);
    expect(requests[1]!.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Define apple' }] }]);

    const nested = messages.filter((message: SDKMessage) => 'parent_tool_use_id' in message && message.parent_tool_use_id === 'toolu_parent_agent');
    expect(nested.map((message) => message.type)).toEqual(['assistant', 'user', 'assistant']);
    const agentResult = messages.find((message) => message.type === 'user' && message.parent_tool_use_id === null && message.tool_use_result !== undefined);
    expect(agentResult).toMatchObject({ tool_use_result: { status: 'completed', agentId: 'a0123456789abcdef', agentType: 'researcher', content: [{ type: 'text', text: 'An apple is a fruit.' }], totalToolUseCount: 1 } });
    expect(Object.keys(result.modelUsage).sort()).toEqual(['claude-haiku-4-5', MODEL].sort());
    expect(result.total_cost_usd).toBeCloseTo(Object.values(result.modelUsage).reduce((sum, usage) => sum + usage.costUSD, 0), 10);

    const subkey = { ...session, subpath: 'subagents/agent-a0123456789abcdef' };
    expect(await store.listSubkeys(session)).toEqual(['subagents/agent-a0123456789abcdef']);
    const sidechain = (await store.load(subkey))!;
    expect(sidechain.every((entry: SessionStoreEntry) => entry.isSidechain === true && entry.agentId === 'a0123456789abcdef' && entry.sessionId === session.sessionId)).toBe(true);
    expect(sidechain[0]).toMatchObject({ type: 'user', parentUuid: null });
    // The parent transcript holds no sidechain entry; its history resumes without the subagent's.
    expect((await store.load(session))!.some((entry) => entry.isSidechain === true)).toBe(false);

    // The official SDK's session functions find the subagent and read its conversation.
    expect(await officialListSubagents(session.sessionId, { dir: cwd, sessionStore: store })).toEqual(['a0123456789abcdef']);
    const officialMessages = await officialGetSubagentMessages(session.sessionId, 'a0123456789abcdef', { dir: cwd, sessionStore: store });
    expect(officialMessages.map((message) => message.type)).toEqual(['user', 'assistant', 'user', 'assistant']);
  });

  it('answers an unknown agent type with an error result the model can read', async () => {
    const store = new InMemorySessionStore();
    const session = { projectKey: 'agents', sessionId: randomUUID() };
    const executor = executorFor(store, emulator);
    const tools = createToolRunner([createAgentTool({ executor, session, agents, model: MODEL, tools: createToolRunner([]) })]);
    emulator.enqueue(toolUseReply('Agent', { description: 'x', prompt: 'y', subagent_type: 'nobody' }));
    emulator.enqueue(textReply('ok'));
    const { messages } = await runTurn(executor, { session, prompt: 'go', tools });
    const toolResult = messages.find((message) => message.type === 'user' && message.tool_use_result !== undefined);
    expect(toolResult).toMatchObject({ message: { content: [{ is_error: true, content: "Agent type 'nobody' not found. Available agents: general-purpose, researcher" }] } });
  });
});
