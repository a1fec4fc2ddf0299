/**
 * Checks a `POST /v1/messages` body the way the real API does and returns the 400 `invalid_request_error`
 * message it would send, or `undefined` when the body is acceptable. `count_tokens` bodies pass
 * `requireMaxTokens: false`.
 *
 * Strict on purpose: this is what catches broken transcripts (orphaned tool calls, unsigned thinking, empty
 * turns) in every other package's tests. One deliberate relaxation: `role: "system"` entries inside `messages`
 * are accepted and skipped, because the official Claude Code CLI sends them.
 */
export function validateMessagesRequest(body: unknown, options: { requireMaxTokens?: boolean } = {}): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return 'request body must be a JSON object';
  }
  const request = body as Record<string, unknown>;
  return validateTopLevel(request, options.requireMaxTokens ?? true) ?? validateTools(request.tools) ?? validateConversation(request.messages as unknown[]);
}

type Block = Record<string, unknown>;
type Message = { index: number; role: 'user' | 'assistant'; content: unknown };

function validateTopLevel(request: Record<string, unknown>, requireMaxTokens: boolean): string | undefined {
  if (request.model === undefined) return 'model: Field required';
  if (typeof request.model !== 'string' || request.model.length === 0) return 'model: Input should be a valid string';
  if (request.max_tokens === undefined) {
    if (requireMaxTokens) return 'max_tokens: Field required';
  } else if (typeof request.max_tokens !== 'number' || !Number.isInteger(request.max_tokens)) {
    return 'max_tokens: Input should be a valid integer';
  } else if (request.max_tokens < 1) {
    return 'max_tokens: Input should be greater than or equal to 1';
  }
  if (request.messages === undefined) return 'messages: Field required';
  if (!Array.isArray(request.messages)) return 'messages: Input should be a valid list';
  if (request.messages.length === 0) return 'messages: at least one message is required';
  if (request.stream !== undefined && typeof request.stream !== 'boolean') return 'stream: Input should be a valid boolean';
  return undefined;
}

function validateTools(tools: unknown): string | undefined {
  if (tools === undefined) return undefined;
  if (!Array.isArray(tools)) return 'tools: Input should be a valid list';
  for (const [index, tool] of tools.entries()) {
    if (!isObject(tool)) return `tools.${index}: Input should be a valid dictionary`;
    // Server tools (`web_search_20250305`, `bash_20250124`, …) carry a versioned `type` and no schema.
    const isCustom = tool.type === undefined || tool.type === 'custom';
    if (typeof tool.name !== 'string' || tool.name.length === 0) return `tools.${index}.name: Field required`;
    if (isCustom && !isObject(tool.input_schema)) return `tools.${index}.custom.input_schema: Field required`;
  }
  return undefined;
}

