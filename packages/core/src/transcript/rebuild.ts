import type {
  BetaContentBlockParam,
  BetaMessageParam,
  BetaToolResultBlockParam,
} from '@anthropic-ai/sdk/resources/beta/messages/messages';
import type { SessionStoreEntry } from '../store/session-store.js';
import { isRequestBlock, toRequestBlock } from './content.js';
import { sanitizeHistory } from './sanitize-history.js';

/**
 * Rebuilds the Messages API history from transcript entries the way Claude Code does on resume
 * (docs: /work/shared/reference/transcript-format.md §4–5). Pure: no I/O, no clock, no ids.
 *
 * What is sent and what is not:
 * - `user` and `assistant` chain entries on the walked path (plus sibling blocks and tool results
 *   regrouped by `message.id` and `tool_use_id`, rule 4);
 * - `attachment` entries with `renderedRole: "user"`: their `rendered[].content` texts, moved in
 *   front of the user content they follow (after any tool results), as the CLI does;
 * - NOT sent: attachments rendered as `system` (the CLI sends those as `role: "system"` messages,
 *   which the public Messages API does not accept), attachments without `rendered`, `system`
 *   entries other than the compact boundary, and every metadata line.
 */

/** A `tool_use` of the conversation's last assistant message that has no `tool_result` yet. */
export type UnansweredToolUse = {
  toolUseId: string;
  /** Uuid of the transcript entry that holds the `tool_use` block (the result's parent). */
  entryUuid: string;
};

/** The rebuilt conversation and what a writer needs to continue it. */
export type RebuiltConversation = {
  /** The API history, oldest first. Empty for a new session. */
  messages: BetaMessageParam[];
  /** Uuid the next entry must name as `parentUuid`; `null` for an empty session. */
  leafUuid: string | null;
  /**
   * `tool_use` blocks of the last assistant message that no `tool_result` answers (repair these:
   * the API rejects the history otherwise, whatever follows them).
   */
  unansweredToolUses: UnansweredToolUse[];
  /** Role of the last message; `null` when there is none. */
  lastRole: 'user' | 'assistant' | null;
  /**
   * The tool call a `defer` decision left pending: the leaf is the CLI's `hook_deferred_tool`
   * attachment of an unanswered call. Resuming runs it instead of repairing it.
   */
  deferredToolUse?: DeferredToolCall;
  /**
   * The entries of the last assistant message when the conversation ends with one: what a
   * compaction keeps verbatim (its preserved segment).
   */
  lastAssistant?: { headUuid: string; tailUuid: string; uuids: string[] };
  /**
   * Tokens the context held at the last response: its usage's input (cached or not) plus output.
   * What auto-compaction compares with the window. 0 when no response recorded usage.
   */
  contextTokens: number;
};

/** A tool call stopped by a `defer` decision, waiting in the transcript for a later turn. */
export type DeferredToolCall = UnansweredToolUse & {
  name: string;
  input: Record<string, unknown>;
  /** Uuid of the `hook_deferred_tool` attachment (the leaf). */
  markerUuid: string;
};

/** Options of {@link rebuildConversation}. */
export type RebuildOptions = {
  /** Resume at this entry instead of the latest leaf (official `resumeSessionAt`). */
  resumeAt?: string;
};

type ChainEntry = SessionStoreEntry & { uuid: string };

function isChainEntry(entry: SessionStoreEntry): entry is ChainEntry {
  const type = entry.type;
  return (type === 'user' || type === 'assistant' || type === 'attachment' || type === 'system') && typeof entry.uuid === 'string' && entry.isSidechain !== true;
}

function parentOf(entry: SessionStoreEntry): string | null {
  return typeof entry.parentUuid === 'string' ? entry.parentUuid : null;
}

function isCompactBoundary(entry: SessionStoreEntry): boolean {
  return entry.type === 'system' && entry.subtype === 'compact_boundary';
}

type MessageObject = { id?: unknown; content?: unknown; role?: unknown };

