import type {
  BetaContentBlockParam,
  BetaMessageParam,
  BetaToolResultBlockParam,
} from '@anthropic-ai/sdk/resources/beta/messages/messages';
import { TOOL_CALL_INTERRUPTED_MESSAGE } from './entries.js';

/**
 * Makes a rebuilt history one the Messages API accepts, whatever damage the transcript carries
 * in its middle (a corrupt line skipped by a lenient load, a lost write, a hand-edited file): the
 * CLI repairs only the end of a history, and an API that refuses the history would fail every
 * later turn of the session. Nothing is written; a valid history comes back unchanged: the very
 * array given (a rebuild owns it), not a copy.
 *
 * - Text blocks with no text are dropped (the API refuses them), and messages left empty.
 * - Consecutive messages of one role are joined; a history starting with the assistant loses
 *   those first messages (the API wants the user first).
 * - A `tool_result` answering no `tool_use` of the message just before it is dropped; a
 *   `tool_use` left without a result gets an error result saying its outcome is unknown — except
 *   in the last message, whose open calls the executor repairs (and records) itself.
 * - Tool results come first in their message, as the API expects.
 */
export function sanitizeHistory(messages: BetaMessageParam[]): BetaMessageParam[] {
  // Every turn sanitizes its whole history, which is nearly always valid: check that in one pass
  // without building anything, and repair only what fails the check.
  if (isSendable(messages)) return messages;
  let history: ChatMessage[] = messages.filter(isChatMessage).map(withoutEmptyText);
  // Each pass can expose more to fix (a dropped first message orphans the results after it, whose
  // message is then empty, and dropping it exposes an assistant message first, and so on down a
  // damaged history): repeat until stable. A valid history is stable after one pass.
  for (let pass = 0; pass <= messages.length + 1; pass++) {
    history = joinRoles(history.filter(hasContent));
    while (history[0]?.role === 'assistant') history.shift();
    const paired = pairToolCalls(history);
    const stable = paired.length === history.length && paired.every((message, index) => message === history[index]);
    history = paired;
    if (stable) break;
  }
  return history;
}

/**
 * True when the repair below would return `messages` unchanged: user first, roles alternating, no
 * empty content or empty text, and each user message after tool calls starting with exactly one
 * result per call, other content after them.
 */
function isSendable(messages: readonly BetaMessageParam[]): boolean {
  // One indexed loop per message: this runs over the whole history on every turn, and each `for …
  // of` over an array costs an iterator where V8 does not optimise it away.
  let calls: Set<string> | undefined;
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index]!;
    if (!isChatMessage(message) || message.role === (index % 2 === 0 ? 'assistant' : 'user')) return false;
    const content = message.content;
    if (message.role === 'assistant') {
      calls = undefined;
      if (typeof content === 'string') {
        if (isBlank(content)) return false;
        continue;
      }
      if (content.length === 0) return false;
      for (let at = 0; at < content.length; at++) {
        const block = content[at]!;
        if (block.type === 'tool_use') (calls ??= new Set()).add(block.id);
        else if (block.type === 'text' && isBlank(block.text)) return false;
      }
      continue;
    }
    if (typeof content === 'string') {
      // A string answers no call.
      if (isBlank(content) || calls !== undefined) return false;
      continue;
    }
    if (content.length === 0) return false;
    const answered = calls === undefined ? undefined : new Set<string>();
    let othersStarted = false;
    for (let at = 0; at < content.length; at++) {
      const block = content[at]!;
      if (block.type !== 'tool_result') {
        if (block.type === 'text' && isBlank(block.text)) return false;
        othersStarted = true;
      } else if (answered === undefined || othersStarted || !calls!.has(block.tool_use_id) || answered.has(block.tool_use_id)) {
        return false;
      } else {
        answered.add(block.tool_use_id);
      }
    }
    if (answered !== undefined && answered.size !== calls!.size) return false;
    calls = undefined;
  }
  return true;
}

/** Empty or whitespace only. */
function isBlank(text: string): boolean {
  if (text.length === 0) return true;
  // Nearly every text starts with a printable ASCII character, which no whitespace is: decided
  // without `trim()`, which first flattens a string built by concatenation.
  const first = text.charCodeAt(0);
  return !(first > 0x20 && first < 0x7f) && text.trim() === '';
}

type Block = BetaContentBlockParam;
/** A user or assistant message (rebuilt histories hold no other kind). */
type ChatMessage = { role: 'user' | 'assistant'; content: string | Block[] };

function isChatMessage(message: BetaMessageParam): message is BetaMessageParam & ChatMessage {
  return (message.role === 'user' || message.role === 'assistant') && message.content !== undefined;
}

function blocksOf(message: ChatMessage): Block[] {
  return typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
}

function withoutEmptyText(message: ChatMessage): ChatMessage {
  if (typeof message.content === 'string') return message.content.trim() === '' ? { ...message, content: [] } : message;
  const kept = message.content.filter((block) => block.type !== 'text' || block.text.trim() !== '');
  return kept.length === message.content.length ? message : { ...message, content: kept };
}

function hasContent(message: ChatMessage): boolean {
  return typeof message.content === 'string' ? message.content !== '' : message.content.length > 0;
}

function joinRoles(messages: readonly ChatMessage[]): ChatMessage[] {
  const joined: ChatMessage[] = [];
  for (const message of messages) {
    const last = joined.at(-1);
    if (last?.role === message.role) joined[joined.length - 1] = { role: last.role, content: [...blocksOf(last), ...blocksOf(message)] };
    else joined.push(message);
  }
  return joined;
}

function toolUseIds(message: ChatMessage | undefined): string[] {
  if (message?.role !== 'assistant' || typeof message.content === 'string') return [];
  return message.content.flatMap((block) => (block.type === 'tool_use' ? [block.id] : []));
}

function pairToolCalls(messages: readonly ChatMessage[]): ChatMessage[] {
  const paired: ChatMessage[] = [];
  messages.forEach((message, index) => {
    if (message.role === 'assistant') {
      paired.push(message);
      const next = messages[index + 1];
      const calls = toolUseIds(message);
      // Calls of the last message stay open for the executor's own repair; calls followed by an
      // assistant message (or nothing usable) get their synthetic results in a user message here.
      if (calls.length > 0 && next !== undefined && next.role !== 'user') paired.push({ role: 'user', content: calls.map(unknownOutcome) });
      return;
    }
    const calls = new Set(toolUseIds(paired.at(-1)));
    if (typeof message.content === 'string' && calls.size === 0) {
      paired.push(message);
      return;
    }
    const answered = new Set<string>();
    const results: BetaToolResultBlockParam[] = [];
    const others: Block[] = [];
    for (const block of blocksOf(message)) {
      if (block.type !== 'tool_result') others.push(block);
      else if (calls.has(block.tool_use_id) && !answered.has(block.tool_use_id)) {
        answered.add(block.tool_use_id);
        results.push(block);
      }
    }
    const missing = [...calls].filter((id) => !answered.has(id)).map(unknownOutcome);
    const content = [...results, ...missing, ...others];
    const unchanged = typeof message.content !== 'string' && content.length === message.content.length && content.every((block, at) => block === (message.content as Block[])[at]);
    paired.push(unchanged ? message : { role: 'user', content });
  });
  return paired;
}

function unknownOutcome(toolUseId: string): BetaToolResultBlockParam {
  return { type: 'tool_result', tool_use_id: toolUseId, content: TOOL_CALL_INTERRUPTED_MESSAGE, is_error: true };
}
