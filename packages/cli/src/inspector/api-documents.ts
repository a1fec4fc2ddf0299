import type { SessionUsage } from '../session-stats.js';
import type { SessionView, TranscriptView } from './inspector-data.js';

/** Tokens in the shape of `SessionRow.tokens`, so the API reads like `list --json`. */
function tokensOf(usage: SessionUsage): { input: number; output: number; cacheRead: number; cacheCreation: number; total: number } {
  return {
    input: usage.inputTokens,
    output: usage.outputTokens,
    cacheRead: usage.cacheReadInputTokens,
    cacheCreation: usage.cacheCreationInputTokens,
    total: usage.totalTokens,
  };
}

const cost = (usd: number): number => Math.round(usd * 1e6) / 1e6;

/** The API document of a transcript: raw entries, the tree as links, turns with tokens and cost. */
export function transcriptDocument(view: TranscriptView): Record<string, unknown> {
  const nodes = [...view.tree.nodes.values()].sort((a, b) => a.index - b.index);
  return {
    projectKey: view.projectKey,
    sessionId: view.sessionId,
    subpath: view.subpath,
    tokens: tokensOf(view.usage),
    costUsd: cost(view.usage.costUsd),
    turns: view.turns.map((turn) => ({
      turn: turn.turn,
      promptUuid: turn.promptUuid,
      prompt: turn.prompt,
      timestamp: turn.timestamp,
      apiCalls: turn.apiCalls,
      tokens: tokensOf(turn.usage),
      costUsd: cost(turn.usage.costUsd),
    })),
    tree: {
      roots: view.tree.roots.map((root) => root.uuid),
      forks: view.tree.forks,
      boundaries: view.tree.boundaries,
      nodes: nodes.map((node) => ({
        uuid: node.uuid,
        parentUuid: typeof node.entry.parentUuid === 'string' ? node.entry.parentUuid : null,
        index: node.index,
        type: node.entry.type,
        boundary: node.boundary,
        orphan: node.orphan,
        children: node.children.map((child) => child.uuid),
      })),
    },
    entries: view.entries,
  };
}

/** The API document of a session: its `list` row, subagents, and its main transcript. */
export function sessionDocument(view: SessionView): Record<string, unknown> {
  return {
    session: view.session,
    subagents: view.subkeys.map((subkey) => ({
      subpath: subkey.subpath,
      agentId: subkey.agentId,
      prompt: subkey.prompt,
      entries: subkey.entries,
      tokens: tokensOf(subkey.usage),
      costUsd: cost(subkey.usage.costUsd),
    })),
    ...transcriptDocument(view),
  };
}
