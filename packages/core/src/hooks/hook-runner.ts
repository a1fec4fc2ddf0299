import { randomUUID } from 'node:crypto';
import { AbortError, InvalidArgumentError } from '../errors.js';
import type { HookCallback, HookCallbackMatcher, HookEvent, HookInput, HookJSONOutput } from '../query/options.js';
import { compileHookMatcher, type HookMatchTest, matchValueOf } from './hook-matcher.js';
import { type HookCallbackResult, type HookOutcome, foldHookResults } from './hook-outcome.js';

/** Options of a {@link HookRunner}. */
export type HookRunnerOptions = {
  /** Timeout of a hook whose matcher sets none; default 60 000 ms (official 60 s). */
  defaultTimeoutMs?: number;
};

/** Options of one {@link HookRunner.run}. */
export type HookRunOptions = {
  /** What matchers are tested against; default: read from the input (see `matchValueOf`). */
  matchValue?: string;
  /** Passed to each callback as its second argument (tool events). */
  toolUseId?: string;
  /** Aborts the run: callbacks see their signal abort and `run` rejects with `AbortError`. */
  signal: AbortSignal;
};

type CompiledMatcher = { test: HookMatchTest; hooks: readonly HookCallback[]; timeoutMs: number; onFailure: 'continue' | 'block' };

const DEFAULT_TIMEOUT_MS = 60_000;
// Sentinels no hook answer can equal.
const ABORTED: unique symbol = Symbol('aborted');
const TIMED_OUT: unique symbol = Symbol('timed out');

/**
 * Runs the hook callbacks of the official `hooks` option. Callbacks run in-process, so the exit
 * code and stdout rules of command hooks do not apply: a callback answers with its returned object.
 * See docs/hooks.md.
 */
export class HookRunner {
  private readonly matchers: ReadonlyMap<HookEvent, readonly CompiledMatcher[]>;

  /** @throws InvalidArgumentError when a matcher is not a valid pattern, a timeout is not positive, or a hook is not a function. */
  constructor(hooks: Partial<Record<HookEvent, HookCallbackMatcher[]>> | undefined, options: HookRunnerOptions = {}) {
    const defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(defaultTimeoutMs > 0)) throw new InvalidArgumentError('defaultTimeoutMs must be a positive number of milliseconds', 'defaultTimeoutMs');
    const matchers = new Map<HookEvent, CompiledMatcher[]>();
    for (const [event, entries] of Object.entries(hooks ?? {}) as Array<[HookEvent, HookCallbackMatcher[] | undefined]>) {
      const compiled = (entries ?? []).map((entry, index) => compileEntry(event, index, entry, defaultTimeoutMs));
      if (compiled.some((entry) => entry.hooks.length > 0)) matchers.set(event, compiled);
    }
    this.matchers = matchers;
  }

  /** Is at least one callback registered for `event`? (Lets the executor skip building inputs.) */
  has(event: HookEvent): boolean {
    return this.matchers.has(event);
  }

  /**
   * Runs the callbacks of `event` whose matcher selects the match value, all at once (as the
   * official runtime does), each cut at its matcher's timeout, and folds their answers. A callback
   * that throws, times out or answers with something that is not an object counts as failed: its
   * matcher's `onFailure` decides (`continue`: reported in `errors`; `block`: blocks the guarded
   * action). An `{ async: true }` answer is not waited for and decides nothing.
   *
   * @throws AbortError when `options.signal` aborts before the hooks are done.
   */
  async run(event: HookEvent, input: HookInput, options: HookRunOptions): Promise<HookOutcome> {
    if (options.signal.aborted) throw new AbortError(`Hooks of ${event} were aborted`);
    const matchValue = options.matchValue ?? matchValueOf(input);
    const selected = (this.matchers.get(event) ?? []).filter((entry) => entry.test(matchValue));
    const events: Array<Record<string, unknown>> = [];
    const hookName = matchValue === undefined ? event : `${event}:${matchValue}`;
    const runs = selected.flatMap((entry) =>
      entry.hooks.map((hook) => {
        const hookId = randomUUID();
        events.push({ type: 'system', subtype: 'hook_started', hook_id: hookId, hook_name: hookName, hook_event: event, uuid: randomUUID(), session_id: input.session_id });
        return runOne(hook, input, options, entry).then((result) => {
          events.push(responseEvent(result, { hookId, hookName, event, sessionId: input.session_id }));
          return result;
        });
      }),
    );
    const results = await Promise.all(runs);
    if (options.signal.aborted) throw new AbortError(`Hooks of ${event} were aborted`);
    return foldHookResults(event, results, events);
  }
}