function messageOf(entry: SessionStoreEntry): MessageObject | undefined {
  const message = entry.message;
  return typeof message === 'object' && message !== null ? (message) : undefined;
}

function assistantIdOf(entry: SessionStoreEntry): string | undefined {
  if (entry.type !== 'assistant') return undefined;
  const id = messageOf(entry)?.id;
  return typeof id === 'string' ? id : undefined;
}

function blocksOf(content: unknown): BetaContentBlockParam[] {
  if (typeof content === 'string') return content.length === 0 ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  // A plain copy, even of well-formed content: stores hand out frozen arrays (read-only loads), and
  // on Node 20 every loop over a history mixing frozen and plain arrays runs several times slower,
  // ours, the SDK's own walk over the messages, and the iterators they allocate alike. Indexed
  // here for the same reason.
  let wellFormed = true;
  for (let index = 0; index < content.length; index++) {
    const block: unknown = content[index];
    wellFormed &&= typeof block === 'object' && block !== null;
  }
  if (wellFormed) return [...(content as BetaContentBlockParam[])];
  return content.filter((block): block is BetaContentBlockParam => typeof block === 'object' && block !== null);
}

const NO_RESULTS: readonly BetaToolResultBlockParam[] = Object.freeze([]);
/** Shared by assistant messages without tool calls (most of them); replaced before any push. */
const NO_TOOL_USES: UnansweredToolUse[] = [];

function toolResultsOf(entry: SessionStoreEntry): readonly BetaToolResultBlockParam[] {
  if (entry.type !== 'user') return NO_RESULTS;
  const content = messageOf(entry)?.content;
  // Fast path: most user entries are prompts; this runs once per entry of the transcript.
  if (!Array.isArray(content)) return NO_RESULTS;
  let hasResult = false;
  for (let index = 0; index < content.length; index++) hasResult ||= (content[index] as { type?: unknown } | null)?.type === 'tool_result';
  if (!hasResult) return NO_RESULTS;
  return blocksOf(content).filter((block): block is BetaToolResultBlockParam => block.type === 'tool_result');
}

function renderedUserTexts(entry: SessionStoreEntry): BetaContentBlockParam[] {
  if (entry.renderedRole !== 'user' || !Array.isArray(entry.rendered)) return [];
  const blocks: BetaContentBlockParam[] = [];
  for (const item of entry.rendered as unknown[]) {
    const content = (item as { content?: unknown } | null)?.content;
    if (typeof content === 'string' && content.length > 0) blocks.push({ type: 'text', text: content });
  }
  return blocks;
}

/**
 * The chain entries in file order and each one's position by uuid (the first occurrence wins, as
 * stores skip duplicate uuids). Positions, not entries, so the walk can mark what it consumed in
 * a flat array instead of a set of uuids: a rebuild runs on every turn, over the whole window.
 */
type ChainIndex = { chain: ChainEntry[]; positions: Map<string, number> };

/** Where each response's entries and each call's results are (rule 4), by chain position. */
type ChainGroups = { assistantEntriesById: Map<string, number[]>; resultsByToolUseId: Map<string, number[]> };

function indexChain(entries: readonly SessionStoreEntry[]): ChainIndex;
function indexChain(entries: readonly SessionStoreEntry[], groups: ChainGroups): ChainIndex;
/** With `groups`, fills them in the same pass (one pass over the window instead of two). */
function indexChain(entries: readonly SessionStoreEntry[], groups?: ChainGroups): ChainIndex {
  const chain: ChainEntry[] = [];
  const positions = new Map<string, number>();
  for (const entry of entries) {
    if (!isChainEntry(entry) || positions.has(entry.uuid)) continue;
    const position = chain.length;
    positions.set(entry.uuid, position);
    chain.push(entry);
    if (groups === undefined) continue;
    const id = assistantIdOf(entry);
    if (id !== undefined) addTo(groups.assistantEntriesById, id, position);
    else for (const result of toolResultsOf(entry)) addTo(groups.resultsByToolUseId, result.tool_use_id, position);
  }
  return { chain, positions };
}

