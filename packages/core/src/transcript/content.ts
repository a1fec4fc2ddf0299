import type { BetaContentBlock, BetaContentBlockParam } from '@anthropic-ai/sdk/resources/beta/messages/messages';

/**
 * Turns a response content block (as the API returns it and the transcript stores it) into the
 * request form sent back in the history: response-only fields (`citations: null`, `caller`) are
 * dropped, so a live turn and a resumed turn send byte-identical history (prompt-cache hits).
 * Block types the executor does not produce itself pass through unchanged.
 */
export function toRequestBlock(block: BetaContentBlock | BetaContentBlockParam): BetaContentBlockParam {
  switch (block.type) {
    case 'text': {
      const citations = (block as { citations?: unknown }).citations;
      return Array.isArray(citations) && citations.length > 0
        ? ({ type: 'text', text: block.text, citations })
        : { type: 'text', text: block.text };
    }
    case 'thinking':
      return { type: 'thinking', thinking: block.thinking, signature: block.signature };
    case 'redacted_thinking':
      return { type: 'redacted_thinking', data: block.data };
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
    default:
      return block;
  }
}