function compileEntry(event: HookEvent, index: number, entry: HookCallbackMatcher, defaultTimeoutMs: number): CompiledMatcher {
  const where = `hooks.${event}[${index}]`;
  if (!Array.isArray(entry.hooks) || entry.hooks.some((hook) => typeof hook !== 'function')) {
    throw new InvalidArgumentError(`${where}.hooks must be an array of functions`, 'hooks');
  }
  if (entry.timeout !== undefined && !(entry.timeout > 0 && Number.isFinite(entry.timeout))) {
    throw new InvalidArgumentError(`${where}.timeout must be a positive number of seconds`, 'hooks');
  }
  return {
    test: compileHookMatcher(entry.matcher),
    hooks: [...entry.hooks],
    timeoutMs: entry.timeout === undefined ? defaultTimeoutMs : entry.timeout * 1000,
    onFailure: entry.onFailure === 'block' ? 'block' : 'continue',
  };
}

async function runOne(hook: HookCallback, input: HookInput, options: HookRunOptions, entry: CompiledMatcher): Promise<HookCallbackResult> {
  const controller = new AbortController();
  const timeoutSeconds = entry.timeoutMs / 1000;
  const finished: Promise<HookJSONOutput> = Promise.resolve().then(() => hook(input, options.toolUseId, { signal: controller.signal }));
  // A hook cut at its timeout may still reject later; nobody waits for it then.
  finished.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<typeof ABORTED | typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => {
      resolve(TIMED_OUT);
      controller.abort(new Error(`Hook timed out after ${timeoutSeconds} s`));
    }, entry.timeoutMs);
    onAbort = (): void => {
      resolve(ABORTED);
      controller.abort(options.signal.reason);
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const raced = await Promise.race([finished, stopped]);
    if (raced === ABORTED) return { status: 'cancelled' };
    if (raced === TIMED_OUT) return { status: 'error', message: `${input.hook_event_name} hook timed out after ${timeoutSeconds} s`, onFailure: entry.onFailure };
    const output = raced as unknown;
    if (output === undefined) return { status: 'success', output: {} };
    if (typeof output !== 'object' || output === null || Array.isArray(output)) {
      return { status: 'error', message: `${input.hook_event_name} hook returned ${JSON.stringify(output)}, not an object`, onFailure: entry.onFailure };
    }
    const specific = (output as { hookSpecificOutput?: { hookEventName?: unknown } }).hookSpecificOutput;
    if (specific !== undefined && specific.hookEventName !== input.hook_event_name) {
      return {
        status: 'error',
        message: `${input.hook_event_name} hook returned hookSpecificOutput for ${String(specific.hookEventName)}`,
        onFailure: entry.onFailure,
      };
    }
    return { status: 'success', output: output as HookJSONOutput };
  } catch (error) {
    if (options.signal.aborted) return { status: 'cancelled' };
    const detail = error instanceof Error ? error.message : String(error);
    return { status: 'error', message: `${input.hook_event_name} hook failed: ${detail}`, onFailure: entry.onFailure };
  } finally {
    // The turn signal lives on after the hook: release the timer and the listener.
    clearTimeout(timer);
    if (onAbort !== undefined) options.signal.removeEventListener('abort', onAbort);
  }
}

function responseEvent(
  result: HookCallbackResult,
  context: { hookId: string; hookName: string; event: HookEvent; sessionId: string },
): Record<string, unknown> {
  const outcome = result.status === 'success' ? 'success' : result.status === 'error' ? 'error' : 'cancelled';
  return {
    type: 'system',
    subtype: 'hook_response',
    hook_id: context.hookId,
    hook_name: context.hookName,
    hook_event: context.event,
    output: result.status === 'success' ? JSON.stringify(result.output) : '',
    stdout: '',
    stderr: result.status === 'error' ? result.message : '',
    ...(result.status === 'cancelled' ? {} : { exit_code: result.status === 'success' ? 0 : 1 }),
    outcome,
    uuid: randomUUID(),
    session_id: context.sessionId,
  };
}
