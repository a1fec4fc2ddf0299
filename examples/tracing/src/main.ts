// Tracing: @sdk/core records OpenTelemetry spans through `@opentelemetry/api`, a no-op until the
// application registers an OpenTelemetry SDK. Here a BasicTracerProvider prints every span to the
// console: one `agent.turn` per turn, with `anthropic.messages` (each API call), `agent.tool` (each
// tool call) and `session_store` (each load and append) as its children.
import { randomUUID } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, ConsoleSpanExporter, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { AgentExecutor, createToolRunner } from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';
import { startMessagesEmulator, toolUseReply } from '@sdk/testing/emulator';

const recorded = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter()), new SimpleSpanProcessor(recorded)] });
trace.setGlobalTracerProvider(provider);

// The local emulator stands in for the Messages API (set ANTHROPIC_API_KEY to use Claude).
const apiKey = process.argv.includes('--smoke') ? undefined : process.env.ANTHROPIC_API_KEY;
const emulator = apiKey ? undefined : await startMessagesEmulator();
emulator?.enqueue(toolUseReply('get_time', {}, { text: 'Checking the clock.' }));

const executor = new AgentExecutor({
  store: new InMemorySessionStore(),
  clientOptions: emulator ? { baseURL: emulator.url, apiKey: 'emulator' } : { apiKey: apiKey! },
});
const tools = createToolRunner([{ name: 'get_time', description: 'The current time', inputSchema: { type: 'object', properties: {} }, run: () => new Date().toISOString() }]);
for await (const message of executor.runTurn({ session: { projectKey: 'tracing-example', sessionId: randomUUID() }, prompt: 'What time is it?', model: 'claude-sonnet-4-6', tools, maxTokens: 512 })) {
  if (message.type === 'result') console.log(`result: ${message.subtype}, ${message.num_turns} API calls, $${message.total_cost_usd.toFixed(6)}`);
}

const names = recorded.getFinishedSpans().map((span) => span.name);
await provider.shutdown();
await emulator?.close();
console.log(`\nspans: ${names.join(', ')}`);
if (!names.includes('agent.turn') || !names.includes('agent.tool')) {
  console.error('expected agent.turn and agent.tool spans');
  process.exitCode = 1;
}
