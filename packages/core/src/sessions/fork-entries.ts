import { randomUUID } from 'node:crypto';
import { SessionNotFoundError } from '../errors.js';
import type { SessionStoreEntry } from '../store/session-store.js';
import { firstPromptOfEntries } from '../store/first-prompt.js';
import { isRecord } from './is-record.js';

/**
 * The entries of a fork, built as the official `forkSession()` builds them: the main-thread chain
 * entries copied with fresh uuids (parent links remapped, progress entries skipped),
 * `forkedFrom: {sessionId, messageUuid}` on each, the session id rewritten, then the session's
 * bookkeeping that travels with it and a `custom-title` "<title> (fork)".
 */

type Entry = Record<string, unknown> & { uuid: string; type: string };

const FORK_TYPES = new Set(['user', 'assistant', 'attachment', 'system', 'progress']);
/** Fields that describe the source's place (thread, team, turn bookkeeping), dropped from copies. */
const SOURCE_ONLY_FIELDS = [
  'teamName',
  'agentName',
  'sessionKind',
  'slug',
  'sourceToolAssistantUUID',
  'summarizedTurnPromptUuids',
  'droppedPromptUuids',
  'sentAsUuid',
  'rowsAheadOfPutBack',
  'turnAttributionKey',
] as const;
const PRINTABLE_ASCII = /^[\x21-\x7e]*$/;

/** What a fork copies besides the chain. */
type Bookkeeping = {
  transcript: Entry[];
  contentReplacements: unknown[];
  relocatedCwd?: string;
  atisLatch?: string;
  toolsUsed?: string[];
};

function collect(entries: readonly unknown[], sessionId: string): Bookkeeping {
  const found: Bookkeeping = { transcript: [], contentReplacements: [] };
  for (const entry of entries) {
    if (!isRecord(entry)) continue;
    const type = entry.type;
    if (typeof type === 'string' && FORK_TYPES.has(type) && typeof entry.uuid === 'string') {
      found.transcript.push(entry as Entry);
    } else if (type === 'atis-latch' && entry.sessionId === sessionId && typeof entry.atis === 'string' && PRINTABLE_ASCII.test(entry.atis)) {
      found.atisLatch = entry.atis;
    } else if (type === 'tools-used' && entry.sessionId === sessionId && Array.isArray(entry.tools)) {
      found.toolsUsed = (entry.tools as unknown[]).filter((tool): tool is string => typeof tool === 'string' && tool !== '');
    } else if (type === 'content-replacement' && entry.sessionId === sessionId && Array.isArray(entry.replacements)) {
      found.contentReplacements.push(...(entry.replacements as unknown[]).filter(isRecord));
    } else if (type === 'relocated' && entry.sessionId === sessionId && typeof entry.relocatedCwd === 'string' && entry.relocatedCwd !== '') {
      found.relocatedCwd = entry.relocatedCwd;
    }
  }
  return found;
}

/** The title a fork inherits: the last custom title, else the last AI title, else the first prompt. */
function titleOf(entries: readonly unknown[]): string | undefined {
  let customTitle: string | undefined;
  let aiTitle: string | undefined;
  for (const entry of entries) {
    if (!isRecord(entry)) continue;
    if (typeof entry.customTitle === 'string' && entry.customTitle) customTitle = entry.customTitle;
    if (typeof entry.aiTitle === 'string' && entry.aiTitle) aiTitle = entry.aiTitle;
  }
  return customTitle || aiTitle || firstPromptOfEntries(entries) || undefined;
}

function remapCompactMetadata(entry: Entry, uuids: Map<string, string>): Record<string, unknown> | undefined {
  const metadata = entry.compactMetadata;
  if (entry.type !== 'system' || !isRecord(metadata)) return undefined;
  const { preservedMessages, preservedSegment, runningTurnSends, ...rest } = metadata;
  if (preservedMessages === undefined && preservedSegment === undefined && runningTurnSends === undefined) return undefined;
  const remap = (value: unknown): unknown => (typeof value === 'string' ? (uuids.get(value) ?? value) : value);
  const remapFields = (value: unknown, fields: readonly string[]): unknown => {
    if (!isRecord(value)) return value;
    const copy: Record<string, unknown> = { ...value };
    for (const field of fields) {
      const current = copy[field];
      if (field in copy) copy[field] = Array.isArray(current) ? current.map(remap) : remap(current);
    }
    return copy;
  };
  return {
    compactMetadata: {
      ...rest,
      ...(preservedMessages !== undefined && { preservedMessages: remapFields(preservedMessages, ['anchorUuid', 'uuids', 'allUuids']) }),
      ...(preservedSegment !== undefined && { preservedSegment: remapFields(preservedSegment, ['headUuid', 'anchorUuid', 'tailUuid']) }),
    },
  };
}

function remapAttachment(entry: Entry, uuids: Map<string, string>): Record<string, unknown> | undefined {
  const attachment = entry.attachment;
  if (entry.type !== 'attachment' || !isRecord(attachment)) return undefined;
  if (attachment.type === 'deferred_tools_record' && Array.isArray(attachment.nameOnlyAnnouncements)) {
    return {
      attachment: {
        ...attachment,
        nameOnlyAnnouncements: (attachment.nameOnlyAnnouncements as unknown[]).flatMap((uuid) =>
          typeof uuid === 'string' && uuids.has(uuid) ? [uuids.get(uuid)] : [],
        ),
      },
    };
  }
  if (attachment.type === 'queued_command' && typeof attachment.source_uuid === 'string' && attachment.source_uuid) {
    const source = uuids.get(attachment.source_uuid);
    if (source !== undefined) return { attachment: { ...attachment, source_uuid: source } };
  }
  return undefined;
}

