import { randomUUID } from 'node:crypto';
import { AgentExecutor, createToolRunner, type SessionStoreEntry } from '@sdk/core';
import { startMessagesEmulator, textReply, toolUseReply, type MessagesEmulator } from '@sdk/testing/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERY_STORE, type TestStore } from './support/every-store.js';
import { MODEL } from './support/executor-harness.js';

// A turn with several tool calls — two in one message, run concurrently, then a third — on every
// store; the next turn, on a fresh executor, rebuilds a history the API accepts.
let emulator: MessagesEmulator;
const opened: TestStore[] = [];
beforeAll(async () => {
  emulator = await startMessagesEmulator();
});
afterAll(async () => {
  for (const store of opened) await store.dispose();
  await emulator.close();
});

const tools = createToolRunner([
  { name: 'add', description: 'Adds', inputSchema: { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } } }, run: async (input) => String(Number(input.a) + Number(input.b)) },
  { name: 'slow', description: 'Waits', inputSchema: { type: 'object' }, run: () => new Promise<string>((resolve) => setTimeout(() => resolve('waited'), 30)) },
]);

describe.each(EVERY_STORE)('a tool-using turn on the %s store', (_, open) => {
  it('stores every call and result, and the next turn sends them back', async () => {
    const { store, dispose } = await open();
    opened.push({ store, dispose });
    emulator.reset();
    const session = { projectKey: 'tool-turns', sessionId: randomUUID() };
    const executor = (): AgentExecutor => new AgentExecutor({ store, clientOptions: { apiKey: 'x', baseURL: emulator.url } });
    emulator.enqueue({ type: 'message', content: [{ type: 'text', text: 'Two at once.' }, { type: 'tool_use', name: 'slow', input: {} }, { type: 'tool_use', name: 'add', input: { a: 2, b: 3 } }] });
    emulator.enqueue(toolUseReply('add', { a: 5, b: 5 }));
    emulator.enqueue(textReply('The sums are 5 and 10.'));
    let result;
    for await (const message of executor().runTurn({ session, prompt: 'add things', model: MODEL, tools })) if (message.type === 'result') result = message;
    expect(result).toMatchObject({ subtype: 'success', num_turns: 3, result: 'The sums are 5 and 10.' });

    const entries = (await store.load(session))!;
    const uses = entries.flatMap((entry: SessionStoreEntry) => ((entry.message as { content?: Array<{ type: string; id?: string }> } | undefined)?.content ?? []).filter((block) => block.type === 'tool_use'));
    const results = entries.flatMap((entry: SessionStoreEntry) => ((entry.message as { content?: Array<{ type: string; tool_use_id?: string }> } | undefined)?.content ?? []).filter((block) => block.type === 'tool_result'));
    expect(uses).toHaveLength(3);
    expect(results.map((block) => block.tool_use_id).sort()).toEqual(uses.map((block) => block.id).sort());
    expect(new Set(entries.map((entry) => entry.uuid).filter(Boolean)).size).toBe(entries.filter((entry) => entry.uuid).length);

    for await (const message of executor().runTurn({ session, prompt: 'and now?', model: MODEL, tools })) if (message.type === 'result') result = message;
    expect(result).toMatchObject({ subtype: 'success' });
    const last = emulator.requests.filter((request) => request.path === '/v1/messages').at(-1)!;
    expect(last.messages).toHaveLength(7);
    expect(emulator.requests.filter((request) => request.rejected !== undefined)).toEqual([]);
  });
});
