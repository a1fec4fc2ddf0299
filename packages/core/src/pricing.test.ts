import { describe, expect, it } from 'vitest';
import { costOf, DEFAULT_MODEL_PRICES, priceFor } from './pricing.js';

describe('priceFor', () => {
  it('matches the longest family prefix of a dated model id', () => {
    expect(priceFor('claude-opus-4-1-20250805')).toMatchObject({ family: 'claude-opus-4-1', basis: 'list' });
    expect(priceFor('claude-opus-4-5-20251101')).toMatchObject({ family: 'claude-opus-4-5', basis: 'list' });
    expect(priceFor('claude-sonnet-4-5')).toMatchObject({ family: 'claude-sonnet-4', basis: 'list' });
    expect(priceFor('claude-haiku-4-5-20251001').price).toEqual(DEFAULT_MODEL_PRICES['claude-haiku-4']);
  });

  it('does not match a family that is only a string prefix of another word', () => {
    expect(priceFor('claude-opus-40')).toMatchObject({ basis: 'unknown' });
    // A Vertex-style id: the family followed by `@` and a date.
    expect(priceFor('claude-opus-4-1@20250805')).toMatchObject({ family: 'claude-opus-4-1', basis: 'list' });
  });

  it('prefers overrides, by exact id or family', () => {
    const overrides = { 'claude-sonnet-4-5': { inputPerMillion: 1, outputPerMillion: 2 } };
    expect(priceFor('claude-sonnet-4-5-20250929', overrides)).toEqual({ price: overrides['claude-sonnet-4-5'], family: 'claude-sonnet-4-5', basis: 'override' });
    expect(priceFor('my-model', { 'my-model': { inputPerMillion: 9, outputPerMillion: 9 } }).basis).toBe('override');
  });

  it('falls back to the mid-tier price for unknown models and says so', () => {
    expect(priceFor('some-future-model')).toMatchObject({ family: 'claude-sonnet-4', basis: 'unknown' });
  });
});

describe('costOf', () => {
  it('prices input, output, cache reads and both cache-write lifetimes', () => {
    const price = { inputPerMillion: 3, outputPerMillion: 15 };
    const cost = costOf(
      { inputTokens: 1_000_000, outputTokens: 1_000_000, cacheReadInputTokens: 1_000_000, cacheCreationInputTokens: 3_000_000, cacheCreation1hInputTokens: 1_000_000 },
      price,
    );
    // 3 + 15 + 0.3 + 2 × 3.75 + 6
    expect(cost).toBeCloseTo(31.8, 10);
  });

  it('uses explicit cache prices when given', () => {
    const price = { inputPerMillion: 1, outputPerMillion: 1, cacheReadPerMillion: 0, cacheWritePerMillion: 10 };
    expect(costOf({ inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 500, cacheCreationInputTokens: 100_000 }, price)).toBeCloseTo(1, 10);
  });
});