/** The last chain entry in file order that no other entry names as its parent (rule 2). */
export function findLeaf(entries: readonly SessionStoreEntry[]): string | null {
  return leafOf(indexChain(entries).chain);
}

function leafOf(chain: readonly ChainEntry[]): string | null {
  const last = chain.at(-1);
  if (last === undefined) return null;
  // Children follow their parent in append order, so the last entry is nearly always the leaf:
  // confirm it with one scan of string comparisons before building a set of every parent.
  if (!chain.some((entry) => entry.parentUuid === last.uuid)) return last.uuid;
  const parents = new Set<string>();
  for (const entry of chain) {
    const parent = parentOf(entry);
    if (parent !== null) parents.add(parent);
  }
  for (let index = chain.length - 2; index >= 0; index--) {
    const entry = chain[index]!;
    if (!parents.has(entry.uuid)) return entry.uuid;
  }
  return null;
}

/**
 * Walks from `leaf` to the root (or the last compact boundary), oldest first, as chain positions.
 * A `parentUuid` that names no entry continues with the chain entry before it in file order, as
 * the CLI does (rule 3). A cycle ends the walk where it closes.
 */
function walk(leaf: number, { chain, positions }: ChainIndex): number[] {
  const path: number[] = [];
  const visited = new Uint8Array(chain.length);
  let current: number | undefined = leaf;
  while (current !== undefined && current >= 0 && visited[current] === 0) {
    visited[current] = 1;
    path.push(current);
    const entry = chain[current]!;
    if (isCompactBoundary(entry)) break;
    const parent = parentOf(entry);
    if (parent === null) break;
    // Entries are appended after their parent: the one before is the usual parent, found without a lookup.
    current = current > 0 && chain[current - 1]!.uuid === parent ? current - 1 : (positions.get(parent) ?? current - 1);
  }
  path.reverse();
  return splicePreservedSegment(path, chain, positions);
}

/**
 * After a compaction the boundary names a preserved segment of the old chain (head..tail) that
 * is sent right after the summary entry (its anchor), §8.
 */
function splicePreservedSegment(path: number[], chain: readonly ChainEntry[], positions: ReadonlyMap<string, number>): number[] {
  const boundary = path[0] === undefined ? undefined : chain[path[0]];
  if (boundary === undefined || !isCompactBoundary(boundary)) return path;
  const segment = (boundary.compactMetadata as { preservedSegment?: Record<string, unknown> } | undefined)?.preservedSegment;
  const { headUuid, anchorUuid, tailUuid } = segment ?? {};
  if (typeof headUuid !== 'string' || typeof tailUuid !== 'string' || typeof anchorUuid !== 'string') return path;
  const preserved: number[] = [];
  // Positions already taken, so a segment whose parents loop (a damaged or hostile transcript) ends.
  const taken = new Set(path);
  let current = positions.get(tailUuid);
  while (current !== undefined && !taken.has(current)) {
    taken.add(current);
    preserved.push(current);
    const entry = chain[current]!;
    if (entry.uuid === headUuid) break;
    const parent = parentOf(entry);
    current = parent === null ? undefined : positions.get(parent);
  }
  preserved.reverse();
  const anchorIndex = path.findIndex((position) => chain[position]!.uuid === anchorUuid);
  if (anchorIndex < 0 || preserved.length === 0) return path;
  return [...path.slice(0, anchorIndex + 1), ...preserved, ...path.slice(anchorIndex + 1)];
}

/** Appends `value` to the list under `key`. */
function addTo<K>(lists: Map<K, number[]>, key: K, value: number): void {
  const list = lists.get(key);
  if (list === undefined) lists.set(key, [value]);
  else list.push(value);
}

/**
 * Accumulates user-side content: attachments bubble up in front of prompt text, behind tool results.
 * One per rebuild, started over by {@link take} (a rebuild meets a user turn per exchange).
 */
