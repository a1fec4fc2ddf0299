import { InvalidArgumentError } from '@sdk/core';
import type { EmulatorOptions, EmulatorReply } from './types.js';

const BLOCK_TYPES = new Set(['text', 'thinking', 'redacted_thinking', 'tool_use']);

/**
 * Why `reply` cannot be served, or `undefined` when it can. Catches scripting mistakes (a typo in a fault name, a
 * negative delay, a 200 "error") when they are made rather than as a confusing failure in the code under test.
 */
export function describeInvalidReply(reply: unknown): string | undefined {
  if (typeof reply !== 'object' || reply === null) return 'a reply must be an object';
  const candidate = reply as Record<string, unknown>;
  switch (candidate.type) {
    case 'message':
      return describeInvalidMessage(candidate);
    case 'error':
      if (!Number.isInteger(candidate.status) || (candidate.status as number) < 400 || (candidate.status as number) > 599) {
        return `an error reply needs an HTTP status from 400 to 599, got ${String(candidate.status)}`;
      }
      if (typeof candidate.errorType !== 'string' || candidate.errorType.length === 0) return 'an error reply needs an errorType';
      if (typeof candidate.message !== 'string') return 'an error reply needs a message';
      if (candidate.retryAfter !== undefined && !isNonNegativeNumber(candidate.retryAfter)) {
        return 'retryAfter must be a non-negative number of seconds';
      }
      return undefined;
    case 'fault':
      return describeInvalidFault(candidate);
    default:
      return `unknown reply type ${JSON.stringify(candidate.type)} (expected 'message', 'error' or 'fault')`;
  }
}

function describeInvalidMessage(reply: Record<string, unknown>): string | undefined {
  if (!Array.isArray(reply.content)) return 'a message reply needs a content array';
  for (const [index, block] of (reply.content as unknown[]).entries()) {
    const type = (block as { type?: unknown } | null)?.type;
    if (typeof type !== 'string' || !BLOCK_TYPES.has(type)) {
      return `content.${index}: unknown block type ${JSON.stringify(type)} (expected text, thinking, redacted_thinking or tool_use)`;
    }
  }
  if (reply.eventDelayMs !== undefined && !isNonNegativeNumber(reply.eventDelayMs)) {
    return 'eventDelayMs must be a non-negative number';
  }
  return undefined;
}

function describeInvalidFault(reply: Record<string, unknown>): string | undefined {
  switch (reply.fault) {
    case 'connection-reset':
      return undefined;
    case 'stream-cut':
    case 'stream-error':
      if (!Number.isInteger(reply.afterEvents) || (reply.afterEvents as number) < 0) {
        return `a ${reply.fault} fault needs afterEvents, a non-negative integer`;
      }
      return reply.reply === undefined ? undefined : describeInvalidReply(reply.reply);
    case 'slow-first-byte':
      if (!isNonNegativeNumber(reply.delayMs)) return 'a slow-first-byte fault needs delayMs, a non-negative number';
      return reply.reply === undefined ? undefined : describeInvalidReply(reply.reply);
    default:
      return `unknown fault ${JSON.stringify(reply.fault)} (expected connection-reset, stream-cut, stream-error or slow-first-byte)`;
  }
}

function isNonNegativeNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

/** Throws `InvalidArgumentError` for a reply that cannot be served. */
export function assertValidReply(reply: EmulatorReply, argument: string): void {
  const problem = describeInvalidReply(reply);
  if (problem !== undefined) throw new InvalidArgumentError(`Invalid emulator reply: ${problem}`, argument);
}

/** Throws `InvalidArgumentError` for options `startMessagesEmulator` cannot honour. */
export function assertValidOptions(options: EmulatorOptions): void {
  const { port, host, respond, validate } = options;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) {
    throw new InvalidArgumentError(`port must be an integer from 0 to 65535, got ${String(port)}`, 'port');
  }
  if (host !== undefined && (typeof host !== 'string' || host.length === 0)) {
    throw new InvalidArgumentError('host must be a non-empty string', 'host');
  }
  if (respond !== undefined && typeof respond !== 'function') {
    throw new InvalidArgumentError('respond must be a function', 'respond');
  }
  if (validate !== undefined && typeof validate !== 'boolean') {
    throw new InvalidArgumentError('validate must be a boolean', 'validate');
  }
}
