import { describe, expect, it } from 'vitest';

/**
 * The official runtime exports `@sdk/compat` does not provide: runtime extras of sdk.mjs that its
 * declarations (sdk.d.ts) do not declare, so no typed program can use them. The test fails both
 * when another export goes missing and when one of these lands without the list being updated.
 */
const NOT_YET_EXPORTED = [
  // Undeclared runtime extras of sdk.mjs (absent from the official .d.ts).
  'CommandMatcher',
  'DirectConnectError',
  'DirectConnectTransport',
  'FileIndex',
  'parseDirectConnectUrl',
].sort();

/** Exports of ours the official package does not have. */
const EXTRA_EXPORTS = ['ClaudeSDKClient'];

describe('@sdk/compat runtime exports', () => {
  it('has every official export except the listed ones, which it lacks', async () => {
    const official = Object.keys(await import('@anthropic-ai/claude-agent-sdk'));
    const ours = Object.keys(await import('@sdk/compat'));
    expect(official.filter((name) => !ours.includes(name)).sort()).toEqual(NOT_YET_EXPORTED);
    expect(ours.filter((name) => !official.includes(name)).sort()).toEqual(EXTRA_EXPORTS);
  });

  it('exports the same kind of value (function, class, constant) as the official package', async () => {
    const official = (await import('@anthropic-ai/claude-agent-sdk')) as Record<string, unknown>;
    const ours = (await import('@sdk/compat')) as Record<string, unknown>;
    for (const name of Object.keys(ours).filter((candidate) => candidate in official)) {
      expect(typeof ours[name], name).toBe(typeof official[name]);
      if (Array.isArray(official[name])) expect(ours[name], name).toEqual(official[name]);
    }
  });
});

describe('@sdk/compat settings functions', () => {
  it('reject with UnsupportedFeatureError naming the function (no settings files are read)', async () => {
    const compat = await import('@sdk/compat');
    const { UnsupportedFeatureError } = await import('@sdk/core');
    await expect(compat.resolveSettings()).rejects.toBeInstanceOf(UnsupportedFeatureError);
    await expect(compat.matchDeniedModels(['claude-opus-4-6'], ['opus'])).rejects.toMatchObject({ feature: 'matchDeniedModels' });
    expect(() => compat.filterEscalatingDefaultMode({ effective: {} })).toThrow(UnsupportedFeatureError);
  });
});
