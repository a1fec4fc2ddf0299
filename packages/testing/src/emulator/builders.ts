import type { EmulatorErrorReply, EmulatorMessageReply, RecordedRequest } from './types.js';

/** Options of a message reply other than its content. */
export type MessageReplyOptions = Omit<EmulatorMessageReply, 'type' | 'content'>;

/** A reply with one text block. */
export function textReply(text: string, options: MessageReplyOptions = {}): EmulatorMessageReply {
  return { ...options, type: 'message', content: [{ type: 'text', text }] };
}

/** A reply that calls one tool, optionally preceded by a text block; its stop reason defaults to `tool_use`. */
export function toolUseReply(
  name: string,
  input: Record<string, unknown>,
  options: { id?: string; text?: string } = {},
): EmulatorMessageReply {
  const toolUse = options.id === undefined ? { type: 'tool_use' as const, name, input } : { type: 'tool_use' as const, name, input, id: options.id };
  return {
    type: 'message',
    content: options.text === undefined ? [toolUse] : [{ type: 'text', text: options.text }, toolUse],
  };
}

/** The `error.type` the real API uses for each status the emulator knows. */
const ERROR_TYPE_BY_STATUS: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

/** The real API's `error.type` for an HTTP status (`api_error` for statuses it does not name). */
export function errorTypeForStatus(status: number): string {
  return ERROR_TYPE_BY_STATUS[status] ?? 'api_error';
}

/** An HTTP error reply; `errorType` defaults from the status (429 → `rate_limit_error`, 529 → `overloaded_error`, …). */
export function errorReply(
  status: number,
  options: { errorType?: string; message?: string; retryAfter?: number } = {},
): EmulatorErrorReply {
  const errorType = options.errorType ?? errorTypeForStatus(status);
  const reply: EmulatorErrorReply = {
    type: 'error',
    status,
    errorType,
    message: options.message ?? `Emulated ${errorType} (HTTP ${status})`,
  };
  if (options.retryAfter !== undefined) reply.retryAfter = options.retryAfter;
  return reply;
}

/**
 * The default reply: `echo: <last user text> [messages=<N>]`, where N counts every entry of `body.messages`,
 * so a test can see how much history reached the model. When the last user message holds only
 * `tool_result` blocks the text is `echo: tool results received [messages=<N>]`.
 */
export function echoReply(request: RecordedRequest): EmulatorMessageReply {
  const messages = request.messages;
  const lastUser = [...messages].reverse().find((message) => message.role === 'user');
  const text = lastUser === undefined ? undefined : lastUserText(lastUser.content);
  const echoed = text ?? 'tool results received';
  return textReply(`echo: ${echoed} [messages=${messages.length}]`);
}

/** The text of a user message's last text block, ignoring tool results; `undefined` when it has none. */
function lastUserText(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  for (let index = content.length - 1; index >= 0; index -= 1) {
    const block: unknown = content[index];
    if (isTextBlock(block)) return block.text;
  }
  return undefined;
}

function isTextBlock(block: unknown): block is { type: 'text'; text: string } {
  return (
    typeof block === 'object' &&
    block !== null &&
    (block as { type?: unknown }).type === 'text' &&
    typeof (block as { text?: unknown }).text === 'string'
  );
}