/** The session whose request produced an assistant entry (kept across forks of forks). */
function requestSessionOf(entry: Entry): string | undefined {
  if (entry.type !== 'assistant') return undefined;
  const forkedFrom = isRecord(entry.forkedFrom) ? entry.forkedFrom.sessionId : undefined;
  return [entry.requestSessionId, forkedFrom, entry.sessionId].find((value): value is string => typeof value === 'string');
}

/** Thrown when `upToMessageId` names no entry of the session. */
function messageNotFound(messageId: string, sessionId: string): SessionNotFoundError {
  return new SessionNotFoundError(`Message ${messageId} not found in session ${sessionId}`);
}

/**
 * Builds the entries of a fork of `sourceSessionId`; without a `title` option the fork is named
 * after `inheritedTitle()` (by default the last custom or AI title, else the first prompt). Rejects with `SessionNotFoundError` when the
 * session has no messages on its main thread or `upToMessageId` is not one of its entries.
 */
export function forkEntries(
  entries: readonly unknown[],
  sourceSessionId: string,
  options: { upToMessageId?: string | undefined; title?: string | undefined },
  forkSessionId: string = randomUUID(),
  inheritedTitle: () => string | undefined = () => titleOf(entries),
): SessionStoreEntry[] {
  const bookkeeping = collect(entries, sourceSessionId);
  let copied = bookkeeping.transcript.filter((entry) => !entry.isSidechain);
  if (copied.length === 0) throw new SessionNotFoundError(`Session ${sourceSessionId} has no messages to fork`);
  const upTo = options.upToMessageId;
  if (upTo) {
    const end = copied.findIndex((entry) => entry.uuid === upTo);
    if (end === -1) throw messageNotFound(upTo, sourceSessionId);
    copied = copied.slice(0, end + 1);
  }
  const uuids = new Map<string, string>();
  for (const entry of copied) uuids.set(entry.uuid, randomUUID());
  const written = copied.filter((entry) => entry.type !== 'progress');
  const writtenUuids = new Map(written.map((entry) => [entry.uuid, uuids.get(entry.uuid) as string]));
  if (written.length === 0) throw new SessionNotFoundError(`Session ${sourceSessionId} has no messages to fork`);
  const byUuid = new Map<string, Entry>();
  for (const entry of copied) byUuid.set(entry.uuid, entry);
  const now = new Date().toISOString();
  const fork: SessionStoreEntry[] = [];
  written.forEach((entry, index) => {
    // The parent is the nearest ancestor that is written: progress entries are skipped over.
    let parent: string | null = null;
    let ancestor = entry.parentUuid;
    let visited: Set<string> | undefined;
    while (typeof ancestor === 'string' && ancestor) {
      const found = byUuid.get(ancestor);
      if (!found) break;
      if (found.type !== 'progress') {
        parent = uuids.get(ancestor) ?? null;
        break;
      }
      visited ??= new Set();
      if (visited.has(found.uuid)) {
        parent = uuids.get(found.uuid) ?? null;
        break;
      }
      visited.add(found.uuid);
      ancestor = found.parentUuid;
    }
    const logicalParent =
      entry.logicalParentUuid === undefined || entry.logicalParentUuid === null
        ? entry.logicalParentUuid
        : typeof entry.logicalParentUuid === 'string'
          ? (uuids.get(entry.logicalParentUuid) ?? null)
          : null;
    const copy: Record<string, unknown> = {
      ...entry,
      ...(entry.type === 'system' && entry.subtype === 'model_refusal_fallback' && { neutralizedByFork: true }),
      ...remapAttachment(entry, uuids),
      ...remapCompactMetadata(entry, writtenUuids),
      uuid: uuids.get(entry.uuid),
      parentUuid: parent,
      logicalParentUuid: logicalParent,
      sessionId: forkSessionId,
      timestamp: index === written.length - 1 ? now : entry.timestamp,
      isSidechain: false,
      requestSessionId: requestSessionOf(entry),
      forkedFrom: { sessionId: sourceSessionId, messageUuid: entry.uuid },
    };
    for (const field of SOURCE_ONLY_FIELDS) delete copy[field];
    for (const field of ['logicalParentUuid', 'requestSessionId', 'timestamp'] as const) {
      if (copy[field] === undefined) delete copy[field];
    }
    fork.push(copy as SessionStoreEntry);
  });
  if (bookkeeping.contentReplacements.length > 0) {
    fork.push({
      type: 'content-replacement',
      sessionId: forkSessionId,
      replacements: bookkeeping.contentReplacements,
      uuid: randomUUID(),
      timestamp: now,
    });
  }
  if (bookkeeping.atisLatch !== undefined) fork.push({ type: 'atis-latch', sessionId: forkSessionId, atis: bookkeeping.atisLatch });
  if (bookkeeping.toolsUsed !== undefined) fork.push({ type: 'tools-used', sessionId: forkSessionId, tools: bookkeeping.toolsUsed });
  if (bookkeeping.relocatedCwd) fork.push({ type: 'relocated', sessionId: forkSessionId, relocatedCwd: bookkeeping.relocatedCwd });
  const title = options.title?.trim() || `${inheritedTitle() || 'Forked session'} (fork)`;
  fork.push({ type: 'custom-title', sessionId: forkSessionId, customTitle: title, uuid: randomUUID(), timestamp: now });
  return fork;
}
