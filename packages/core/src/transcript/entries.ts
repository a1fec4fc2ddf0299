import type {
  BetaContentBlock,
  BetaContentBlockParam,
  BetaMessage,
} from '@anthropic-ai/sdk/resources/beta/messages/messages';
import type { ToolResultBlockParam } from '@anthropic-ai/sdk/resources';
import type { SessionStoreEntry } from '../store/session-store.js';
import type { ToolResultContent } from '../tools/tool-runner.js';

/**
 * Builds transcript entries in the official Claude Code JSONL format (transcript-format.md §3.1,
 * §10), so a session written by the executor can be resumed by the official SDK and vice versa.
 * Pure: uuids and the timestamp are passed in.
 */

/** Text of the user entry recorded when a turn is aborted while the model streams. */
export const INTERRUPTED_MESSAGE = '[Request interrupted by user]';
/** Text of the tool result recorded for a tool call aborted by the caller. */
export const INTERRUPTED_TOOL_MESSAGE = '[Request interrupted by user for tool use]';
/** Text of the synthetic tool result for a call whose result was never recorded (resume repair). */
export const TOOL_CALL_INTERRUPTED_MESSAGE =
  "[Tool call interrupted: the session ended before this call's result was recorded, so its outcome is unknown. Check whether it took effect before relying on it or running it again.]";
/** The meta prompt that continues a turn after a deferred tool call was decided (the CLI's). */
export const CONTINUE_DEFERRED_MESSAGE = 'Continue from where you left off.';
/** Text of the synthetic assistant entry that closes a history ending in a user message. */
export const NO_RESPONSE_MESSAGE = 'No response requested.';
/** The model name the CLI gives synthetic assistant messages. */
export const SYNTHETIC_MODEL = '<synthetic>';

/** Fields shared by every chain entry of one turn. */
export type EntryContext = {
  sessionId: string;
  cwd: string;
  /** Writer version, recorded in `version`. */
  version: string;
  /** ISO-8601 time of the write. */
  timestamp: string;
  /** Set for a subagent's transcript: its entries are sidechain entries carrying this id. */
  agentId?: string;
};

/** The fields every chain entry carries, in the CLI's order; `type` is the entry's own. */
export function chainEntry(context: EntryContext, type: string, uuid: string, parentUuid: string | null): SessionStoreEntry {
  const entry: SessionStoreEntry = {
    parentUuid,
    isSidechain: context.agentId !== undefined,
    userType: 'external',
    entrypoint: 'sdk-ts',
    cwd: context.cwd,
    sessionId: context.sessionId,
    version: context.version,
    type,
    uuid,
    timestamp: context.timestamp,
  };
  if (context.agentId !== undefined) entry.agentId = context.agentId;
  return entry;
}

/** The user entry of a prompt. A string prompt is stored as one text block, as the CLI does. */
export function promptEntry(
  context: EntryContext,
  options: { uuid: string; parentUuid: string | null; content: string | BetaContentBlockParam[]; promptId: string },
): SessionStoreEntry {
  const content = typeof options.content === 'string' ? [{ type: 'text', text: options.content }] : options.content;
  // Fields added to the chain entry in place (same key order as a spread, without the copy): every turn writes one.
  const entry = chainEntry(context, 'user', options.uuid, options.parentUuid);
  entry.message = { role: 'user', content };
  entry.promptId = options.promptId;
  entry.promptSource = 'sdk';
  return entry;
}

/**
 * One entry per content block of a complete API message, chained, each carrying the whole message
 * with only its own block (and the final `stop_reason`/`usage`), as the CLI writes them.
 */
export function assistantEntries(
  context: EntryContext,
  options: { message: BetaMessage; parentUuid: string | null; uuids: readonly string[]; requestId: string | null },
): SessionStoreEntry[] {
  const entries: SessionStoreEntry[] = [];
  let parentUuid = options.parentUuid;
  options.message.content.forEach((block: BetaContentBlock, index) => {
    const uuid = options.uuids[index];
    if (uuid === undefined) throw new RangeError(`assistantEntries: no uuid for block ${index}`);
    const entry = chainEntry(context, 'assistant', uuid, parentUuid);
    entry.message = { ...options.message, content: [block] };
    entry.apiBlockIndex = index;
    if (options.requestId !== null) entry.requestId = options.requestId;
    entries.push(entry);
    parentUuid = uuid;
  });
  return entries;
}

