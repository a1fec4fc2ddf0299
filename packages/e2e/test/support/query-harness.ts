import type { Query } from '@sdk/core';
import type { RecordedRequest } from '@sdk/testing/emulator';

/** A message a query yields (derived from `Query`, so the test follows the executor's union). */
export type QueryMessage = Exclude<Awaited<ReturnType<Query['next']>>['value'], void>;

/** Every message of a query, in order. */
export async function collect(query: AsyncIterable<QueryMessage>): Promise<QueryMessage[]> {
  const messages: QueryMessage[] = [];
  for await (const message of query) messages.push(message);
  return messages;
}

/** `type` or `type/subtype` of each message: the shape of a run. */
export function kinds(messages: readonly QueryMessage[]): string[] {
  return messages.map((message) => ('subtype' in message ? `${message.type}/${message.subtype}` : message.type));
}

/** The environment pointing a query at the emulator (replaces process.env). */
export function emulatorEnvironment(url: string): Record<string, string> {
  return { ANTHROPIC_BASE_URL: url, ANTHROPIC_API_KEY: 'test-key', PATH: process.env.PATH ?? '' };
}

/** One conversation message as text: role and the concatenated text of its text blocks. */
export type Turn = { role: string; text: string };

/**
 * The conversation a Messages API request sent, as role + text. Normalised for comparing
 * implementations: only `text` blocks count (tool blocks are compared elsewhere), `<system-reminder>`
 * blocks the CLI injects are dropped, and `role: "system"` messages are left out.
 */
export function conversationOf(request: RecordedRequest): Turn[] {
  const turns: Turn[] = [];
  for (const message of request.messages) {
    if (message.role !== 'user' && message.role !== 'assistant') continue;
    const blocks = typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : (message.content as { type: string; text?: string }[]);
    const text = blocks
      .filter((block) => block.type === 'text' && typeof block.text === 'string' && !block.text.trimStart().startsWith('<system-reminder>'))
      .map((block) => block.text!.trim())
      .join('\n');
    if (text !== '') turns.push({ role: message.role, text });
  }
  return turns;
}

/** The POST /v1/messages requests of a recording. */
export function messageRequests(requests: readonly RecordedRequest[]): RecordedRequest[] {
  return requests.filter((request) => request.method === 'POST' && request.path.startsWith('/v1/messages') && !request.path.includes('count_tokens'));
}
