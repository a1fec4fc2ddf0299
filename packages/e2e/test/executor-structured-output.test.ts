import { InvalidArgumentError, type SDKResultSuccess, type SessionStoreEntry } from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';
import { textReply, toolUseReply } from '@sdk/testing/emulator';
import { describe, expect, it } from 'vitest';
import { executorFor, messageRequests, newSession, runTurn } from './support/executor-harness.js';
import { emulatorForThisFile } from './support/file-emulator.js';

// Structured output as the CLI does it (checked against the official SDK 0.3.332 against this
// emulator): a StructuredOutput tool with the caller's schema; a valid call ends the turn at once;
// an invalid one gets the validation errors; a turn ending without the call is re-prompted.
const emulator = await emulatorForThisFile();

const outputFormat = {
  type: 'json_schema' as const,
  schema: { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'], additionalProperties: false },
};

describe('AgentExecutor structured output', () => {
  it('offers the StructuredOutput tool and ends the turn on a valid call without another API call', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    emulator.enqueue(toolUseReply('StructuredOutput', { answer: 42 }));
    const { messages, result } = await runTurn(executorFor(store, emulator), { session, prompt: 'What is 6*7?', outputFormat });
    const requests = messageRequests(emulator);
    expect(requests).toHaveLength(1);
    const tool = (requests[0]!.body.tools as Array<{ name: string; input_schema: unknown }>).find((candidate) => candidate.name === 'StructuredOutput');
    expect(tool?.input_schema).toEqual(outputFormat.schema);
    expect(messages[0]).toMatchObject({ type: 'system', subtype: 'init', tools: ['StructuredOutput'] });
    expect(result).toMatchObject({ subtype: 'success', is_error: false, result: '{"answer":42}', structured_output: { answer: 42 }, num_turns: 2, stop_reason: 'tool_use' });
    const entries = (await store.load(session))!;
    const toolResult = entries.find((entry) => entry.type === 'user' && entry.toolUseResult !== undefined)!;
    expect(toolResult).toMatchObject({ toolUseResult: 'Structured output provided successfully', toolEndsTurn: true });
  });

  it('re-prompts a turn that ends without the call, and answers an invalid call with the schema errors', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    emulator.enqueue(textReply('The answer is 42'));
    emulator.enqueue(toolUseReply('StructuredOutput', { answer: 'x' }));
    emulator.enqueue(toolUseReply('StructuredOutput', { answer: 42 }));
    const { messages, result } = await runTurn(executorFor(store, emulator), { session, prompt: 'What is 6*7?', outputFormat });
    expect((result as SDKResultSuccess).structured_output).toEqual({ answer: 42 });
    expect(result.num_turns).toBe(4);
    expect(messages.map((message) => message.type)).toEqual(['system', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user', 'result']);
    const requests = messageRequests(emulator);
    expect(requests).toHaveLength(3);
    expect(requests[1]!.messages.at(-1)).toEqual({
      role: 'user',
      content: '[structured-output-enforce] You MUST call the StructuredOutput tool to complete this request. Call this tool now.',
    });
    const rejection = (requests[2]!.messages.at(-1)!.content as Array<{ type: string; content: string; is_error?: boolean }>)[0]!;
    expect(rejection).toMatchObject({ type: 'tool_result', is_error: true, content: 'Output does not match required schema: /answer: must be number' });
    const meta = (await store.load(session))!.filter((entry: SessionStoreEntry) => entry.isMeta === true);
    expect(meta).toHaveLength(1);
  });

  it('gives up with error_max_structured_output_retries', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    for (let index = 0; index < 3; index++) emulator.enqueue(textReply(`no tool ${index}`));
    const { result } = await runTurn(executorFor(store, emulator), { session, prompt: 'answer', outputFormat, maxStructuredOutputRetries: 2 });
    expect(result).toMatchObject({ subtype: 'error_max_structured_output_retries', is_error: true, terminal_reason: 'structured_output_retry_exhausted' });
    expect(messageRequests(emulator)).toHaveLength(3);
    // The session stays usable: the next turn runs on a valid history.
    emulator.enqueue(textReply('fine'));
    const next = await runTurn(executorFor(store, emulator), { session, prompt: 'again' });
    expect(next.result.subtype).toBe('success');
    expect(emulator.requests.filter((request) => request.rejected !== undefined)).toEqual([]);
  });

  it('rejects a schema that does not compile before anything is stored', async () => {
    const store = new InMemorySessionStore();
    const session = newSession();
    const turn = runTurn(executorFor(store, emulator), { session, prompt: 'x', outputFormat: { type: 'json_schema', schema: { type: 'no-such-type' } } });
    await expect(turn).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(await store.load(session)).toBeNull();
  });
});