class UserTurn {
  /** This turn's own array ({@link blocksOf} copies what it reads). */
  private content: BetaContentBlockParam[] | undefined;
  private attachmentAnchor = 0;
  /** When the only content is one prompt string, it is sent as a string, as stored. */
  private soleString: string | undefined;

  addUser(content: unknown): void {
    if (typeof content === 'string' && (this.content === undefined || this.content.length === 0) && this.soleString === undefined && content.length > 0) {
      this.soleString = content;
      this.content = [{ type: 'text', text: content }];
      return;
    }
    this.soleString = undefined;
    const blocks = blocksOf(content);
    if (this.content === undefined) {
      this.content = blocks;
      for (let index = 0; index < blocks.length; index++) if (blocks[index]!.type === 'tool_result') this.attachmentAnchor = index + 1;
      return;
    }
    const target = this.content;
    for (const block of blocks) {
      target.push(block);
      if (block.type === 'tool_result') this.attachmentAnchor = target.length;
    }
  }

  addAttachment(blocks: BetaContentBlockParam[]): void {
    if (blocks.length === 0) return;
    this.soleString = undefined;
    (this.content ??= []).splice(this.attachmentAnchor, 0, ...blocks);
    this.attachmentAnchor += blocks.length;
  }

  /** The message of what was added (none when it is empty), and a fresh start for the next turn. */
  take(): BetaMessageParam | undefined {
    const blocks = this.content;
    const message: BetaMessageParam | undefined = blocks === undefined || blocks.length === 0 ? undefined : { role: 'user', content: this.soleString ?? blocks };
    this.content = undefined;
    this.soleString = undefined;
    this.attachmentAnchor = 0;
    return message;
  }
}

/** What a rebuild gathers before the history is made sendable, however it was gathered. */
type CollectedHistory = {
  /** The history in API form, not yet checked. */
  messages: BetaMessageParam[];
  leaf: ChainEntry;
  /** Calls of the last response that the entries after it did not answer. */
  unanswered: UnansweredToolUse[];
  /** The entry of every `tool_use` block gathered, by call id. */
  toolUseEntries: Map<string, string>;
  /** The entries of the last response gathered. */
  lastGroup: readonly ChainEntry[];
  entryOf: (uuid: string) => ChainEntry | undefined;
};

/** No history: the leaf to report (`resumeAt` when it names no entry, else `null`). */
type NoHistory = { leaf?: undefined; leafUuid: string | null };

/**
 * Rebuilds the API history of a transcript. Entries are in file (append) order; metadata lines
 * and sidechain entries are ignored. A transcript that is one unbranched chain is read in a single
 * pass that gives what the CLI's walk gives, except for an entry forged to chain on under an older
 * entry's uuid, or a response id reused by a later response, which it reads in file order (decision
 * 36); with `resumeAt` the walk always decides.
 */
export function rebuildConversation(entries: readonly SessionStoreEntry[], options: RebuildOptions = {}): RebuiltConversation {
  const collected = (options.resumeAt === undefined ? collectLinearHistory(entries) : undefined) ?? collectWalkedHistory(entries, options.resumeAt);
  if (collected.leaf === undefined) return { messages: [], leafUuid: collected.leafUuid, unansweredToolUses: [], lastRole: null, contextTokens: 0 };
  const { leaf, toolUseEntries, lastGroup } = collected;
  let unanswered = collected.unanswered;
  // Damage in the middle (a skipped corrupt line, a lost write) must not make every later turn fail.
  const sendable = sanitizeHistory(collected.messages);
  const last = sendable.at(-1);
  // The open calls are those of the history actually sent: sanitizing may have joined messages.
  if (last?.role === 'assistant' && Array.isArray(last.content)) {
    unanswered = last.content.flatMap((block) => {
      const entryUuid = block.type === 'tool_use' ? toolUseEntries.get(block.id) : undefined;
      return block.type === 'tool_use' && entryUuid !== undefined ? [{ toolUseId: block.id, entryUuid }] : [];
    });
  } else {
    // A history ending in results: the calls of the message before them still without one (the
    // sanitizer answered them in what is sent; the executor's repair records them).
    const previous = sendable.at(-2);
    const calls = new Set(previous?.role === 'assistant' && Array.isArray(previous.content) ? previous.content.flatMap((block) => (block.type === 'tool_use' ? [block.id] : [])) : []);
    unanswered = unanswered.filter((toolUse) => calls.has(toolUse.toolUseId));
  }
  const rebuilt: RebuiltConversation = {
    messages: sendable,
    leafUuid: leaf.uuid,
    unansweredToolUses: unanswered,
    lastRole: last === undefined ? null : last.role === 'assistant' ? 'assistant' : 'user',
    contextTokens: contextTokensOf(lastGroup.at(-1)),
  };
  if (rebuilt.lastRole === 'assistant' && lastGroup.length > 0) {
    const uuids = lastGroup.map((entry) => entry.uuid);
    rebuilt.lastAssistant = { headUuid: uuids[0]!, tailUuid: uuids.at(-1)!, uuids };
  }
  const deferred = deferredCallAt(leaf, unanswered, collected.entryOf);
  if (deferred !== undefined) rebuilt.deferredToolUse = deferred;
  return rebuilt;
}

