import { isRecord } from './is-record.js';

/**
 * The conversation a transcript holds, found as the official SDK finds it: compaction re-links
 * applied, the newest leaf of the main thread selected, its `parentUuid` chain walked back, then
 * the blocks and tool results that parallel tool calls left beside the chain put back in place.
 */

/** A transcript entry that takes part in the conversation tree. */
export type ChainEntry = Record<string, unknown> & { uuid: string; type: string };

const CHAIN_TYPES = new Set(['user', 'assistant', 'progress', 'system', 'attachment']);

/** The entries of the conversation tree, in file order: chain types with a string `uuid`. */
export function chainEntriesOf(entries: readonly unknown[], types: ReadonlySet<string> = CHAIN_TYPES): ChainEntry[] {
  return entries.filter(
    (entry): entry is ChainEntry => isRecord(entry) && typeof entry.type === 'string' && types.has(entry.type) && typeof entry.uuid === 'string',
  );
}

const parentOf = (entry: ChainEntry): string | undefined =>
  typeof entry.parentUuid === 'string' && entry.parentUuid ? entry.parentUuid : undefined;

const isConversationMessage = (entry: ChainEntry): boolean => entry.type === 'user' || entry.type === 'assistant';

/** Applies the re-links a compaction recorded, so the preserved messages follow the boundary. */
function relinkCompactions(byUuid: Map<string, ChainEntry>): void {
  for (const entry of byUuid.values()) {
    if (entry.type !== 'system' || entry.subtype !== 'compact_boundary') continue;
    const metadata = isRecord(entry.compactMetadata) ? entry.compactMetadata : undefined;
    const preservedMessages = isRecord(metadata?.preservedMessages) ? metadata.preservedMessages : undefined;
    const preservedSegment = isRecord(metadata?.preservedSegment) ? metadata.preservedSegment : undefined;
    if (preservedMessages) {
      const uuids = Array.isArray(preservedMessages.uuids) ? (preservedMessages.uuids as unknown[]) : [];
      const first = uuids[0];
      if (first === undefined || uuids.some((uuid) => typeof uuid !== 'string' || !byUuid.has(uuid))) continue;
      const anchor = preservedMessages.anchorUuid;
      let parent = anchor;
      for (const uuid of uuids as string[]) {
        byUuid.set(uuid, { ...(byUuid.get(uuid) as ChainEntry), parentUuid: parent });
        parent = uuid;
      }
      const last = uuids.at(-1);
      for (const [uuid, candidate] of byUuid) {
        if (candidate.parentUuid === anchor && uuid !== first) byUuid.set(uuid, { ...candidate, parentUuid: last });
      }
    } else if (preservedSegment) {
      const { headUuid, anchorUuid, tailUuid } = preservedSegment;
      const head = typeof headUuid === 'string' ? byUuid.get(headUuid) : undefined;
      if (head) byUuid.set(head.uuid, { ...head, parentUuid: anchorUuid });
      for (const [uuid, candidate] of byUuid) {
        if (candidate.parentUuid === anchorUuid && uuid !== headUuid) byUuid.set(uuid, { ...candidate, parentUuid: tailUuid });
      }
    }
  }
}

/**
 * The conversation of `entries` (chain entries in file order), oldest first. Empty when there is
 * no user or assistant message.
 */
