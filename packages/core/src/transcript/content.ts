import type { BetaContentBlock, BetaContentBlockParam } from '@anthropic-ai/sdk/resources/beta/messages/messages';

/**
 * Turns a response content block (as the API returns it and the transcript stores it) into the
 * request form sent back in the history: response-only fields (`citations: null`, `caller`) are
 * dropped, so a live turn and a resumed turn send byte-identical history (prompt-cache hits).
 * Block types the executor does not produce itself pass through unchanged.
 */
export function toRequestBlock(block: BetaContentBlock | BetaContentBlockParam): BetaContentBlockParam {
  // Most stored blocks are already in request form, fields in request order: reuse them (a rebuild
  // converts every block of the history on every turn). Blocks are never mutated once built.
  if (isRequestBlock(block)) return block;
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

/** True when `block` is already in the request form {@link toRequestBlock} would give (and is returned as is). */
export function isRequestBlock(block: BetaContentBlock | BetaContentBlockParam): boolean {
  const fields = REQUEST_FIELDS[block.type];
  return fields !== undefined && hasExactly(block, fields);
}

/** The fields of the request form of the block types converted above, in the order sent. */
const REQUEST_FIELDS: Readonly<Record<string, readonly string[]>> = {
  text: ['type', 'text'],
  thinking: ['type', 'thinking', 'signature'],
  redacted_thinking: ['type', 'data'],
  tool_use: ['type', 'id', 'name', 'input'],
};

/** True when `value`'s enumerable keys are exactly `fields`, in that order. */
function hasExactly(value: object, fields: readonly string[]): boolean {
  let index = 0;
  for (const key in value) {
    if (key !== fields[index]) return false;
    index++;
  }
  return index === fields.length;
}