/**
 * The history of a transcript that is one unbranched chain, gathered in a single pass with no index,
 * or `undefined` when anything needs the walk: a branch or a broken link, a compaction boundary, an
 * attachment, a response that goes on after its tool results, tool results out of place. The
 * executor writes such chains, and a rebuild runs over the whole window on every turn: on long
 * sessions the walk's indexes cost more than all the rest of a turn's own work.
 *
 * It gathers exactly what the walk gathers for every transcript a writer produces, repeated appends
 * included: an entry written twice names a parent before the previous entry, which breaks the chain.
 * It does not look for repeated uuids or response ids as such (a set of every uuid cost half of this
 * pass, for touching every uuid string): an entry forged to chain onto the previous one under an
 * older entry's uuid, or a response id reused by a later response, is taken in file order, where the
 * walk would drop the entry or regroup the response. Both give a history the API accepts (decision 36).
 */
export function collectLinearHistory(entries: readonly SessionStoreEntry[]): CollectedHistory | NoHistory | undefined {
  const messages: BetaMessageParam[] = [];
  const toolUseEntries = new Map<string, string>();
  let first: ChainEntry | undefined;
  let previous: ChainEntry | undefined;
  // The user content since the last response.
  const userTurn = new UserTurn();
  const flushUser = (): void => {
    const message = userTurn.take();
    if (message !== undefined) messages.push(message);
  };
  // The response being gathered (its entries follow each other), and whether it is still open.
  let head: ChainEntry | undefined;
  let headId: string | undefined;
  let rest: ChainEntry[] | undefined;
  let open = false;
  // The last response's calls, and the results the user entries after it gave, in front of the rest.
  let toolUses: UnansweredToolUse[] = NO_TOOL_USES;
  let calls: Set<string> | undefined;
  let answered: Set<string> | undefined;
  let resultsEnded = false;

  /** Adds the open response to the history; false when the walk must decide (empty content). */
  const close = (): boolean => {
    open = false;
    toolUses = NO_TOOL_USES;
    let content = blocksOf(messageOf(head!)?.content);
    noteToolUses(head!, content);
    if (rest !== undefined || !content.every(isRequestBlock)) {
      content = content.map(toRequestBlock);
      for (const member of rest ?? []) {
        const blocks = blocksOf(messageOf(member)?.content);
        noteToolUses(member, blocks);
        for (const block of blocks) content.push(toRequestBlock(block));
      }
    }
    if (content.length === 0) return false;
    const last = messages.at(-1);
    if (last?.role === 'assistant' && Array.isArray(last.content)) last.content = [...last.content, ...content];
    else messages.push({ role: 'assistant', content });
    calls = toolUses.length === 0 ? undefined : new Set(toolUses.map((toolUse) => toolUse.toolUseId));
    answered = undefined;
    resultsEnded = false;
    return true;
  };
  const noteToolUses = (member: ChainEntry, blocks: readonly BetaContentBlockParam[]): void => {
    for (let index = 0; index < blocks.length; index++) {
      const block = blocks[index]!;
      if (block.type !== 'tool_use') continue;
      if (toolUses === NO_TOOL_USES) toolUses = [];
      toolUses.push({ toolUseId: block.id, entryUuid: member.uuid });
      toolUseEntries.set(block.id, member.uuid);
    }
  };

  for (const entry of entries) {
    if (!isChainEntry(entry)) continue;
    if (previous === undefined) first = entry;
    else if (entry.parentUuid !== previous.uuid) return undefined;
    previous = entry;
    if (entry.type === 'assistant') {
      const id = assistantIdOf(entry);
      if (open && id !== undefined && id === headId) {
        (rest ??= []).push(entry);
        continue;
      }
      // A response that goes on after its tool results (the CLI runs tools while streaming): the walk
      // moves the rest of it up to its start.
      if (id !== undefined && id === headId) return undefined;
      if (open && !close()) return undefined;
      flushUser();
      head = entry;
      headId = id;
      rest = undefined;
      open = true;
      continue;
    }
    if (open && !close()) return undefined;
    if (entry.type === 'user') {
      const results = toolResultsOf(entry);
      if (results.length === 0) resultsEnded = true;
      else {
        // The walk takes a response's results wherever they are: here they must come right after it.
        if (calls === undefined || resultsEnded) return undefined;
        for (const result of results) {
          if (!calls.has(result.tool_use_id)) return undefined;
          (answered ??= new Set()).add(result.tool_use_id);
        }
      }
      userTurn.addUser(messageOf(entry)?.content);
    } else if (entry.type !== 'system' || isCompactBoundary(entry)) {
      return undefined;
    }
  }
  if (previous === undefined) return { leafUuid: null };
  // Only the first entry's parent is free: naming the last entry makes the leaf another one.
  if (first!.parentUuid === previous.uuid) return undefined;
  if (open && !close()) return undefined;
  flushUser();
  const unanswered = answered === undefined ? toolUses : toolUses.filter((toolUse) => !answered!.has(toolUse.toolUseId));
  const lastGroup = head === undefined ? [] : rest === undefined ? [head] : [head, ...rest];
  return { messages, leaf: previous, unanswered, toolUseEntries, lastGroup, entryOf: noEntry };
}

