import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createToolRunner } from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';
import { startMessagesEmulator, toolUseReply, type MessagesEmulator } from '@sdk/testing/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executorFor, MODEL, newSession, runTurn } from './support/executor-harness.js';

// The executor's spans through a real OpenTelemetry SDK: a turn, its API calls, tool calls and
// store operations, with the session, model, tokens and cost as attributes.
let emulator: MessagesEmulator;
const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
beforeAll(async () => {
  trace.setGlobalTracerProvider(provider);
  emulator = await startMessagesEmulator();
});
afterAll(async () => {
  await emulator.close();
  await provider.shutdown();
  trace.disable();
});

describe('tracing', () => {
  it('records a turn span with API, tool and store spans as its children', async () => {
    const session = newSession();
    const tools = createToolRunner([{ name: 'lookup', description: 'Looks up', inputSchema: { type: 'object' }, run: () => 'found' }]);
    emulator.enqueue(toolUseReply('lookup', {}));
    const { result } = await runTurn(executorFor(new InMemorySessionStore(), emulator), { session, prompt: 'trace me', tools });
    // Ours only: the @anthropic-ai/sdk client records spans of its own (`anthropic.messages.create`).
    const spans = exporter.getFinishedSpans().filter((span) => ['agent.turn', 'anthropic.messages', 'agent.tool', 'session_store'].includes(span.name));
    const byName = (name: string): ReadableSpan[] => spans.filter((span) => span.name === name);
    const [turn] = byName('agent.turn');
    expect(turn?.attributes).toMatchObject({
      'sdk.session_id': session.sessionId,
      'gen_ai.request.model': MODEL,
      'sdk.result.subtype': 'success',
      'sdk.num_turns': 2,
      'sdk.cost_usd': result.total_cost_usd,
      'gen_ai.usage.input_tokens': result.usage.input_tokens,
    });
    const children = spans.filter((span) => span.parentSpanContext?.spanId === turn!.spanContext().spanId);
    expect(byName('anthropic.messages')).toHaveLength(2);
    expect(byName('anthropic.messages')[0]!.attributes).toMatchObject({ 'gen_ai.request.model': MODEL, 'gen_ai.response.finish_reasons': ['tool_use'] });
    expect(byName('agent.tool')[0]!.attributes).toMatchObject({ 'sdk.tool.name': 'lookup', 'sdk.tool.is_error': false });
    const storeOperations = byName('session_store').map((span) => span.attributes['sdk.store.operation']);
    // The memory store takes the lease and loads the window in one operation.
    expect(storeOperations[0]).toBe('acquireLeaseAndLoad');
    expect(storeOperations.filter((operation) => operation === 'append').length).toBeGreaterThanOrEqual(3);
    expect(new Set(children.map((span) => span.name))).toEqual(new Set(['anthropic.messages', 'agent.tool', 'session_store']));
    expect(children).toHaveLength(spans.length - 1);
  });
});
