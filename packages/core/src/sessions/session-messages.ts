import type { SessionStoreEntry } from '../store/session-store.js';
import type { SessionMessage } from './types.js';
import { chainEntriesOf, conversationChain, simpleChain, type ChainEntry } from './conversation-chain.js';
import { isRecord } from './is-record.js';

/**
 * `getSessionMessages` and `getSubagentMessages` over loaded entries, with the official output:
 * besides the declared {@link SessionMessage} fields, each message carries `timestamp` and, when
 * they apply, `is_meta`, `isCompactSummary`, `interruptedByShutdown`, `origin`,
 * `toolDenialUnanswered` and `tool_result_meta`, as the official SDK returns them.
 */

/** Origins whose meta messages are shown, because a person or a peer wrote them. */
const VISIBLE_META_ORIGINS = new Set(['channel', 'observer', 'observer-activity', 'slack-ping', 'voice-call', 'peer']);
const NON_EXECUTION_KINDS = [
  'user-rejected',
  'permission-rule',
  'automode-blocked',
  'automode-unavailable',
  'automode-parsing-error',
  'interrupted',
  'cancelled',
];
const CALL_ENDED_KINDS = ['not_started'];
const UNANSWERED_KINDS = ['stream-closed'];
const RUN_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
const AGENT_ID = /^[\w-]{1,128}$/;
const NO_RESPONSE_REQUESTED = 'No response requested.';

/** Pagination of the official functions: `limit` ≤ 0 means no limit. */
export function paginate<T>(items: T[], limit: number | undefined, offset: number | undefined): T[] {
  const start = offset ?? 0;
  if (limit !== undefined && limit > 0) return items.slice(start, start + limit);
  if (start > 0) return items.slice(start);
  return items;
}

/** The messages of a main session transcript. */
export function sessionMessagesOf(
  entries: readonly SessionStoreEntry[],
  options: { limit?: number | undefined; offset?: number | undefined; includeSystemMessages?: boolean | undefined },
): SessionMessage[] {
  const includeSystem = options.includeSystemMessages ?? false;
  const visible = conversationChain(chainEntriesOf(entries)).filter((entry) => isVisible(entry, includeSystem));
  return paginate(
    visible.map((entry) => toSessionMessage(entry, undefined, undefined)),
    options.limit,
    options.offset,
  );
}

const SUBAGENT_CHAIN_TYPES = new Set(['user', 'assistant', 'attachment']);

/** The messages of a subagent transcript (its `agent_metadata` entries already removed). */
export function subagentMessagesOf(
  entries: readonly SessionStoreEntry[],
  options: { limit?: number | undefined; offset?: number | undefined },
  toolUseId: string | undefined,
  parentAgentId: string | undefined,
): SessionMessage[] {
  const parentToolUseId = toolUseId !== undefined && RUN_ID.test(toolUseId) ? toolUseId : undefined;
  const parentAgent = parentAgentId !== undefined && AGENT_ID.test(parentAgentId) ? parentAgentId : undefined;
  const messages = simpleChain(chainEntriesOf(entries, SUBAGENT_CHAIN_TYPES))
    .filter((entry) => entry.type === 'user' || entry.type === 'assistant')
    .map((entry) => toSessionMessage(entry, parentToolUseId, parentAgent));
  return paginate(messages, options.limit, options.offset);
}

function isVisible(entry: ChainEntry, includeSystem: boolean): boolean {
  if (entry.type !== 'user' && entry.type !== 'assistant' && !(entry.type === 'system' && includeSystem)) return false;
  if (closesQuietTurn(entry)) return false;
  if (entry.isMeta && !(isRecord(entry.origin) && VISIBLE_META_ORIGINS.has(String(entry.origin.kind)))) return false;
  if (entry.isSidechain) return false;
  if (entry.teamName) return false;
  return true;
}

/** An empty assistant reply the harness wrote to close a turn nobody answered. */
function closesQuietTurn(entry: ChainEntry): boolean {
  if (entry.type !== 'assistant' || entry.closesQuietTurn !== true || !isRecord(entry.message)) return false;
  const content = entry.message.content;
  if (!Array.isArray(content)) return false;
  const first = content[0] as unknown;
  const text = content.length === 1 && isRecord(first) && first.type === 'text' ? first.text : undefined;
  return text === '' || text === NO_RESPONSE_REQUESTED;
}

function visibleOrigin(origin: unknown): unknown {
  if (!isRecord(origin) || origin.kind !== 'task-notification') return origin;
  const runId = typeof origin.runId === 'string' && RUN_ID.test(origin.runId) ? origin.runId : undefined;
  return {
    kind: 'task-notification',
    ...(origin.subkind !== undefined && { subkind: origin.subkind }),
    ...(origin.fireReason !== undefined && { fireReason: origin.fireReason }),
    ...(origin.producer !== undefined && { producer: origin.producer }),
    ...(runId !== undefined && { runId }),
    ...(origin.taskKind === 'mcp-task' && { taskKind: origin.taskKind }),
  };
}

function toSessionMessage(entry: ChainEntry, parentToolUseId: string | undefined, parentAgentId: string | undefined): SessionMessage {
  const origin = entry.origin !== undefined && entry.origin !== null ? visibleOrigin(entry.origin) : undefined;
  const unanswered = UNANSWERED_KINDS.find((kind) => kind === entry.toolDenialUnanswered);
  const content = isRecord(entry.message) ? entry.message.content : undefined;
  const resultIds = (Array.isArray(content) ? (content as unknown[]) : []).flatMap((block) =>
    isRecord(block) && block.type === 'tool_result' ? [block.tool_use_id] : [],
  );
  const nonExecution = resultIds.length === 1 ? NON_EXECUTION_KINDS.find((kind) => kind === entry.toolDenialKind) : undefined;
  const callEnded = resultIds.length === 1 ? CALL_ENDED_KINDS.find((kind) => kind === entry.toolCallEnded) : undefined;
  const rewritten = Boolean(entry.toolResultRewritten);
  const resultMeta =
    nonExecution !== undefined || callEnded !== undefined || rewritten
      ? resultIds.flatMap((id) =>
          typeof id === 'string'
            ? [
                {
                  id,
                  ...(nonExecution !== undefined && { non_execution_kind: nonExecution }),
                  ...(callEnded !== undefined && { call_ended: callEnded }),
                  ...(rewritten && { rewritten_by_plugin: true }),
                },
              ]
            : [],
        )
      : [];
  const message = {
    type: entry.type as SessionMessage['type'],
    uuid: entry.uuid,
    session_id: entry.sessionId as string,
    message: entry.message,
    parent_tool_use_id: parentToolUseId ?? null,
    parent_agent_id: parentAgentId ?? null,
    ...(entry.interruptedByShutdown === true && { interruptedByShutdown: true }),
    ...(unanswered !== undefined && { toolDenialUnanswered: unanswered }),
    ...(resultMeta.length > 0 && { tool_result_meta: resultMeta }),
    ...(entry.isCompactSummary === true && { isCompactSummary: true }),
    ...((entry.isMeta === true || entry.isCompactSummary === true || entry.isVisibleInTranscriptOnly === true) && { is_meta: true }),
    ...(entry.isQueuedCommand === true && { isQueuedCommand: true }),
    ...(entry.timestamp !== undefined && { timestamp: entry.timestamp }),
    ...(Boolean(origin) && { origin }),
  };
  return message;
}