function noEntry(): undefined {
  return undefined;
}

/** The history as the CLI gathers it: walked from the leaf (or `resumeAt`) back through the parents. */
function collectWalkedHistory(entries: readonly SessionStoreEntry[], resumeAt: string | undefined): CollectedHistory | NoHistory {
  const assistantEntriesById = new Map<string, number[]>();
  const resultsByToolUseId = new Map<string, number[]>();
  const index = indexChain(entries, { assistantEntriesById, resultsByToolUseId });
  const { chain, positions } = index;
  const leafUuid = resumeAt ?? leafOf(chain);
  if (leafUuid === null) return { leafUuid: null };
  const leafPosition = positions.get(leafUuid);
  if (leafPosition === undefined) return { leafUuid: resumeAt === undefined ? null : leafUuid };
  const leaf = chain[leafPosition]!;

  const path = walk(leafPosition, index);
  const messages: BetaMessageParam[] = [];
  const consumed = new Uint8Array(chain.length);
  const userTurn = new UserTurn();
  let unanswered: UnansweredToolUse[] = [];
  let lastGroup: readonly number[] = [];
  const toolUseEntries = new Map<string, string>();

  const flushUser = (): void => {
    const message = userTurn.take();
    if (message !== undefined) messages.push(message);
  };

  for (const position of path) {
    if (consumed[position] === 1) continue;
    consumed[position] = 1;
    const entry = chain[position]!;
    if (entry.type === 'assistant') {
      flushUser();
      const id = assistantIdOf(entry);
      // Siblings off the walked path count only when they come from the same response (rule 4).
      const group = id === undefined ? [position] : (assistantEntriesById.get(id) ?? [position]);
      let content: BetaContentBlockParam[] = [];
      let toolUses: UnansweredToolUse[] = NO_TOOL_USES;
      lastGroup = group;
      for (const memberPosition of group) {
        consumed[memberPosition] = 1;
        const member = chain[memberPosition]!;
        const blocks = blocksOf(messageOf(member)?.content);
        // A response stored as one entry, already in request form, is sent as read.
        if (group.length === 1 && blocks.every(isRequestBlock)) content = blocks;
        else for (const block of blocks) content.push(toRequestBlock(block));
        for (const block of blocks) {
          if (block.type === 'tool_use') {
            if (toolUses === NO_TOOL_USES) toolUses = [];
            toolUses.push({ toolUseId: block.id, entryUuid: member.uuid });
            toolUseEntries.set(block.id, member.uuid);
          }
        }
      }
      if (content.length === 0) continue;
      const previous = messages.at(-1);
      if (previous?.role === 'assistant' && Array.isArray(previous.content)) previous.content = [...previous.content, ...content];
      else messages.push({ role: 'assistant', content });
      unanswered = toolUses;
      if (toolUses.length === 0) continue;
      // Results of these calls follow the message, in file order, wherever they hang (fan-out).
      const resultPositions = [...new Set(toolUses.flatMap((toolUse) => resultsByToolUseId.get(toolUse.toolUseId) ?? []))]
        .filter((resultPosition) => consumed[resultPosition] === 0)
        .sort((left, right) => left - right);
      const answered = new Set<string>();
      for (const resultPosition of resultPositions) {
        consumed[resultPosition] = 1;
        const result = chain[resultPosition]!;
        userTurn.addUser(messageOf(result)?.content);
        for (const block of toolResultsOf(result)) answered.add(block.tool_use_id);
      }
      unanswered = unanswered.filter((toolUse) => !answered.has(toolUse.toolUseId));
    } else if (entry.type === 'user') {
      userTurn.addUser(messageOf(entry)?.content);
    } else if (entry.type === 'attachment') {
      userTurn.addAttachment(renderedUserTexts(entry));
    }
  }
  flushUser();
  return {
    messages,
    leaf,
    unanswered,
    toolUseEntries,
    lastGroup: lastGroup.map((position) => chain[position]!),
    entryOf: (uuid) => {
      const position = positions.get(uuid);
      return position === undefined ? undefined : chain[position];
    },
  };
}

