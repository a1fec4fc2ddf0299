import { platform } from 'node:os';
import type { ClientOptions } from '@anthropic-ai/sdk';
import type { BetaTextBlockParam, BetaThinkingConfigParam } from '@anthropic-ai/sdk/resources/beta/messages/messages';
import { InvalidArgumentError, UnsupportedFeatureError } from '../errors.js';
import { isUuid } from '../store/keys.js';
import type { Options, SystemPromptOption } from './options.js';

/** The official marker splitting a `string[]` system prompt into a cached static part and the rest. */
export const SYSTEM_PROMPT_DYNAMIC_BOUNDARY = '__SYSTEM_PROMPT_DYNAMIC_BOUNDARY__';

/** Model of a query that names none (and sets no `ANTHROPIC_MODEL`). */
export const DEFAULT_MODEL = 'claude-sonnet-4-6';

const DEFAULT_MAX_TOKENS = 8192;
/** Headroom for the answer itself on top of a thinking budget (the API wants `max_tokens > budget`). */
const ANSWER_TOKENS = 4096;
const DEFAULT_THINKING_BUDGET = 10_000;

type Environment = { [name: string]: string | undefined };

function invalid(field: string, message: string): never {
  throw new InvalidArgumentError(`options.${field}: ${message}`, field);
}

function unsupported(field: string, message: string): never {
  throw new UnsupportedFeatureError(`options.${field} is not supported by @sdk/core: ${message}`, field);
}

/**
 * Checks the option combinations the official `query()` rejects, and rejects the options whose
 * effect this SDK cannot provide and a caller would rely on (silently ignoring them would change
 * what the program does). Throws synchronously; nothing has started.
 */
export function validateOptions(options: Options): void {
  if (options.sessionStore !== undefined && options.persistSession === false) {
    invalid('sessionStore', 'cannot be used with persistSession: false (the store would receive nothing)');
  }
  if (options.resume !== undefined && options.continue === true) invalid('continue', 'cannot be combined with resume');
  if (options.resume !== undefined && !isUuid(options.resume)) invalid('resume', `must be a session id (UUID), got ${JSON.stringify(options.resume)}`);
  if (options.sessionId !== undefined) {
    if (!isUuid(options.sessionId)) invalid('sessionId', `must be a UUID, got ${JSON.stringify(options.sessionId)}`);
    if ((options.resume !== undefined || options.continue === true) && options.forkSession !== true) {
      invalid('sessionId', 'can only be used with continue or resume together with forkSession (it names the fork)');
    }
  }
  if (options.resumeSessionAt !== undefined) {
    if (options.resume === undefined) invalid('resumeSessionAt', 'requires resume');
    if (!isUuid(options.resumeSessionAt)) invalid('resumeSessionAt', 'must be a transcript entry uuid');
  }
  if (options.continue === true && options.sessionStore !== undefined && typeof options.sessionStore.listSessions !== 'function') {
    invalid('continue', 'with sessionStore requires store.listSessions to be implemented');
  }
  if (options.abortController !== undefined && !(options.abortController instanceof AbortController)) {
    invalid('abortController', 'must be an AbortController');
  }
  for (const field of ['maxTurns', 'maxThinkingTokens', 'loadTimeoutMs'] as const) {
    const value = options[field];
    const minimum = field === 'maxThinkingTokens' ? 0 : 1;
    if (value !== undefined && (!Number.isInteger(value) || value < minimum)) invalid(field, `must be an integer ≥ ${minimum}, got ${String(value)}`);
  }
  if (options.maxBudgetUsd !== undefined && !(options.maxBudgetUsd > 0)) invalid('maxBudgetUsd', `must be a positive number, got ${String(options.maxBudgetUsd)}`);
  if (options.supportedDialogKinds !== undefined && options.supportedDialogKinds.length > 0 && options.onUserDialog === undefined) {
    invalid('supportedDialogKinds', 'needs onUserDialog to render the dialogs');
  }
  if (options.permissionMode === 'bypassPermissions' && options.allowDangerouslySkipPermissions !== true) {
    invalid('permissionMode', "'bypassPermissions' requires allowDangerouslySkipPermissions: true");
  }

  if (options.resumeDropsTurn !== undefined) unsupported('resumeDropsTurn', 'drop-turn validation is not implemented');
  if (options.plugins !== undefined && options.plugins.length > 0) unsupported('plugins', 'plugins cannot be loaded');
  if (options.agent !== undefined) unsupported('agent', 'main-thread agents are not implemented');
  if (options.sandbox !== undefined && options.sandbox.enabled === true) unsupported('sandbox', 'commands cannot be sandboxed (and no command tools run)');
  if (options.enableFileCheckpointing === true) unsupported('enableFileCheckpointing', 'file checkpoints and rewindFiles are not implemented');
}

/** The environment of the query: `options.env` replaces the process environment, as in the official SDK. */
export function environmentOf(options: Options): Environment {
  return options.env ?? process.env;
}

/**
 * Client options from the environment: `ANTHROPIC_BASE_URL`, then exactly one credential —
 * `ANTHROPIC_API_KEY`, else `ANTHROPIC_AUTH_TOKEN`. Both are passed explicitly (`null` when unset)
 * so the client never reads `process.env` behind a replacing `options.env`.
 */
