import type { SessionStoreEntry } from '@sdk/core';

/** The entry types that form the conversation's tree; the others (titles, tags, logs) are metadata. */
const CHAIN_TYPES = new Set(['user', 'assistant', 'attachment', 'system']);

/** One entry of the tree with the entries that name it as their parent, in file order. */
export type TreeNode = {
  readonly entry: SessionStoreEntry;
  readonly uuid: string;
  /** Position in the transcript. */
  readonly index: number;
  readonly children: TreeNode[];
  /** A `system` entry of subtype `compact_boundary`: the history before it was summarized. */
  readonly boundary: boolean;
  /** Its `parentUuid` names no entry of the transcript (the official `getSessionMessages` stops there). */
  readonly orphan: boolean;
};

/** A transcript's entries as the tree their `uuid`/`parentUuid` links draw. */
export type MessageTree = {
  /** Entries without a parent (the first prompt, each compaction boundary, orphans), in file order. */
  readonly roots: readonly TreeNode[];
  readonly nodes: ReadonlyMap<string, TreeNode>;
  /** Nodes with more than one child: where the conversation branched (`resumeSessionAt`, rewinds). */
  readonly forks: number;
  readonly boundaries: number;
};

/** A compaction boundary's link to the last entry before it (its `parentUuid` is null). */
export function logicalParentOf(entry: SessionStoreEntry): string | undefined {
  return typeof entry.logicalParentUuid === 'string' ? entry.logicalParentUuid : undefined;
}

/**
 * Builds the tree of a transcript. Branches are kept, not resolved: the official readers follow
 * one path (from the last leaf), the inspector shows every path. A uuid written twice keeps its
 * first entry, as idempotent stores do.
 */
export function buildMessageTree(entries: readonly SessionStoreEntry[]): MessageTree {
  const nodes = new Map<string, TreeNode>();
  const ordered: TreeNode[] = [];
  const known = new Set(entries.map((entry) => entry.uuid).filter((uuid) => typeof uuid === 'string'));
  entries.forEach((entry, index) => {
    if (!CHAIN_TYPES.has(entry.type) || typeof entry.uuid !== 'string' || nodes.has(entry.uuid)) return;
    const parent = typeof entry.parentUuid === 'string' ? entry.parentUuid : undefined;
    const node: TreeNode = {
      entry,
      uuid: entry.uuid,
      index,
      children: [],
      boundary: entry.type === 'system' && entry.subtype === 'compact_boundary',
      orphan: parent !== undefined && !known.has(parent),
    };
    nodes.set(entry.uuid, node);
    ordered.push(node);
  });
  const roots: TreeNode[] = [];
  for (const node of ordered) {
    const parent = typeof node.entry.parentUuid === 'string' ? nodes.get(node.entry.parentUuid) : undefined;
    // A parent written after its child would make a cycle possible; such a link is treated as a root.
    if (parent && parent.index < node.index) parent.children.push(node);
    else roots.push(node);
  }
  let forks = 0;
  let boundaries = 0;
  for (const node of ordered) {
    if (node.children.length > 1) forks++;
    if (node.boundary) boundaries++;
  }
  return { roots, nodes, forks, boundaries };
}