function deferredCallAt(leaf: ChainEntry, unanswered: readonly UnansweredToolUse[], entryOf: (uuid: string) => ChainEntry | undefined): DeferredToolCall | undefined {
  if (leaf.type !== 'attachment') return undefined;
  const marker = leaf.attachment as { type?: unknown; toolUseID?: unknown; toolName?: unknown; toolInput?: unknown } | undefined;
  if (marker?.type !== 'hook_deferred_tool' || typeof marker.toolUseID !== 'string') return undefined;
  const call = unanswered.find((toolUse) => toolUse.toolUseId === marker.toolUseID);
  if (call === undefined) return undefined;
  const block = blocksOf(messageOf(entryOf(call.entryUuid)!)?.content).find((candidate) => candidate.type === 'tool_use' && candidate.id === call.toolUseId) as
    | { name: string; input: unknown }
    | undefined;
  if (block === undefined) return undefined;
  const input = typeof block.input === 'object' && block.input !== null ? (block.input as Record<string, unknown>) : {};
  return { ...call, name: block.name, input, markerUuid: leaf.uuid };
}

function contextTokensOf(entry: ChainEntry | undefined): number {
  const usage = (messageOf(entry ?? ({} as ChainEntry)) as { usage?: Record<string, unknown> } | undefined)?.usage;
  if (usage === undefined) return 0;
  const count = (field: string): number => (typeof usage[field] === 'number' ? usage[field] : 0);
  return count('input_tokens') + count('cache_creation_input_tokens') + count('cache_read_input_tokens') + count('output_tokens');
}