export function conversationChain(entries: readonly ChainEntry[]): ChainEntry[] {
  const byUuid = new Map<string, ChainEntry>();
  for (const entry of entries) byUuid.set(entry.uuid, entry);
  relinkCompactions(byUuid);
  const fileIndex = new Map<string, number>();
  entries.forEach((entry, index) => fileIndex.set(entry.uuid, index));
  const indexOf = (entry: ChainEntry): number => fileIndex.get(entry.uuid) ?? -1;

  const parents = new Set<string>();
  for (const entry of byUuid.values()) {
    const parent = parentOf(entry);
    if (parent) parents.add(parent);
  }
  const leaves = [...byUuid.values()].filter((entry) => !parents.has(entry.uuid));
  const onMainThread = (entry: ChainEntry): boolean =>
    entry.isSidechain !== true &&
    !entry.teamName &&
    entry.type !== 'progress' &&
    !(entry.type === 'attachment' && isRecord(entry.attachment) && entry.attachment.type === 'fork_briefing');
  const mainParents = new Set<string>();
  for (const entry of byUuid.values()) {
    const parent = parentOf(entry);
    if (parent && onMainThread(entry)) mainParents.add(parent);
  }
  const mainLeaves = [...byUuid.values()]
    .filter((entry) => onMainThread(entry) && !mainParents.has(entry.uuid))
    .sort((a, b) => indexOf(b) - indexOf(a));

  // The newest main-thread leaf whose ancestry reaches a message, skipping paths already tried.
  let leaf: ChainEntry | undefined;
  const tried = new Set<string>();
  for (const candidate of mainLeaves) {
    const path: string[] = [];
    const seen = new Set<string>();
    let current: ChainEntry | undefined = candidate;
    while (current && !tried.has(current.uuid) && !seen.has(current.uuid)) {
      if (isConversationMessage(current)) {
        leaf = current;
        break;
      }
      seen.add(current.uuid);
      path.push(current.uuid);
      const parent = parentOf(current);
      current = parent ? byUuid.get(parent) : undefined;
    }
    if (leaf) break;
    for (const uuid of path) tried.add(uuid);
  }
  if (!leaf) {
    const reachable: ChainEntry[] = [];
    for (const candidate of leaves) {
      const seen = new Set<string>();
      let current: ChainEntry | undefined = candidate;
      while (current) {
        if (seen.has(current.uuid)) break;
        seen.add(current.uuid);
        if (isConversationMessage(current)) {
          reachable.push(current);
          break;
        }
        const parent = parentOf(current);
        current = parent ? byUuid.get(parent) : undefined;
      }
    }
    if (reachable.length === 0) return [];
    const preferred = reachable.filter((entry) => entry.isSidechain !== true && !entry.teamName && entry.isMeta !== true);
    const newest = (list: ChainEntry[]): ChainEntry =>
      list.reduce((best, entry) => (indexOf(entry) > indexOf(best) ? entry : best));
    leaf = preferred.length > 0 ? newest(preferred) : newest(reachable);
  }

  const chain: ChainEntry[] = [];
  const inChain = new Set<string>();
  let current = byUuid.get(leaf.uuid);
  while (current) {
    if (inChain.has(current.uuid)) break;
    inChain.add(current.uuid);
    chain.push(current);
    const parent = parentOf(current);
    current = parent ? byUuid.get(parent) : undefined;
  }
  chain.reverse();
  return restoreParallelBranches(byUuid, chain, inChain);
}

/** Reads the chain of `entries` from the newest user or assistant entry, without re-links. */
export function simpleChain(entries: readonly ChainEntry[]): ChainEntry[] {
  const byUuid = new Map<string, ChainEntry>();
  for (const entry of entries) byUuid.set(entry.uuid, entry);
  const leaf = entries.findLast(isConversationMessage);
  const chain: ChainEntry[] = [];
  const seen = new Set<string>();
  let current = leaf;
  while (current) {
    if (seen.has(current.uuid)) break;
    seen.add(current.uuid);
    chain.push(current);
    const parent = parentOf(current);
    current = parent ? byUuid.get(parent) : undefined;
  }
  return chain.reverse();
}

