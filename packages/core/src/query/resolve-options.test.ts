import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, UnsupportedFeatureError } from '../errors.js';
import type { SessionStore } from '../store/session-store.js';
import type { Options } from './options.js';
import { CLAUDE_CODE_PRESET_PROMPT, clientOptionsOf, DEFAULT_MODEL, modelOf, SYSTEM_PROMPT_DYNAMIC_BOUNDARY, systemPromptOf, thinkingOf, validateOptions } from './resolve-options.js';

const SESSION = '3f2b8c1e-9d4a-4e6b-8f1c-2a7d5e9b0c31';
const appendLoad: SessionStore = { append: () => Promise.resolve(), load: () => Promise.resolve(null) };

function rejection(options: Options): unknown {
  try {
    validateOptions(options);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('validateOptions', () => {
  it.each<[string, Options, string]>([
    ['sessionStore with persistSession false', { sessionStore: appendLoad, persistSession: false }, 'sessionStore'],
    ['resume with continue', { resume: SESSION, continue: true }, 'continue'],
    ['sessionId with resume, no fork', { resume: SESSION, sessionId: SESSION }, 'sessionId'],
    ['sessionId with continue, no fork', { continue: true, sessionId: SESSION }, 'sessionId'],
    ['continue with a store without listSessions', { continue: true, sessionStore: appendLoad }, 'continue'],
    ['a sessionId that is not a UUID', { sessionId: 'abc' }, 'sessionId'],
    ['resumeSessionAt without resume', { resumeSessionAt: SESSION }, 'resumeSessionAt'],
    ['maxTurns 0', { maxTurns: 0 }, 'maxTurns'],
    ['bypassPermissions without the opt-in', { permissionMode: 'bypassPermissions' }, 'permissionMode'],
  ])('rejects %s naming the field', (_, options, field) => {
    const error = rejection(options);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe(field);
    expect((error as Error).message).toContain(`options.${field}`);
  });

  it.each<[Options, string]>([
    [{ sandbox: { enabled: true } }, 'sandbox'],
    [{ enableFileCheckpointing: true }, 'enableFileCheckpointing'],
  ])('refuses an option whose effect is missing: %j', (options, field) => {
    const error = rejection(options);
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect((error as UnsupportedFeatureError).feature).toBe(field);
  });

  it('accepts forks with an id, process-only options and an empty mcpServers', () => {
    const options: Options = {
      resume: SESSION,
      forkSession: true,
      sessionId: '0b6f7c9e-1a2b-4c3d-8e4f-5a6b7c8d9e0f',
      executable: 'node',
      extraArgs: { verbose: null },
      debug: true,
      stderr: () => undefined,
      mcpServers: {},
      settingSources: [],
    };
    expect(rejection(options)).toBeUndefined();
  });
});

describe('clientOptionsOf', () => {
  it('takes the base URL and the API key from the given environment only', () => {
    expect(clientOptionsOf({ ANTHROPIC_BASE_URL: 'http://127.0.0.1:9', ANTHROPIC_API_KEY: 'k', ANTHROPIC_AUTH_TOKEN: 't' })).toEqual({
      apiKey: 'k',
      authToken: null,
      baseURL: 'http://127.0.0.1:9',
    });
  });

  it('falls back to the auth token and the public endpoint', () => {
    expect(clientOptionsOf({ ANTHROPIC_AUTH_TOKEN: 't' })).toEqual({ apiKey: null, authToken: 't', baseURL: 'https://api.anthropic.com' });
  });
});

describe('modelOf', () => {
  it('prefers the option, then ANTHROPIC_MODEL, then the default', () => {
    expect(modelOf({ model: 'claude-opus-4-6' }, { ANTHROPIC_MODEL: 'claude-haiku-4-5' })).toBe('claude-opus-4-6');
    expect(modelOf({}, { ANTHROPIC_MODEL: 'claude-haiku-4-5' })).toBe('claude-haiku-4-5');
    expect(modelOf({}, {})).toBe(DEFAULT_MODEL);
  });
});

describe('thinkingOf', () => {
  it('maps each thinking form and raises max_tokens above a budget', () => {
    expect(thinkingOf({})).toEqual({ maxTokens: 8192 });
    expect(thinkingOf({ thinking: { type: 'adaptive' } })).toEqual({ thinking: { type: 'adaptive' }, maxTokens: 8192 });
    expect(thinkingOf({ thinking: { type: 'disabled' } })).toEqual({ thinking: { type: 'disabled' }, maxTokens: 8192 });
    expect(thinkingOf({ thinking: { type: 'enabled', budgetTokens: 16_000 } })).toEqual({ thinking: { type: 'enabled', budget_tokens: 16_000 }, maxTokens: 20_096 });
  });

  it('uses the deprecated maxThinkingTokens only without thinking', () => {
    expect(thinkingOf({ maxThinkingTokens: 2000 })).toEqual({ thinking: { type: 'enabled', budget_tokens: 2000 }, maxTokens: 8192 });
    expect(thinkingOf({ maxThinkingTokens: 0 }).thinking).toEqual({ type: 'disabled' });
    expect(thinkingOf({ maxThinkingTokens: 2000, thinking: { type: 'disabled' } }).thinking).toEqual({ type: 'disabled' });
  });
});

describe('systemPromptOf', () => {
  const now = new Date('2026-11-26T00:00:00Z');

  it('sends strings as is and nothing when unset', () => {
    expect(systemPromptOf(undefined, '/w', now)).toBeUndefined();
    expect(systemPromptOf('Be brief.', '/w', now)).toBe('Be brief.');
    expect(systemPromptOf({ type: 'custom', prompt: 'Custom.' }, '/w', now)).toBe('Custom.');
  });

  it('splits a string[] at the dynamic boundary with a cache breakpoint before it', () => {
    expect(systemPromptOf(['static', SYSTEM_PROMPT_DYNAMIC_BOUNDARY, 'dynamic'], '/w', now)).toEqual([
      { type: 'text', text: 'static', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'dynamic' },
    ]);
  });

  it('approximates the claude_code preset with our text, the environment and the append', () => {
    const prompt = systemPromptOf({ type: 'preset', preset: 'claude_code', append: 'Answer in French.' }, '/work/app', now) as string;
    expect(prompt.startsWith(CLAUDE_CODE_PRESET_PROMPT)).toBe(true);
    expect(prompt).toContain('Working directory: /work/app');
    expect(prompt).toContain("Today's date: 2026-11-26");
    expect(prompt.endsWith('Answer in French.')).toBe(true);
    const staticOnly = systemPromptOf({ type: 'preset', preset: 'claude_code', excludeDynamicSections: true }, '/work/app', now);
    expect(staticOnly).toBe(CLAUDE_CODE_PRESET_PROMPT);
  });
});