function validateConversation(entries: unknown[]): string | undefined {
  const messages: Message[] = [];
  for (const [index, entry] of entries.entries()) {
    if (!isObject(entry)) return `messages.${index}: Input should be a valid dictionary`;
    if (entry.role === 'system') continue;
    if (entry.role !== 'user' && entry.role !== 'assistant') {
      return `messages.${index}.role: Input should be 'user' or 'assistant'`;
    }
    if (entry.content === undefined) return `messages.${index}.content: Field required`;
    messages.push({ index, role: entry.role, content: entry.content });
  }
  const first = messages[0];
  if (first === undefined) return 'messages: at least one message is required';
  if (first.role !== 'user') return 'messages: first message must use the "user" role';

  const seenToolUseIds = new Set<string>();
  for (const [position, message] of messages.entries()) {
    const isFinalAssistant = position === messages.length - 1 && message.role === 'assistant';
    const problem =
      validateContent(message, isFinalAssistant) ??
      validateToolUses(message, messages[position + 1], seenToolUseIds) ??
      validateToolResults(message, messages[position - 1]);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function validateContent(message: Message, isFinalAssistant: boolean): string | undefined {
  const { index, content } = message;
  const emptyTurn = `messages.${index}: all messages must have non-empty content except for the optional final assistant message`;
  if (typeof content === 'string') {
    return content.length === 0 && !isFinalAssistant ? emptyTurn : undefined;
  }
  if (!Array.isArray(content)) return `messages.${index}.content: Input should be a valid string or list`;
  if (content.length === 0) return isFinalAssistant ? undefined : emptyTurn;
  for (const [blockIndex, block] of content.entries()) {
    const path = `messages.${index}.content.${blockIndex}`;
    if (!isObject(block) || typeof block.type !== 'string') return `${path}: Input should be a valid dictionary with a type`;
    const problem = validateBlock(block, path, message.role, isFinalAssistant);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function validateBlock(block: Block, path: string, role: Message['role'], isFinalAssistant: boolean): string | undefined {
  switch (block.type) {
    case 'text':
      if (typeof block.text !== 'string') return `${path}.text: Field required`;
      if (block.text.length === 0 && !isFinalAssistant) return `${path}.text: text content blocks must be non-empty`;
      return undefined;
    case 'thinking':
      if (role !== 'assistant') return `${path}: thinking blocks may only appear in assistant messages`;
      if (typeof block.thinking !== 'string') return `${path}.thinking: Field required`;
      if (typeof block.signature !== 'string' || block.signature.length === 0) return `${path}.signature: Field required`;
      return undefined;
    case 'redacted_thinking':
      if (role !== 'assistant') return `${path}: redacted_thinking blocks may only appear in assistant messages`;
      if (typeof block.data !== 'string' || block.data.length === 0) return `${path}.data: Field required`;
      return undefined;
    case 'tool_use':
      if (role !== 'assistant') return `${path}: tool_use blocks may only appear in assistant messages`;
      if (typeof block.id !== 'string' || block.id.length === 0) return `${path}.id: Field required`;
      if (typeof block.name !== 'string' || block.name.length === 0) return `${path}.name: Field required`;
      if (!isObject(block.input)) return `${path}.input: Input should be a valid dictionary`;
      return undefined;
    case 'tool_result':
      if (role !== 'user') return `${path}: tool_result blocks may only appear in user messages`;
      if (typeof block.tool_use_id !== 'string' || block.tool_use_id.length === 0) return `${path}.tool_use_id: Field required`;
      return undefined;
    default:
      return undefined;
  }
}

function validateToolUses(message: Message, next: Message | undefined, seenToolUseIds: Set<string>): string | undefined {
  if (message.role !== 'assistant') return undefined;
  const blocks = blocksOf(message.content);
  const pending: string[] = [];
  for (const [blockIndex, block] of blocks.entries()) {
    if (block.type !== 'tool_use' || typeof block.id !== 'string') continue;
    if (seenToolUseIds.has(block.id)) {
      return `messages.${message.index}.content.${blockIndex}: \`tool_use\` ids must be unique (duplicate id: ${block.id})`;
    }
    seenToolUseIds.add(block.id);
    pending.push(block.id);
  }
  // A trailing assistant tool call is the caller's own prefill; only history must be answered.
  if (pending.length === 0 || next === undefined) return undefined;
  const answered = new Set(toolResultIds(next));
  const missing = next.role === 'user' ? pending.filter((id) => !answered.has(id)) : pending;
  if (missing.length === 0) return undefined;
  return (
    `messages.${message.index}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. ` +
    'Each `tool_use` block must have a corresponding `tool_result` block in the next message.'
  );
}

function validateToolResults(message: Message, previous: Message | undefined): string | undefined {
  if (message.role !== 'user') return undefined;
  const offered = new Set<string>();
  if (previous?.role === 'assistant') {
    for (const block of blocksOf(previous.content)) {
      if (block.type === 'tool_use' && typeof block.id === 'string') offered.add(block.id);
    }
  }
  const blocks = blocksOf(message.content);
  for (const [blockIndex, block] of blocks.entries()) {
    if (block.type !== 'tool_result' || typeof block.tool_use_id !== 'string') continue;
    if (!offered.has(block.tool_use_id)) {
      return (
        `messages.${message.index}.content.${blockIndex}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${block.tool_use_id}. ` +
        'Each `tool_result` block must have a corresponding `tool_use` block in the previous message.'
      );
    }
  }
  return undefined;
}

function toolResultIds(message: Message): string[] {
  return blocksOf(message.content)
    .filter((block) => block.type === 'tool_result' && typeof block.tool_use_id === 'string')
    .map((block) => block.tool_use_id as string);
}

function blocksOf(content: unknown): Block[] {
  return Array.isArray(content) ? content.filter(isObject) : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
