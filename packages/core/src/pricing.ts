/**
 * List prices of Claude models, used for `total_cost_usd` and `maxBudgetUsd`.
 *
 * The table is bundled and dated: prices change, so callers with negotiated or newer prices pass
 * `prices` overrides (per model id or family prefix) instead of waiting for a release.
 */

/** Prices in USD per million tokens. */
export type ModelPrice = {
  inputPerMillion: number;
  outputPerMillion: number;
  /** Cache reads; default 0.1 × input. */
  cacheReadPerMillion?: number;
  /** Cache writes with the 5-minute lifetime; default 1.25 × input. */
  cacheWritePerMillion?: number;
  /** Cache writes with the 1-hour lifetime; default 2 × input. */
  cacheWrite1hPerMillion?: number;
};

/** Token counts of one or more API calls of one model. */
export type TokenUsage = {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  /** All cache writes, both lifetimes. */
  cacheCreationInputTokens: number;
  /** The part of `cacheCreationInputTokens` written with the 1-hour lifetime. */
  cacheCreation1hInputTokens?: number;
};

/** The date the bundled table was last checked against the public price list. */
export const PRICE_TABLE_DATE = '2026-11-01';

/**
 * Bundled list prices by model family. A model id matches the longest family that prefixes it
 * (`claude-sonnet-4-5-20250929` → `claude-sonnet-4-5`).
 */
export const DEFAULT_MODEL_PRICES: Readonly<Record<string, ModelPrice>> = Object.freeze({
  'claude-opus-4-7': { inputPerMillion: 5, outputPerMillion: 25 },
  'claude-opus-4-6': { inputPerMillion: 5, outputPerMillion: 25 },
  'claude-opus-4-5': { inputPerMillion: 5, outputPerMillion: 25 },
  'claude-opus-4-1': { inputPerMillion: 15, outputPerMillion: 75 },
  'claude-opus-4': { inputPerMillion: 15, outputPerMillion: 75 },
  'claude-sonnet-4': { inputPerMillion: 3, outputPerMillion: 15 },
  'claude-3-7-sonnet': { inputPerMillion: 3, outputPerMillion: 15 },
  'claude-haiku-4': { inputPerMillion: 1, outputPerMillion: 5 },
  'claude-3-5-haiku': { inputPerMillion: 0.8, outputPerMillion: 4 },
  'claude-3-haiku': { inputPerMillion: 0.25, outputPerMillion: 1.25 },
});

/** Family used for a model id that matches nothing: the mid-tier price, so budgets still bite. */
export const FALLBACK_MODEL_FAMILY = 'claude-sonnet-4';

/** How a model was priced. `unknown`: no table row matched and the fallback family was used. */
export type PriceLookup = { price: ModelPrice; family: string; basis: 'list' | 'override' | 'unknown' };

function longestPrefix(model: string, table: Readonly<Record<string, ModelPrice>>): string | undefined {
  let best: string | undefined;
  for (const family in table) {
    if (!Object.hasOwn(table, family) || !model.startsWith(family)) continue;
    // The family itself, or it followed by a version (`-…`) or a provider suffix (`@…`).
    const next = model.charAt(family.length);
    if ((next === '' || next === '-' || next === '@') && (best === undefined || family.length > best.length)) best = family;
  }
  return best;
}

/** Finds the price of `model`: overrides first (exact id, then family prefix), then the bundled table. */
export function priceFor(model: string, overrides: Readonly<Record<string, ModelPrice>> = {}): PriceLookup {
  const override = longestPrefix(model, overrides);
  if (override !== undefined) return { price: overrides[override]!, family: override, basis: 'override' };
  const family = longestPrefix(model, DEFAULT_MODEL_PRICES);
  if (family !== undefined) return { price: DEFAULT_MODEL_PRICES[family]!, family, basis: 'list' };
  return { price: DEFAULT_MODEL_PRICES[FALLBACK_MODEL_FAMILY]!, family: FALLBACK_MODEL_FAMILY, basis: 'unknown' };
}

/** The cost in USD of `usage` at `price`. */
export function costOf(usage: TokenUsage, price: ModelPrice): number {
  const cacheWrite1h = Math.min(usage.cacheCreation1hInputTokens ?? 0, usage.cacheCreationInputTokens);
  const cacheWrite5m = usage.cacheCreationInputTokens - cacheWrite1h;
  const perToken =
    usage.inputTokens * price.inputPerMillion +
    usage.outputTokens * price.outputPerMillion +
    usage.cacheReadInputTokens * (price.cacheReadPerMillion ?? price.inputPerMillion * 0.1) +
    cacheWrite5m * (price.cacheWritePerMillion ?? price.inputPerMillion * 1.25) +
    cacheWrite1h * (price.cacheWrite1hPerMillion ?? price.inputPerMillion * 2);
  return perToken / 1_000_000;
}
