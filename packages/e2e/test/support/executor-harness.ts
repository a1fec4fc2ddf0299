import { randomUUID } from 'node:crypto';
import { AgentExecutor, type SDKMessage, type SDKResultMessage, type SessionRef, type SessionStore, type TurnRequest } from '@sdk/core';
import type { MessagesEmulator, RecordedRequest } from '@sdk/testing/emulator';

/** Test model id: a real family, so the bundled price table applies. */
export const MODEL = 'claude-sonnet-4-6';

/** Retry settings that keep fault tests fast. */
export const FAST_RETRY = { initialDelayMs: 5, maxDelayMs: 20, jitter: 0, maxRetries: 3 } as const;

/** A fresh executor over `store`, talking to the emulator with a real `@anthropic-ai/sdk` client. */
export function executorFor(store: SessionStore, emulator: MessagesEmulator): AgentExecutor {
  return new AgentExecutor({ store, clientOptions: { apiKey: 'x', baseURL: emulator.url } });
}

/** A new session of the test project. */
export function newSession(projectKey = 'executor-e2e'): SessionRef {
  return { projectKey, sessionId: randomUUID() };
}

/** Runs one turn to its end and returns every message and the result. */
export async function runTurn(
  executor: Pick<AgentExecutor, 'runTurn'>,
  request: Omit<TurnRequest, 'model'> & { model?: string },
): Promise<{ messages: SDKMessage[]; result: SDKResultMessage }> {
  const messages: SDKMessage[] = [];
  for await (const message of executor.runTurn({ model: MODEL, retry: FAST_RETRY, ...request })) messages.push(message);
  const result = messages.at(-1);
  if (result?.type !== 'result') throw new Error(`turn ended without a result: ${JSON.stringify(messages.at(-1))}`);
  return { messages, result };
}

/** The `POST /v1/messages` requests the emulator received. */
export function messageRequests(emulator: MessagesEmulator): RecordedRequest[] {
  return emulator.requests.filter((request) => request.method === 'POST' && request.path === '/v1/messages');
}

/** The texts of a request's messages, one string per message (tool blocks shown by type). */
export function transcriptOf(request: RecordedRequest): string[] {
  return request.messages.map((message) => {
    const blocks = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : (message.content as Array<Record<string, unknown>>);
    return `${message.role}: ${blocks.map((block) => (block.type === 'text' ? String(block.text) : `[${String(block.type)}]`)).join(' | ')}`;
  });
}

/** The result text of a successful turn. */
export function resultText(result: SDKResultMessage): string {
  if (result.subtype !== 'success') throw new Error(`turn failed: ${result.subtype} ${JSON.stringify(result.errors)}`);
  return result.result;
}
