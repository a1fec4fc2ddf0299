import { createToolRunner, type SessionStoreEntry, type ToolCallCheck, type TurnHooks } from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';
import { textReply, toolUseReply } from '@sdk/testing/emulator';
import { beforeEach, describe, expect, it } from 'vitest';
import { executorFor, messageRequests, newSession, runTurn } from './support/executor-harness.js';
import { emulatorForThisFile } from './support/file-emulator.js';

const emulator = await emulatorForThisFile();

const ran: Array<Record<string, unknown>> = [];
const tools = createToolRunner([
  {
    name: 'write_note',
    description: 'Writes a note',
    inputSchema: { type: 'object', properties: { text: { type: 'string' } } },
    access: (input) => ({ kind: 'edit', paths: [`/notes/${String(input.text)}`] }),
    run: (input) => {
      ran.push(input);
      return `wrote ${String(input.text)}`;
    },
  },
]);
beforeEach(() => {
  ran.length = 0;
});
const rejected = () => emulator.requests.filter((request) => request.rejected !== undefined);
const lastUserContent = (index: number) => messageRequests(emulator)[index]!.messages.at(-1)!.content;

describe('TurnHooks in the executor', () => {
  it('beforeTool sees the call and its access; deny answers with an error result and a permission denial', async () => {
    const seen: ToolCallCheck[] = [];
    const hooks: TurnHooks = {
      beforeTool: async (call) => {
        seen.push(call);
        return call.toolUse.input && (call.toolUse.input as { text?: string }).text === 'secret' ? { behavior: 'deny', message: 'Not allowed to write secrets.' } : { behavior: 'allow' };
      },
    };
    emulator.enqueue({ type: 'message', content: [{ type: 'tool_use', name: 'write_note', input: { text: 'secret' } }, { type: 'tool_use', name: 'write_note', input: { text: 'hello' } }] });
    emulator.enqueue(textReply('done'));
    const { result } = await runTurn(executorFor(new InMemorySessionStore(), emulator), { session: newSession(), prompt: 'write', tools, hooks });
    expect(seen.map((call) => [call.access, call.batchSize, call.resumingDeferred])).toEqual([
      [{ kind: 'edit', paths: ['/notes/secret'] }, 2, false],
      [{ kind: 'edit', paths: ['/notes/hello'] }, 2, false],
    ]);
    expect(ran).toEqual([{ text: 'hello' }]);
    expect(result.permission_denials).toEqual([{ tool_name: 'write_note', tool_use_id: expect.stringMatching(/^toolu_/), tool_input: { text: 'secret' } }]);
    const results = lastUserContent(1) as Array<{ type: string; content: string; is_error?: boolean }>;
    expect(results.map((block) => [block.content, block.is_error === true])).toEqual([
      ['Not allowed to write secrets.', true],
      ['wrote hello', false],
    ]);
    expect(rejected()).toEqual([]);
  });

  it('allow with input replaces what the model asked for; a throwing check denies', async () => {
    emulator.enqueue(toolUseReply('write_note', { text: 'draft' }));
    emulator.enqueue(textReply('done'));
    await runTurn(executorFor(new InMemorySessionStore(), emulator), {
      session: newSession(),
      prompt: 'write',
      tools,
      hooks: { beforeTool: async () => ({ behavior: 'allow', input: { text: 'reviewed' } }) },
    });
    expect(ran).toEqual([{ text: 'reviewed' }]);

    emulator.enqueue(toolUseReply('write_note', { text: 'x' }));
    emulator.enqueue(textReply('done'));
    const { result } = await runTurn(executorFor(new InMemorySessionStore(), emulator), {
      session: newSession(),
      prompt: 'write',
      tools,
      hooks: { beforeTool: () => Promise.reject(new Error('policy service down')) },
    });
    expect(ran).toHaveLength(1);
    expect(result.permission_denials).toHaveLength(1);
    expect((lastUserContent(3) as Array<{ content: string }>)[0]!.content).toBe('Permission check failed: policy service down');
  });

  it('deny with interrupt ends the turn; stop ends it with hook_stopped; the session stays valid', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    emulator.enqueue(toolUseReply('write_note', { text: 'a' }));
    const interrupted = await runTurn(executorFor(store, emulator), { session, prompt: 'one', tools, hooks: { beforeTool: async () => ({ behavior: 'deny', message: 'no', interrupt: true }) } });
    expect(interrupted.result).toMatchObject({ subtype: 'error_during_execution', terminal_reason: 'aborted_tools' });
    emulator.enqueue(toolUseReply('write_note', { text: 'b' }));
    const stopped = await runTurn(executorFor(store, emulator), { session, prompt: 'two', tools, hooks: { beforeTool: async () => ({ behavior: 'stop', reason: 'Maintenance window.' }) } });
    expect(stopped.result).toMatchObject({ subtype: 'success', terminal_reason: 'hook_stopped', result: 'Maintenance window.' });
    emulator.enqueue(textReply('fine'));
    const after = await runTurn(executorFor(store, emulator), { session, prompt: 'three' });
    expect(after.result.subtype).toBe('success');
    expect(ran).toEqual([]);
    expect(rejected()).toEqual([]);
  });

  it('promptSubmitted can add context to the prompt, or block it before anything is stored', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    await runTurn(executorFor(store, emulator), { session, prompt: 'hello', hooks: { promptSubmitted: async () => ({ additionalContext: ['The user is on the free plan.'] }) } });
    expect(lastUserContent(0)).toEqual([
      { type: 'text', text: 'hello' },
      { type: 'text', text: '<system-reminder>\nThe user is on the free plan.\n</system-reminder>' },
    ]);
    const other = newSession();
    const blocked = await runTurn(executorFor(store, emulator), { session: other, prompt: 'leak the key', hooks: { promptSubmitted: async () => ({ block: 'Prompt mentions secrets.' }) } });
    expect(blocked.result).toMatchObject({ subtype: 'error_during_execution', terminal_reason: 'hook_stopped', errors: ['UserPromptSubmit hook blocked the prompt: Prompt mentions secrets.'] });
    expect(await store.load(other)).toBeNull();
    expect(messageRequests(emulator)).toHaveLength(1);
  });

  it('afterTool adds context after the results; stopping sends the model back once', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    emulator.enqueue(toolUseReply('write_note', { text: 'a' }));
    emulator.enqueue(textReply('first answer'));
    emulator.enqueue(textReply('second answer'));
    const stops: boolean[] = [];
    const hooks: TurnHooks = {
      afterTool: async ({ outcome }) => ({ additionalContext: [`checked: ${typeof outcome.content === "string" ? outcome.content : JSON.stringify(outcome.content)}`] }),
      stopping: async ({ stopHookActive }) => {
        stops.push(stopHookActive);
        return stopHookActive ? {} : { continueWith: 'Also run the tests.' };
      },
    };
    const { result, messages } = await runTurn(executorFor(store, emulator), { session, prompt: 'go', tools, hooks });
    expect(result).toMatchObject({ subtype: 'success', result: 'second answer' });
    expect(stops).toEqual([false, true]);
    expect((lastUserContent(1) as Array<{ type: string; text?: string }>).at(-1)).toEqual({ type: 'text', text: '<system-reminder>\nchecked: wrote a\n</system-reminder>' });
    expect(lastUserContent(2)).toBe('Stop hook feedback:\nAlso run the tests.');
    expect(messages.filter((message) => message.type === 'user' && message.isSynthetic === true)).toHaveLength(1);
    const entries = (await store.load(session))!;
    expect(entries.filter((entry: SessionStoreEntry) => entry.isMeta === true)).toHaveLength(2);
    // The next turn's history (rebuilt from the store) is accepted by the API.
    await runTurn(executorFor(store, emulator), { session, prompt: 'next' });
    expect(rejected()).toEqual([]);
  });
});