export function clientOptionsOf(environment: Environment): ClientOptions {
  const apiKey = nonEmpty(environment.ANTHROPIC_API_KEY);
  const authToken = apiKey === undefined ? nonEmpty(environment.ANTHROPIC_AUTH_TOKEN) : undefined;
  return {
    apiKey: apiKey ?? null,
    authToken: authToken ?? null,
    baseURL: nonEmpty(environment.ANTHROPIC_BASE_URL) ?? 'https://api.anthropic.com',
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** The model: the option, else `ANTHROPIC_MODEL`, else {@link DEFAULT_MODEL}. */
export function modelOf(options: Options, environment: Environment): string {
  return options.model ?? nonEmpty(environment.ANTHROPIC_MODEL) ?? DEFAULT_MODEL;
}

/** The API's thinking parameter and the `max_tokens` it needs. */
export type ThinkingSetting = { thinking?: BetaThinkingConfigParam; maxTokens: number };

/**
 * Maps `thinking` (or the deprecated `maxThinkingTokens`, which `thinking` overrides, as
 * officially) to the API parameter. A budget raises `max_tokens` so the answer still fits.
 */
export function thinkingOf(options: Pick<Options, 'thinking' | 'maxThinkingTokens'>): ThinkingSetting {
  const config = options.thinking;
  if (config === undefined) {
    const budget = options.maxThinkingTokens;
    if (budget === undefined) return { maxTokens: DEFAULT_MAX_TOKENS };
    if (budget === 0) return { thinking: { type: 'disabled' }, maxTokens: DEFAULT_MAX_TOKENS };
    return enabled(budget, undefined);
  }
  if (config.type === 'disabled') return { thinking: { type: 'disabled' }, maxTokens: DEFAULT_MAX_TOKENS };
  if (config.type === 'adaptive') {
    return { thinking: config.display === undefined ? { type: 'adaptive' } : { type: 'adaptive', display: config.display }, maxTokens: DEFAULT_MAX_TOKENS };
  }
  return enabled(config.budgetTokens ?? DEFAULT_THINKING_BUDGET, config.display);
}

function enabled(budget: number, display: 'summarized' | 'omitted' | undefined): ThinkingSetting {
  // The API's minimum budget is 1024 tokens; smaller official values are raised, as the CLI does.
  const budgetTokens = Math.max(1024, budget);
  const thinking: BetaThinkingConfigParam = display === undefined ? { type: 'enabled', budget_tokens: budgetTokens } : { type: 'enabled', budget_tokens: budgetTokens, display };
  return { thinking, maxTokens: Math.max(DEFAULT_MAX_TOKENS, budgetTokens + ANSWER_TOKENS) };
}

/**
 * Our stand-in for the Claude Code system prompt (`{type:'preset', preset:'claude_code'}`). The
 * CLI's own prompt is not public API and is long and tied to its built-in tools; this text states
 * the role and working rules in a few lines instead. Programs that depend on the exact wording
 * should pass their own prompt.
 */
export const CLAUDE_CODE_PRESET_PROMPT = [
  'You are Claude, an AI agent built on the Claude Agent SDK, helping a user with software engineering and other tasks.',
  'Be concise and direct. Use the tools you are given when they help; do not claim to have done work you have not done.',
  'Prefer small, verifiable steps, and say clearly when you are unsure.',
].join('\n');

/** The system prompt to send; `undefined` sends none (the official minimal default). */
export function systemPromptOf(option: SystemPromptOption | undefined, cwd: string, now: Date = new Date()): string | BetaTextBlockParam[] | undefined {
  if (option === undefined) return undefined;
  if (typeof option === 'string') return option;
  if (Array.isArray(option)) return blocksOf(option);
  if (option.type === 'custom') return typeof option.prompt === 'string' ? option.prompt : blocksOf(option.prompt);
  const parts = [CLAUDE_CODE_PRESET_PROMPT];
  if (option.excludeDynamicSections !== true) {
    parts.push(`<env>\nWorking directory: ${cwd}\nPlatform: ${platform()}\nToday's date: ${now.toISOString().slice(0, 10)}\n</env>`);
  }
  if (option.append !== undefined && option.append !== '') parts.push(option.append);
  return parts.join('\n\n');
}

/**
 * A `string[]` prompt as text blocks. The part before {@link SYSTEM_PROMPT_DYNAMIC_BOUNDARY} is
 * static across turns, so its last block carries a cache breakpoint; the marker itself is not sent.
 */
function blocksOf(parts: readonly string[]): BetaTextBlockParam[] | undefined {
  const boundary = parts.indexOf(SYSTEM_PROMPT_DYNAMIC_BOUNDARY);
  const blocks: BetaTextBlockParam[] = [];
  parts.forEach((text, index) => {
    if (index === boundary || text === '') return;
    const block: BetaTextBlockParam = { type: 'text', text };
    if (boundary > 0 && index === boundary - 1) block.cache_control = { type: 'ephemeral' };
    blocks.push(block);
  });
  return blocks.length === 0 ? undefined : blocks;
}
