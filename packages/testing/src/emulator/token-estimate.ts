import type { EmulatorBlock } from './types.js';

const CHARACTERS_PER_TOKEN = 4;

/**
 * The emulator's deterministic input token count for a Messages API body:
 * `ceil((JSON.stringify(system) + JSON.stringify(messages) + JSON.stringify(tools)).length / 4)`,
 * where an absent field counts as zero characters.
 *
 * Exported so tests can predict `usage.input_tokens` and `count_tokens` results exactly.
 */
export function estimateInputTokens(body: unknown): number {
  if (typeof body !== 'object' || body === null) return 0;
  const fields = body as { system?: unknown; messages?: unknown; tools?: unknown };
  let characters = 0;
  for (const value of [fields.system, fields.messages, fields.tools]) {
    if (value !== undefined) characters += JSON.stringify(value).length;
  }
  return Math.ceil(characters / CHARACTERS_PER_TOKEN);
}

/**
 * The emulator's deterministic output token count for reply content: `ceil(characters / 4)`, counting
 * text, thinking text, redacted data, and a tool call's name plus its JSON-encoded input.
 */
export function estimateOutputTokens(content: readonly EmulatorBlock[]): number {
  let characters = 0;
  for (const block of content) {
    switch (block.type) {
      case 'text':
        characters += block.text.length;
        break;
      case 'thinking':
        characters += block.thinking.length;
        break;
      case 'redacted_thinking':
        characters += block.data.length;
        break;
      case 'tool_use':
        characters += block.name.length + JSON.stringify(block.input).length;
        break;
    }
  }
  return Math.ceil(characters / CHARACTERS_PER_TOKEN);
}
