import type { Base64ImageSource, ImageBlockParam, TextBlockParam } from '@anthropic-ai/sdk/resources';
import type { ToolOutcome } from '../tools/tool-runner.js';

/** Image types the Messages API accepts in a tool result; others are described in text. */
const API_IMAGE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

type ApiImageType = Base64ImageSource['media_type'];

type ResultBlock = TextBlockParam | ImageBlockParam;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(value: string): TextBlockParam {
  return { type: 'text', text: value };
}

function base64Size(data: string): number {
  return Math.floor((data.length * 3) / 4);
}

function image(mimeType: string, data: string): ResultBlock {
  if (API_IMAGE_TYPES.has(mimeType)) return { type: 'image', source: { type: 'base64', media_type: mimeType as ApiImageType, data } };
  return text(`[image: ${mimeType}, ${base64Size(data)} bytes, not a type the model can view]`);
}

/** An embedded resource: its text inline, an image blob as an image, another blob described. */
function resource(value: Record<string, unknown>): ResultBlock {
  const uri = typeof value['uri'] === 'string' ? value['uri'] : '(no uri)';
  const mimeType = typeof value['mimeType'] === 'string' ? value['mimeType'] : undefined;
  if (typeof value['text'] === 'string') return text(`[Resource from ${uri}] ${value['text']}`);
  if (typeof value['blob'] === 'string') {
    if (mimeType !== undefined && API_IMAGE_TYPES.has(mimeType)) return image(mimeType, value['blob']);
    return text(`[Resource from ${uri}: ${mimeType ?? 'binary'}, ${base64Size(value['blob'])} bytes]`);
  }
  return text(`[Resource from ${uri}]`);
}

/** One MCP content block as what the model sees. */
function toBlock(block: unknown): ResultBlock {
  if (!isRecord(block)) return text(JSON.stringify(block) ?? '');
  switch (block['type']) {
    case 'text':
      return text(typeof block['text'] === 'string' ? block['text'] : '');
    case 'image':
      return image(String(block['mimeType']), String(block['data']));
    case 'audio':
      return text(`[audio: ${String(block['mimeType'])}, ${base64Size(String(block['data']))} bytes]`);
    case 'resource_link': {
      const description = typeof block['description'] === 'string' ? ` (${block['description']})` : '';
      return text(`[Resource link: ${String(block['name'])}] ${String(block['uri'])}${description}`);
    }
    case 'resource':
      return resource(isRecord(block['resource']) ? block['resource'] : {});
    default:
      return text(JSON.stringify(block));
  }
}

/**
 * A `tools/call` result as a {@link ToolOutcome}: text and image blocks as they are, audio and
 * resources described in text, `isError` kept, `structuredContent` as `structured`. Results of the
 * 2024-10-07 protocol (`toolResult`) become their JSON text.
 */
export function callToolResultToOutcome(result: unknown): ToolOutcome {
  if (!isRecord(result)) return { content: JSON.stringify(result) ?? '' };
  const blocks = Array.isArray(result['content'])
    ? result['content'].map(toBlock)
    : 'toolResult' in result
      ? [text(JSON.stringify(result['toolResult']) ?? '')]
      : [];
  const outcome: ToolOutcome = { content: blocks.length === 0 ? '' : blocks };
  if (result['isError'] === true) outcome.isError = true;
  if (result['structuredContent'] !== undefined) outcome.structured = result['structuredContent'];
  return outcome;
}
