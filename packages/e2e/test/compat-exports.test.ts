import { describe, expect, it } from 'vitest';

/**
 * The official runtime exports `@sdk/compat` does not provide yet. Shrink this list as exports
 * land; the test fails both when one goes missing again and when one lands without the list being
 * updated, so progress stays visible.
 */
const NOT_YET_EXPORTED = [
  // Constants of the CLI's internals (tool names, exit reasons, usage banners).
  'BUILTIN_TOOL_NAMES',
  'EXIT_REASONS',
  'LEGACY_TOOL_NAME_ALIASES',
  'ORG_POLICY_LIMIT_PREFIXES',
  'USAGE_LIMIT_ERROR_PREFIXES',
  'USAGE_TRANSITION_PREFIXES',
  'USAGE_WARNING_PREFIXES',
  // Undeclared runtime extras of sdk.mjs (absent from the official .d.ts).
  'CommandMatcher',
  'DirectConnectError',
  'DirectConnectTransport',
  'FileIndex',
  'parseDirectConnectUrl',
  // Settings resolution.
  'filterEscalatingDefaultMode',
  'matchDeniedModels',
  'resolveSettings',
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