/** The user entry holding one tool's result, parented to the entry of its `tool_use` block. */
export function toolResultEntry(
  context: EntryContext,
  options: {
    uuid: string;
    toolUseEntryUuid: string;
    toolUseId: string;
    content: ToolResultContent;
    isError: boolean;
    structured: unknown;
    /** The turn ends after this result (the CLI's `toolEndsTurn`, e.g. accepted structured output). */
    endsTurn?: boolean;
  },
): SessionStoreEntry {
  const block: ToolResultBlockParam = { type: 'tool_result', tool_use_id: options.toolUseId, content: options.content };
  if (options.isError) block.is_error = true;
  const entry: SessionStoreEntry = {
    ...chainEntry(context, 'user', options.uuid, options.toolUseEntryUuid),
    message: { role: 'user', content: [block] },
    toolUseResult: options.structured,
  };
  if (options.endsTurn === true) entry.toolEndsTurn = true;
  entry.sourceToolAssistantUUID = options.toolUseEntryUuid;
  return entry;
}

/**
 * A user entry the harness writes, not the user (`isMeta`): the model sees it, transcript readers
 * hide it. Content is a plain string, as the CLI stores these.
 */
export function metaPromptEntry(context: EntryContext, options: { uuid: string; parentUuid: string | null; text: string }): SessionStoreEntry {
  return {
    ...chainEntry(context, 'user', options.uuid, options.parentUuid),
    message: { role: 'user', content: options.text },
    isMeta: true,
  };
}

/**
 * The CLI's `hook_deferred_tool` attachment: a hook deferred this call; it stays unanswered, and
 * the turn that resumes the session decides it again. Parented to the call's `tool_use` entry.
 */
export function deferredToolEntry(
  context: EntryContext,
  options: { uuid: string; toolUseEntryUuid: string; toolUseId: string; toolName: string; toolInput: Record<string, unknown>; hookName: string },
): SessionStoreEntry {
  const entry = chainEntry(context, 'user', options.uuid, options.toolUseEntryUuid);
  return {
    ...entry,
    type: 'attachment',
    attachment: { type: 'hook_deferred_tool', toolUseID: options.toolUseId, toolName: options.toolName, toolInput: options.toolInput, hookName: options.hookName, hookEvent: 'PreToolUse' },
  };
}

/** The user entry recording that the caller aborted the turn while the model was answering. */
export function interruptionEntry(context: EntryContext, options: { uuid: string; parentUuid: string | null }): SessionStoreEntry {
  return {
    ...chainEntry(context, 'user', options.uuid, options.parentUuid),
    message: { role: 'user', content: [{ type: 'text', text: INTERRUPTED_MESSAGE }] },
  };
}

/** The synthetic assistant entry the CLI appends when a history ends in a user message (§5 rule 7). */
export function noResponseEntry(
  context: EntryContext,
  options: { uuid: string; parentUuid: string | null; messageId: string },
): SessionStoreEntry {
  return {
    ...chainEntry(context, 'assistant', options.uuid, options.parentUuid),
    message: {
      id: options.messageId,
      type: 'message',
      role: 'assistant',
      model: SYNTHETIC_MODEL,
      content: [{ type: 'text', text: NO_RESPONSE_MESSAGE }],
      stop_reason: 'stop_sequence',
      stop_sequence: '',
      usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
    isApiErrorMessage: true,
  };
}

/** The metadata line written at the end of each turn; `leafUuid` is the turn's last chain entry. */
export function lastPromptEntry(options: { sessionId: string; lastPrompt: string; leafUuid: string }): SessionStoreEntry {
  return { type: 'last-prompt', lastPrompt: options.lastPrompt, leafUuid: options.leafUuid, sessionId: options.sessionId };
}

/** The plain text of a prompt, for `last-prompt` and result summaries. */
export function promptText(content: string | readonly BetaContentBlockParam[]): string {
  if (typeof content === 'string') return content;
  return content
    .map((block) => (block.type === 'text' ? block.text : ''))
    .filter((text) => text.length > 0)
    .join('\n');
}
