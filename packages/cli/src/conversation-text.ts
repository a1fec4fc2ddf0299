import type { SessionStoreEntry } from '@sdk/core';
import { oneLine } from './output.js';

/** A tool result longer than this many lines is cut: the conversation, not the file dump, is the point. */
const RESULT_LINES = 20;
const TOOL_INPUT_WIDTH = 200;

type Block = { type?: unknown; [field: string]: unknown };

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The text of a tool result's content (a string or text blocks); other blocks are named. */
function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((block: unknown) => {
      if (!isRecord(block)) return '';
      if (block.type === 'text' && typeof block.text === 'string') return block.text;
      return `[${typeof block.type === 'string' ? block.type : 'block'}]`;
    })
    .join('\n');
}

function indent(text: string, prefix: string): string[] {
  const lines = text.replace(/\n+$/, '').split('\n');
  const shown = lines.slice(0, RESULT_LINES).map((line) => `${prefix}${line}`);
  if (lines.length > RESULT_LINES) shown.push(`${prefix}… ${lines.length - RESULT_LINES} more lines`);
  return shown;
}

/** The lines of one content block: text as is, tool calls and results marked with arrows. */
function blockLines(block: Block): string[] {
  switch (block.type) {
    case 'text':
      return typeof block.text === 'string' ? block.text.replace(/\n+$/, '').split('\n') : [];
    case 'thinking':
      return [`[thinking] ${oneLine(typeof block.thinking === 'string' ? block.thinking : '', 120)}`];
    case 'redacted_thinking':
      return ['[thinking]'];
    case 'tool_use':
    case 'server_tool_use':
      return [`→ ${String(block.name)} ${oneLine(JSON.stringify(block.input ?? {}), TOOL_INPUT_WIDTH)}  (${String(block.id)})`];
    case 'tool_result': {
      const marker = block.is_error === true ? 'error' : 'result';
      return [`← ${marker} (${String(block.tool_use_id)})`, ...indent(resultText(block.content), '  ')];
    }
    default:
      return [`[${typeof block.type === 'string' ? block.type : 'block'}]`];
  }
}

/** The body of a Messages API message (`{ role, content }`) as text lines. */
export function messageLines(message: unknown): string[] {
  const content = isRecord(message) ? message.content : message;
  if (typeof content === 'string') return content.split('\n');
  if (!Array.isArray(content)) return [];
  return content.flatMap((block: unknown) => (isRecord(block) ? blockLines(block) : []));
}

/** The heading of a message: its role, and the model for assistant messages. */
export function messageHeading(type: string, message: unknown): string {
  const model = isRecord(message) && typeof message.model === 'string' ? ` (${message.model})` : '';
  return `── ${type}${type === 'assistant' ? model : ''}`;
}

/**
 * One transcript entry as text, for `tail`: user and assistant entries with their content, other
 * entries (titles, tags, system notices) as a one-line marker.
 */
export function entryText(entry: SessionStoreEntry): string {
  const time = typeof entry.timestamp === 'string' ? `${entry.timestamp.slice(11, 19)} ` : '';
  if (entry.type === 'user' || entry.type === 'assistant') {
    const heading = `${time}${messageHeading(entry.type, entry.message)}${entry.isSidechain === true ? ' [sidechain]' : ''}`;
    return [heading, ...messageLines(entry.message)].join('\n');
  }
  const detail =
    typeof entry.customTitle === 'string' ? entry.customTitle
    : typeof entry.tag === 'string' ? entry.tag || '(cleared)'
    : typeof entry.subtype === 'string' ? entry.subtype
    : typeof entry.summary === 'string' ? entry.summary
    : typeof entry.content === 'string' ? oneLine(entry.content, 120)
    : '';
  return `${time}[${entry.type}]${detail ? ` ${detail}` : ''}`;
}
