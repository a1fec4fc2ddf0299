import { InvalidArgumentError } from '../errors.js';

/**
 * When and how a turn compacts its session: the manual `/compact` prompt and automatic compaction
 * when the context nears the window. The summary comes from one extra API call over the current
 * history; the transcript then records a boundary (transcript/compaction-entries.ts).
 */

/** Auto-compaction settings of a turn. */
export type CompactionSettings = {
  /** Compact automatically when the context passes `threshold` × `contextWindow`. Default true. */
  auto?: boolean;
  /** The model's context window in tokens. Default 200 000. */
  contextWindow?: number;
  /** Share of the window that triggers auto-compaction, in (0, 1]. Default 0.9. */
  threshold?: number;
  /** `max_tokens` of the summary call. Default 8192. */
  summaryMaxTokens?: number;
};

export const DEFAULT_CONTEXT_WINDOW = 200_000;
export const DEFAULT_COMPACTION_THRESHOLD = 0.9;
export const DEFAULT_SUMMARY_MAX_TOKENS = 8192;

/** A `/compact` prompt: its arguments (custom instructions, maybe empty); `undefined` for any other prompt. */
export function compactCommandArguments(prompt: unknown): string | undefined {
  if (typeof prompt !== 'string') return undefined;
  const match = /^\/compact(?:\s+([\s\S]*))?$/.exec(prompt.trim());
  return match === null ? undefined : (match[1] ?? '').trim();
}

/** Checks settings up front: a bad window or threshold is the caller's error. */
export function validateCompactionSettings(settings: CompactionSettings | undefined): void {
  if (settings === undefined) return;
  if (settings.contextWindow !== undefined && !(Number.isInteger(settings.contextWindow) && settings.contextWindow > 0)) {
    throw new InvalidArgumentError(`compaction.contextWindow: must be a positive integer, got ${String(settings.contextWindow)}`, 'compaction.contextWindow');
  }
  if (settings.threshold !== undefined && !(settings.threshold > 0 && settings.threshold <= 1)) {
    throw new InvalidArgumentError(`compaction.threshold: must be in (0, 1], got ${String(settings.threshold)}`, 'compaction.threshold');
  }
  if (settings.summaryMaxTokens !== undefined && !(Number.isInteger(settings.summaryMaxTokens) && settings.summaryMaxTokens > 0)) {
    throw new InvalidArgumentError(`compaction.summaryMaxTokens: must be a positive integer`, 'compaction.summaryMaxTokens');
  }
}

/** Whether a context of `contextTokens` (the last response's input + output) calls for compaction. */
export function needsAutoCompaction(contextTokens: number, settings: CompactionSettings | undefined): boolean {
  if (settings?.auto === false) return false;
  const window = settings?.contextWindow ?? DEFAULT_CONTEXT_WINDOW;
  return contextTokens >= window * (settings?.threshold ?? DEFAULT_COMPACTION_THRESHOLD);
}

/** The request that asks the model for the summary, after the whole current history. */
export function summaryRequestText(customInstructions: string): string {
  const lines = [
    'Respond with text only: do not call any tool; everything you need is in the conversation above.',
    '',
    'Write a summary of the conversation so far that will replace it in your context, so work can continue without it. Cover, in order:',
    '1. What the user asked for, in their words where it matters, and every explicit instruction or preference they gave.',
    '2. What has been done: decisions, files and code touched, commands run and their outcomes, errors and how they were fixed.',
    '3. What is in progress right now and what remains to do, with the next step.',
    '4. Facts that later work depends on (names, paths, values, identifiers), stated exactly.',
    '',
    'Put the summary inside <summary></summary> tags. You may think first inside <analysis></analysis> tags; only the summary is kept.',
  ];
  if (customInstructions !== '') lines.push('', `Additional instructions from the user: ${customInstructions}`);
  return lines.join('\n');
}

/** The summary out of the model's answer: the `<summary>` part when there is one, else the whole text. */
export function extractSummary(text: string): string {
  // The last non-empty <summary> wins: an answer may quote the request's own (empty) tags.
  const summaries = [...text.matchAll(/<summary>([\s\S]*?)<\/summary>/g)].map((match) => (match[1] ?? '').trim()).filter((summary) => summary !== '');
  return summaries.at(-1) ?? text.replace(/<analysis>[\s\S]*?<\/analysis>/g, '').trim();
}