function messageIdOf(entry: ChainEntry): string | undefined {
  if (entry.type !== 'assistant' || !isObject(entry.message)) return undefined;
  const id = entry.message.id;
  return typeof id === 'string' ? id : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/** The string `field` of every `type` block of the entry's message content. */
function blockIds(entry: ChainEntry, type: string, field: string): string[] {
  if (!isObject(entry.message)) return [];
  const content = entry.message.content;
  if (!Array.isArray(content)) return [];
  const ids: string[] = [];
  for (const block of content as unknown[]) {
    if (!isObject(block) || block.type !== type) continue;
    const id = block[field];
    if (typeof id === 'string') ids.push(id);
  }
  return ids;
}

function timestampText(entry: ChainEntry): string {
  return typeof entry.timestamp === 'string' ? entry.timestamp : '';
}

function isToolResultEntry(entry: ChainEntry): boolean {
  if (entry.type !== 'user' || !entry.parentUuid || !isObject(entry.message)) return false;
  const content = entry.message.content;
  return Array.isArray(content) && (content as unknown[]).some((block) => isObject(block) && block.type === 'tool_result');
}

/**
 * An API response with several content blocks is stored as one entry per block, and parallel tool
 * results hang off their own tool_use entries, so a walk from the leaf misses siblings. This puts
 * the missing blocks and results of each response right after its last entry on the chain.
 */
function restoreParallelBranches(byUuid: Map<string, ChainEntry>, chain: ChainEntry[], inChain: Set<string>): ChainEntry[] {
  const assistants = chain.filter((entry) => entry.type === 'assistant');
  if (assistants.length === 0) return chain;
  const lastOnChain = new Map<string, ChainEntry>();
  for (const entry of assistants) {
    const id = messageIdOf(entry);
    if (id) lastOnChain.set(id, entry);
  }
  const blocksOfMessage = new Map<string, ChainEntry[]>();
  const resultsAttachedTo = new Map<string, ChainEntry[]>();
  const toolUseOwner = new Map<string, ChainEntry | null>();
  const toolResults: ChainEntry[] = [];
  for (const entry of byUuid.values()) {
    const id = messageIdOf(entry);
    if (id) {
      const blocks = blocksOfMessage.get(id);
      if (blocks) blocks.push(entry);
      else blocksOfMessage.set(id, [entry]);
      for (const toolUseId of blockIds(entry, 'tool_use', 'id')) {
        const owner = toolUseOwner.get(toolUseId);
        // A tool_use id claimed by two different responses is ambiguous: trust neither.
        toolUseOwner.set(toolUseId, owner === undefined || (owner !== null && messageIdOf(owner) === id) ? entry : null);
      }
    } else if (isToolResultEntry(entry)) toolResults.push(entry);
  }
  const attached = new Set<string>();
  const attach = (parent: unknown, result: ChainEntry): void => {
    const key = `${String(parent)}\n${result.uuid}`;
    if (attached.has(key)) return;
    attached.add(key);
    const list = resultsAttachedTo.get(String(parent));
    if (list) list.push(result);
    else resultsAttachedTo.set(String(parent), [result]);
  };
  const sameThread = (a: ChainEntry, b: ChainEntry): boolean =>
    (a.isSidechain ?? false) === (b.isSidechain ?? false) && a.agentId === b.agentId;
  for (const result of toolResults) {
    attach(result.parentUuid, result);
    const source =
      typeof result.sourceToolAssistantUUID === 'string' && result.sourceToolAssistantUUID !== result.parentUuid
        ? byUuid.get(result.sourceToolAssistantUUID)
        : undefined;
    if (source && sameThread(result, source)) attach(source.uuid, result);
    for (const toolUseId of blockIds(result, 'tool_result', 'tool_use_id')) {
      const owner = toolUseOwner.get(toolUseId);
      if (owner && sameThread(result, owner)) attach(owner.uuid, result);
    }
  }
  const answeredOnChain = new Set<string>();
  for (const entry of chain) for (const id of blockIds(entry, 'tool_result', 'tool_use_id')) answeredOnChain.add(id);
  let positions: Map<string, number> | undefined;
  const positionOf = (entry: ChainEntry): number => {
    if (positions === undefined) {
      positions = new Map();
      let index = 0;
      for (const uuid of byUuid.keys()) positions.set(uuid, index++);
    }
    return positions.get(entry.uuid) ?? Number.MAX_SAFE_INTEGER;
  };
  const handled = new Set<string>();
  const insertions = new Map<string, ChainEntry[]>();
  let inserted = 0;
  for (const assistant of assistants) {
    const id = messageIdOf(assistant);
    if (!id || handled.has(id)) continue;
    handled.add(id);
    const blocks = blocksOfMessage.get(id) ?? [assistant];
    const blockUuids = new Set(blocks.map((entry) => entry.uuid));
    const missingBlocks = blocks.filter((entry) => !inChain.has(entry.uuid));
    const direct: ChainEntry[] = [];
    const indirect: ChainEntry[] = [];
    const seen = new Set<string>();
    for (const block of blocks) {
      for (const result of resultsAttachedTo.get(block.uuid) ?? []) {
        if (inChain.has(result.uuid) || seen.has(result.uuid)) continue;
        seen.add(result.uuid);
        if (typeof result.parentUuid === 'string' && blockUuids.has(result.parentUuid)) direct.push(result);
        else indirect.push(result);
      }
    }
    if (indirect.length > 0) {
      const answered = new Set(answeredOnChain);
      for (const result of direct) for (const toolUseId of blockIds(result, 'tool_result', 'tool_use_id')) answered.add(toolUseId);
      indirect.sort((a, b) => positionOf(a) - positionOf(b));
      for (const result of indirect) {
        const ids = blockIds(result, 'tool_result', 'tool_use_id');
        const answersThisResponse = ids.some((toolUseId) => {
          const owner = toolUseOwner.get(toolUseId);
          return !answered.has(toolUseId) && !!owner && blockUuids.has(owner.uuid);
        });
        if (!answersThisResponse) continue;
        for (const toolUseId of ids) answered.add(toolUseId);
        direct.push(result);
      }
    }
    if (missingBlocks.length === 0 && direct.length === 0) continue;
    const byTimestamp = (a: ChainEntry, b: ChainEntry): number => timestampText(a).localeCompare(timestampText(b));
    missingBlocks.sort(byTimestamp);
    direct.sort(byTimestamp);
    const anchor = lastOnChain.get(id) ?? assistant;
    const additions = [...missingBlocks, ...direct];
    for (const entry of additions) inChain.add(entry.uuid);
    inserted += additions.length;
    insertions.set(anchor.uuid, additions);
  }
  if (inserted === 0) return chain;
  const result: ChainEntry[] = [];
  for (const entry of chain) {
    result.push(entry);
    const additions = insertions.get(entry.uuid);
    if (additions) result.push(...additions);
  }
  return result;
}
