import { costOf, priceFor } from '@sdk/core';
import type { SessionStoreEntry } from '@sdk/core';

/** Token counts and list-price cost of a transcript's API calls. */
export type SessionUsage = {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  /** All of the above. */
  totalTokens: number;
  /** USD at the bundled list prices of `@sdk/core` (`priceFor`), per the model of each call. */
  costUsd: number;
};

type Usage = {
  input_tokens?: unknown;
  output_tokens?: unknown;
  cache_read_input_tokens?: unknown;
  cache_creation_input_tokens?: unknown;
  cache_creation?: { ephemeral_1h_input_tokens?: unknown } | null;
};

const count = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0);

/**
 * Sums the usage of the assistant entries. Claude Code writes one entry per content block of a
 * response, each repeating the response's usage, so entries are counted once per `message.id`
 * (the last one wins: it carries the final output count).
 */
export function sessionUsageOf(entries: readonly SessionStoreEntry[]): SessionUsage {
  const calls = new Map<string, { model: string; usage: Usage }>();
  entries.forEach((entry, index) => {
    if (entry.type !== 'assistant') return;
    const message = entry.message as { id?: unknown; model?: unknown; usage?: unknown } | undefined;
    if (typeof message !== 'object' || message === null || typeof message.usage !== 'object' || message.usage === null) return;
    const id = typeof message.id === 'string' ? message.id : `#${index}`;
    calls.set(id, { model: typeof message.model === 'string' ? message.model : '', usage: message.usage });
  });
  const total: SessionUsage = { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, totalTokens: 0, costUsd: 0 };
  for (const { model, usage } of calls.values()) {
    const tokens = {
      inputTokens: count(usage.input_tokens),
      outputTokens: count(usage.output_tokens),
      cacheReadInputTokens: count(usage.cache_read_input_tokens),
      cacheCreationInputTokens: count(usage.cache_creation_input_tokens),
      cacheCreation1hInputTokens: count(usage.cache_creation?.ephemeral_1h_input_tokens),
    };
    total.inputTokens += tokens.inputTokens;
    total.outputTokens += tokens.outputTokens;
    total.cacheReadInputTokens += tokens.cacheReadInputTokens;
    total.cacheCreationInputTokens += tokens.cacheCreationInputTokens;
    // Claude Code's synthetic messages (API errors, interruptions) carry no real usage.
    if (model && model !== '<synthetic>') total.costUsd += costOf(tokens, priceFor(model).price);
  }
  total.totalTokens = total.inputTokens + total.outputTokens + total.cacheReadInputTokens + total.cacheCreationInputTokens;
  return total;
}

/** Bytes of the transcript as Claude Code writes it: one JSON document per line. */
export function transcriptBytesOf(entries: readonly SessionStoreEntry[]): number {
  let bytes = 0;
  for (const entry of entries) bytes += Buffer.byteLength(JSON.stringify(entry), 'utf8') + 1;
  return bytes;
}
