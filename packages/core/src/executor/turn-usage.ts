import type { BetaUsage } from '@anthropic-ai/sdk/resources/beta/messages/messages';
import type { ModelUsage, NonNullableUsage } from '../messages.js';
import { costOf, priceFor, type ModelPrice } from '../pricing.js';

/** Context window reported in `modelUsage` (the executor does not look it up per model). */
const CONTEXT_WINDOW = 200_000;

/** A `NonNullableUsage` with every count at zero. */
export function emptyUsage(): NonNullableUsage {
  return {
    cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 0 },
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    fallback_credit: null,
    inference_geo: '',
    input_tokens: 0,
    iterations: [],
    output_tokens: 0,
    output_tokens_details: { thinking_tokens: 0 },
    server_tool_use: { web_fetch_requests: 0, web_search_requests: 0 },
    service_tier: 'standard',
    speed: 'standard',
  };
}

/**
 * Token and cost totals of one turn, per model. Lives for one `runTurn` call only: the executor
 * keeps no state between turns.
 */
export class TurnUsage {
  readonly usage: NonNullableUsage = emptyUsage();
  readonly modelUsage: Record<string, ModelUsage> = {};
  private cost = 0;

  constructor(
    private readonly prices: Readonly<Record<string, ModelPrice>>,
    private readonly maxOutputTokens: number,
  ) {}

  /** Adds the usage of one completed API call. */
  add(model: string, usage: BetaUsage): void {
    const input = usage.input_tokens;
    const output = usage.output_tokens;
    const cacheRead = usage.cache_read_input_tokens ?? 0;
    const cacheWrite = usage.cache_creation_input_tokens ?? 0;
    const cacheWrite1h = usage.cache_creation?.ephemeral_1h_input_tokens ?? 0;
    const total = this.usage;
    total.input_tokens += input;
    total.output_tokens += output;
    total.cache_read_input_tokens += cacheRead;
    total.cache_creation_input_tokens += cacheWrite;
    total.cache_creation.ephemeral_1h_input_tokens += cacheWrite1h;
    total.cache_creation.ephemeral_5m_input_tokens += usage.cache_creation?.ephemeral_5m_input_tokens ?? cacheWrite - cacheWrite1h;
    total.output_tokens_details.thinking_tokens += usage.output_tokens_details?.thinking_tokens ?? 0;
    total.server_tool_use.web_search_requests += usage.server_tool_use?.web_search_requests ?? 0;
    total.server_tool_use.web_fetch_requests += usage.server_tool_use?.web_fetch_requests ?? 0;
    if (usage.service_tier !== null && usage.service_tier !== undefined) total.service_tier = usage.service_tier;
    if (usage.inference_geo !== null && usage.inference_geo !== undefined) total.inference_geo = usage.inference_geo;

    const lookup = priceFor(model, this.prices);
    const cost = costOf(
      { inputTokens: input, outputTokens: output, cacheReadInputTokens: cacheRead, cacheCreationInputTokens: cacheWrite, cacheCreation1hInputTokens: cacheWrite1h },
      lookup.price,
    );
    this.cost += cost;
    const entry = (this.modelUsage[model] ??= {
      inputTokens: 0,
      outputTokens: 0,
      cacheReadInputTokens: 0,
      cacheCreationInputTokens: 0,
      webSearchRequests: 0,
      costUSD: 0,
      contextWindow: CONTEXT_WINDOW,
      maxOutputTokens: this.maxOutputTokens,
    });
    entry.inputTokens += input;
    entry.outputTokens += output;
    entry.cacheReadInputTokens += cacheRead;
    entry.cacheCreationInputTokens += cacheWrite;
    entry.webSearchRequests += usage.server_tool_use?.web_search_requests ?? 0;
    entry.costUSD += cost;
    entry.costBasis = lookup.basis === 'override' ? 'managed' : lookup.basis;
  }

  /**
   * Adds model calls made outside the main loop (a subagent's): they count in `modelUsage` and the
   * cost, not in `usage`, which is the main loop's alone (as officially).
   */
  addModelUsage(modelUsage: Readonly<Record<string, ModelUsage>>): void {
    for (const [model, usage] of Object.entries(modelUsage)) {
      const entry = (this.modelUsage[model] ??= { ...usage, inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0, webSearchRequests: 0, costUSD: 0 });
      entry.inputTokens += usage.inputTokens;
      entry.outputTokens += usage.outputTokens;
      entry.cacheReadInputTokens += usage.cacheReadInputTokens;
      entry.cacheCreationInputTokens += usage.cacheCreationInputTokens;
      entry.webSearchRequests += usage.webSearchRequests;
      entry.costUSD += usage.costUSD;
      this.cost += usage.costUSD;
    }
  }

  /** Total cost of the turn so far, in USD. */
  get totalCostUsd(): number {
    return this.cost;
  }
}
