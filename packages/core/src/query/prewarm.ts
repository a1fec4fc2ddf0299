import { InvalidArgumentError, SdkError, UnsupportedFeatureError } from '../errors.js';
import type { PermissionMode } from '../messages.js';
import type { QueryFunction } from './create-query.js';
import type { AgentDefinition, Options } from './options.js';
import type { Query, SDKUserMessageInput } from './query-types.js';

/** The per-session options of {@link SpareProcess.claim} (official `ClaimOptions`). */
export type ClaimOptions = {
  cwd: string;
  env?: Record<string, string>;
  additionalDirectories?: string[];
  model?: string;
  permissionMode?: PermissionMode;
  maxThinkingTokens?: number | null;
  /** Not supported: `query()` has no settings overlay here; a non-empty value makes `claim()` throw. */
  settings?: Record<string, unknown>;
  appendSystemPrompt?: string;
  /** Accepted: the session's title is not set at claim time (use `renameSession`). */
  title?: string;
  agents?: Record<string, AgentDefinition>;
};

/** A query prepared before its session is known (official `prewarm()`, alpha). */
export interface SpareProcess extends AsyncDisposable {
  /** Starts the query in `options.cwd`; callable once. */
  claim(params: { prompt: string | AsyncIterable<SDKUserMessageInput>; options: ClaimOptions }): Query;
  /** Resolves with the session once the claimed query has started it. */
  readonly claimed: Promise<{ cwd: string; sessionId: string; parkedMs?: number; sdkMcpSettled: boolean }>;
  /** Resolves when the spare is closed. */
  readonly exited: Promise<void>;
  /** Closes the spare (and the query it started, if claimed); an unclaimed spare's `claimed` rejects. Idempotent. */
  close(): void;
}

/**
 * Creates the official `prewarm()`. The official one parks a started CLI process to claim later;
 * a stateless executor has no process to start, so a spare only holds the host-level options and
 * merges the claim's per-session options into them: `claim()` is `query()`.
 */
export function createPrewarm(query: QueryFunction): (params?: { options?: Options; initializeTimeoutMs?: number }) => Promise<SpareProcess> {
  return async function prewarm(params = {}): Promise<SpareProcess> {
    const base = params.options ?? {};
    // Fail now on options query() would refuse, as a spare that could never be claimed.
    query({ prompt: '.', options: base }).close();
    const parkedAt = Date.now();
    let state: 'parked' | 'claimed' | 'closed' = 'parked';
    let started: Query | undefined;
    let resolveClaimed!: (value: { cwd: string; sessionId: string; parkedMs?: number; sdkMcpSettled: boolean }) => void;
    let rejectClaimed!: (reason: Error) => void;
    const claimed = new Promise<{ cwd: string; sessionId: string; parkedMs?: number; sdkMcpSettled: boolean }>((resolve, reject) => {
      resolveClaimed = resolve;
      rejectClaimed = reject;
    });
    claimed.catch(() => undefined);
    let resolveExited!: () => void;
    const exited = new Promise<void>((resolve) => {
      resolveExited = resolve;
    });
    const close = (): void => {
      if (state === 'closed') return;
      if (state === 'parked') rejectClaimed(new SdkError('the spare was closed before it was claimed'));
      state = 'closed';
      started?.close();
      resolveExited();
    };
    return {
      claimed,
      exited,
      close,
      async [Symbol.asyncDispose]() {
        close();
        await started?.return();
      },
      claim({ prompt, options: claim }) {
        if (state !== 'parked') throw new SdkError(`SpareProcess.claim(): the spare was already ${state}`);
        if (claim.settings !== undefined && Object.keys(claim.settings).length > 0) {
          throw new UnsupportedFeatureError('ClaimOptions.settings is not supported by @sdk/core (no settings overlay)', 'settings');
        }
        if (typeof claim.cwd !== 'string' || claim.cwd === '') throw new InvalidArgumentError('ClaimOptions.cwd is required', 'cwd');
        state = 'claimed';
        started = query({ prompt, options: mergeClaim(base, claim) });
        return observeStart(started, (sessionId) => resolveClaimed({ cwd: claim.cwd, sessionId, parkedMs: Date.now() - parkedAt, sdkMcpSettled: true }), rejectClaimed);
      },
    };
  };
}

function mergeClaim(base: Options, claim: ClaimOptions): Options {
  const options: Options = { ...base, cwd: claim.cwd };
  if (claim.env !== undefined) options.env = { ...base.env, ...claim.env };
  if (claim.additionalDirectories !== undefined) options.additionalDirectories = claim.additionalDirectories;
  if (claim.model !== undefined) options.model = claim.model;
  if (claim.permissionMode !== undefined) options.permissionMode = claim.permissionMode;
  if (claim.maxThinkingTokens !== undefined && claim.maxThinkingTokens !== null) options.maxThinkingTokens = claim.maxThinkingTokens;
  if (claim.agents !== undefined) options.agents = { ...base.agents, ...claim.agents };
  if (claim.appendSystemPrompt !== undefined) {
    const current = base.systemPrompt;
    options.systemPrompt =
      typeof current === 'object' && current !== null && !Array.isArray(current) && current.type === 'preset'
        ? { ...current, append: [current.append, claim.appendSystemPrompt].filter(Boolean).join('\n\n') }
        : { type: 'preset', preset: 'claude_code', append: claim.appendSystemPrompt };
  }
  return options;
}

/** The query, with `claimed` settled by its first message (or its failure). */
function observeStart(query: Query, started: (sessionId: string) => void, failed: (reason: Error) => void): Query {
  let settled = false;
  const proxy: Query = new Proxy(query, {
    get(target, property) {
      if (property === 'next') {
        return async (...args: [] | [unknown]) => {
          try {
            const result = await target.next(...args);
            if (!settled && result.done !== true) {
              settled = true;
              started(result.value.session_id ?? '');
            }
            return result;
          } catch (error) {
            if (!settled) {
              settled = true;
              failed(error instanceof Error ? error : new SdkError(String(error)));
            }
            throw error;
          }
        };
      }
      if (property === Symbol.asyncIterator) return () => proxy;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return proxy;
}
