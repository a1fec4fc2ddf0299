import type { SessionStoreEntry } from '@sdk/core';
import { sessionUsageOf } from '../session-stats.js';
import type { SessionUsage } from '../session-stats.js';

/** One turn: a prompt and everything written until the next one, with what its API calls cost. */
export type TurnUsage = {
  /** 1 for the first prompt; 0 for entries written before any prompt. */
  turn: number;
  /** The prompt's entry, null for turn 0. */
  promptUuid: string | null;
  prompt: string;
  timestamp: string | null;
  /** API calls (distinct `message.id`s of assistant entries). */
  apiCalls: number;
  usage: SessionUsage;
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The text a person typed, or undefined when the user entry is a tool result or harness-written. */
export function promptText(entry: SessionStoreEntry): string | undefined {
  if (entry.type !== 'user' || entry.isMeta === true || entry.isCompactSummary === true || !isRecord(entry.message)) return undefined;
  const content = entry.message.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const texts = content.filter((block): block is { type: 'text'; text: string } => isRecord(block) && block.type === 'text' && typeof block.text === 'string');
  return texts.length === 0 ? undefined : texts.map((block) => block.text).join('\n');
}

function messageIdOf(entry: SessionStoreEntry): string | undefined {
  return entry.type === 'assistant' && isRecord(entry.message) && typeof entry.message.id === 'string' ? entry.message.id : undefined;
}

/**
 * Splits a transcript into turns in file order, each starting at a prompt, and prices each with
 * the same rules as `list` (one count per API call, list prices per model). Summed over the turns
 * it is the session's total.
 */
export function turnUsageOf(entries: readonly SessionStoreEntry[]): TurnUsage[] {
  const groups: Array<{ prompt: SessionStoreEntry | undefined; entries: SessionStoreEntry[] }> = [{ prompt: undefined, entries: [] }];
  for (const entry of entries) {
    if (promptText(entry) !== undefined) groups.push({ prompt: entry, entries: [] });
    groups.at(-1)!.entries.push(entry);
  }
  const turns: TurnUsage[] = [];
  groups.forEach((group, turn) => {
    const calls = new Set(group.entries.map(messageIdOf).filter((id) => id !== undefined));
    if (turn === 0 && calls.size === 0) return;
    turns.push({
      turn,
      promptUuid: typeof group.prompt?.uuid === 'string' ? group.prompt.uuid : null,
      prompt: group.prompt ? (promptText(group.prompt) ?? '') : '',
      timestamp: typeof group.prompt?.timestamp === 'string' ? group.prompt.timestamp : null,
      apiCalls: calls.size,
      usage: sessionUsageOf(group.entries),
    });
  });
  return turns;
}

/**
 * The usage of each API call, keyed by the uuid of the call's last entry: Claude Code writes one
 * entry per content block, each repeating the usage, and the last one has the final output count.
 */
export function callUsageByUuid(entries: readonly SessionStoreEntry[]): Map<string, SessionUsage> {
  const last = new Map<string, SessionStoreEntry>();
  for (const entry of entries) {
    const id = messageIdOf(entry);
    if (id !== undefined) last.set(id, entry);
  }
  const byUuid = new Map<string, SessionUsage>();
  for (const entry of last.values()) if (typeof entry.uuid === 'string') byUuid.set(entry.uuid, sessionUsageOf([entry]));
  return byUuid;
}
