import { randomUUID, type UUID } from 'node:crypto';
import Anthropic, { type ClientOptions } from '@anthropic-ai/sdk';
import type { Span } from '@opentelemetry/api';
import type { ToolResultBlockParam } from '@anthropic-ai/sdk/resources';
import type {
  BetaContentBlock,
  BetaContentBlockParam,
  BetaMessage,
  BetaMessageParam,
  BetaToolUseBlock,
} from '@anthropic-ai/sdk/resources/beta/messages/messages';
import { InvalidArgumentError, SessionConflictError, SessionNotFoundError } from '../errors.js';
import type {
  SDKAPIRetryMessage,
  SDKAssistantMessage,
  SDKCompactBoundaryMessage,
  SDKMessage,
  SDKPermissionDenial,
  SDKResultError,
  SDKResultSuccess,
  SDKSystemMessage,
  SDKUserMessage,
  TerminalReason,
} from '../messages.js';
import { sharedNodeFetch } from '../http/node-fetch.js';
import { assertValidSessionRef, isUuid } from '../store/keys.js';
import { supportsLeaseWait, type SessionRef, type SessionStore, type SessionStoreEntry } from '../store/session-store.js';
import { composeToolRunners } from '../tools/compose-tool-runners.js';
import { createToolRunner, type ToolOutcome, type ToolRunner } from '../tools/tool-runner.js';
import { toRequestBlock } from '../transcript/content.js';
import {
  assistantEntries,
  CONTINUE_DEFERRED_MESSAGE,
  deferredToolEntry,
  INTERRUPTED_TOOL_MESSAGE,
  interruptionEntry,
  lastPromptEntry,
  metaPromptEntry,
  noResponseEntry,
  promptEntry,
  promptText,
  TOOL_CALL_INTERRUPTED_MESSAGE,
  toolResultEntry,
  type EntryContext,
} from '../transcript/entries.js';
import { compactBoundaryEntry, compactCommandEntries, compactSummaryEntry, compactSummaryText, type PreservedSegment } from '../transcript/compaction-entries.js';
import { rebuildConversation, type DeferredToolCall } from '../transcript/rebuild.js';
import { SDK_VERSION } from '../version.js';
import { receiveMessage, startCall, streamMessage, type CallParams, type CompletedCall, type StartedCall } from './model-call.js';
import {
  compactCommandArguments,
  DEFAULT_SUMMARY_MAX_TOKENS,
  extractSummary,
  needsAutoCompaction,
  summaryRequestText,
  validateCompactionSettings,
} from './compaction.js';
import { classifyApiFailure, DEFAULT_RETRY_POLICY, retryDelay, sleep, type RetryPolicy } from './retry.js';
import {
  DEFAULT_MAX_STRUCTURED_OUTPUT_RETRIES,
  STRUCTURED_OUTPUT_ENFORCE_PROMPT,
  STRUCTURED_OUTPUT_TOOL_NAME,
  compileOutputFormat,
  type CompiledOutputFormat,
} from './structured-output.js';
import type { AfterToolDecision, ToolCallDecision } from './turn-hooks.js';
import { endSpan, SPAN_NAMES, startSpan, traced, withSpan } from './tracing.js';
import type { TurnRequest } from './turn-request.js';
import { TurnUsage } from './turn-usage.js';
import { TurnWriter } from './turn-writer.js';

/** Where the executor reports what it cannot return: failed lease releases, conflict retries. */
export type ExecutorLogger = {
  /** Routine events worth a trace (a busy session, before its turn is retried). */
  debug?(message: string, details?: Record<string, unknown>): void;
  /** Problems the turn survived and cannot report in its messages. */
  warn?(message: string, details?: Record<string, unknown>): void;
};

/** The injected dependencies of an {@link AgentExecutor}; nothing else. */
export type AgentExecutorDependencies = {
  store: SessionStore;
  /** A ready client. The executor calls it with `maxRetries: 0` and retries by itself. */
  client?: Anthropic;
  /**
   * Options for the one client the executor creates when `client` is not given. Without a `fetch`
   * of their own, it talks to the API over `node:http` keep-alive connections shared by the
   * process (not the global `fetch`, whose WebAssembly HTTP parser holds tens of MiB while V8
   * recompiles it); a program that installed its own `fetch` dispatcher (a proxy) keeps it.
   */
  clientOptions?: ClientOptions;
  /** Epoch milliseconds. Default `Date.now`. */
  clock?: () => number;
  /** UUID v4 generator for entries and messages. Default `crypto.randomUUID`. */
  generateId?: () => string;
  logger?: ExecutorLogger;
};

const DEFAULT_MAX_TOKENS = 8192;
// Renewed every third of it during a turn; after a crash the session waits at most this long.
const DEFAULT_LEASE_TTL_MS = 30_000;
const DEFAULT_MAX_CONFLICT_RETRIES = 50;
/** One wait for a busy session's lease with a store that wakes waiters on release. */
const LEASE_WAIT_MS = 1000;
/** No hook messages (most calls): one shared empty list. */
const NO_MESSAGES: readonly SDKMessage[] = Object.freeze([]);

/** Everything one turn works on. Created per `runTurn` call, never stored on the executor. */
type Turn = {
  request: TurnRequest;
  key: SessionRef;
  writer: TurnWriter;
  messages: BetaMessageParam[];
  /** The entry the next chain entry hangs off (the prompt's, at least). */
  leafUuid: string;
  /** The `last-prompt` line went out with the final assistant message. */
  lastPromptWritten: boolean;
  cwd: string;
  retry: RetryPolicy;
  usage: TurnUsage;
  startedAt: number;
  apiMilliseconds: number;
  apiCalls: number;
  lastMessage: BetaMessage | undefined;
  /** Every tool the model may call this turn: the request's and the executor's own. */
  tools: ToolRunner;
  /** What `outputFormat` asks for, while not yet given; then the accepted output. */
  structured: { state: 'none' } | { state: 'wanted'; retries: number } | { state: 'given'; output: Record<string, unknown> };
  /** A tool result ended the turn (`toolEndsTurn`): the CLI counts that as one more turn. */
  endedByTool: boolean;
  /** Tool calls refused by permissions or hooks, for the result's `permission_denials`. */
  denials: SDKPermissionDenial[];
  /** A call an earlier turn deferred, to decide again before the prompt. */
  deferred: DeferredToolCall | undefined;
  /** A Stop hook already sent the model back once in this turn. */
  stopHookActive: boolean;
  /** Text a UserPromptSubmit hook added to the prompt. */
  promptContext: string[];
  /** A compaction to run before the prompt (auto), or instead of a model turn (`/compact`). */
  pendingCompaction: PendingCompaction | undefined;
  /** The turn's trace span (a no-op unless the application registered OpenTelemetry). */
  span: Span | undefined;
  /**
   * The prompt's entries and the messages to report, kept for the moment the turn's first request
   * is on its way (see `whileFirstCall`); `undefined` once done, or when they were done before.
   */
  whileFirstCall: { entries: SessionStoreEntry[]; messages: SDKMessage[] } | undefined;
  /**
   * True while a deferred call's own turn runs and the prompt's turn follows on the same lease:
   * its result must not give the lease back. Every other result does, before it is yielded.
   */
  leaseOutlivesResult: boolean;
};

type PendingCompaction = { trigger: 'manual' | 'auto'; instructions: string; preTokens: number; preserved: PreservedSegment | undefined };

/** How a round of tool calls ended, when it ends the turn. */
type ToolRoundEnding = Ending & { deferred?: { toolUse: BetaToolUseBlock } };

type Ending =
  | { subtype: 'success'; terminalReason: TerminalReason; stopReason?: string; result?: string }
  | { subtype: SDKResultError['subtype']; terminalReason: TerminalReason; errors: string[] };

/**
 * Runs agent turns statelessly: each `runTurn` loads the session from the store, calls Claude,
 * runs tools, appends every step, and returns. The instance holds only its injected
 * dependencies, so one executor serves any number of sessions concurrently, and consecutive turns
 * of a session may run on different executors or processes.
 */
export class AgentExecutor {
  /** Where sessions are loaded from and appended to. */
  readonly store: SessionStore;
  /** The Messages API client (from `client` or `clientOptions`). */
  readonly client: Anthropic;
  /** The clock of timestamps and durations, in epoch ms. */
  readonly clock: () => number;
  /** Generates the uuids of entries, prompts and lease holders. */
  readonly generateId: () => string;
  /** Where the executor reports what it cannot return; `undefined`: nowhere. */
  readonly logger: ExecutorLogger | undefined;

  constructor(dependencies: AgentExecutorDependencies) {
    this.store = dependencies.store;
    this.client = dependencies.client ?? new Anthropic({ fetch: sharedNodeFetch(), ...dependencies.clientOptions, maxRetries: 0 });
    this.clock = dependencies.clock ?? Date.now;
    this.generateId = dependencies.generateId ?? randomUUID;
    this.logger = dependencies.logger;
  }

  /**
   * Runs one user turn and yields its messages, shaped like the official SDK's: `system/init`,
   * `stream_event`s (with `includePartialMessages`), `system/api_retry`s, one `assistant` per
   * content block, a `user` per tool result, and a final `result`.
   *
   * Rejects (before yielding anything) with `InvalidSessionKeyError` / `InvalidArgumentError`
   * on bad input, `SessionConflictError` when another worker runs a turn of the session, and
   * `SessionNotFoundError` when `resumeAt` names no entry. API failures end the turn with an error
   * `result` instead; store failures mid-turn reject.
   */
  async *runTurn(request: TurnRequest): AsyncGenerator<SDKMessage, void, undefined> {
    assertValidSessionRef(request.session);
    validateRequest(request);
    const span = startSpan(SPAN_NAMES.turn, {
      'sdk.session_id': request.session.sessionId,
      'sdk.project_key': request.session.projectKey,
      'gen_ai.system': 'anthropic',
      'gen_ai.request.model': request.model,
      ...(request.subagent === undefined ? {} : { 'sdk.agent_id': request.subagent.agentId }),
    });
    let failure: unknown;
    try {
      // One generator for the whole turn: every message passes through each generator it is
      // delegated from, so each level costs every message a promise hop.
      const outputFormat = request.outputFormat === undefined ? undefined : compileOutputFormat(request.outputFormat);
      const hooks = request.hooks;
      // UserPromptSubmit runs before anything is stored: a blocked prompt leaves no trace.
      let promptContext: string[] = [];
      if (request.prompt !== undefined && hooks?.promptSubmitted !== undefined) {
        const decision = await hooks.promptSubmitted({ prompt: request.prompt, signal: request.signal ?? new AbortController().signal });
        const refusal = decision.block ?? decision.stop;
        if (refusal !== undefined) {
          yield* this.refusePrompt(request, refusal, decision.block !== undefined, span);
          return;
        }
        promptContext = decision.additionalContext ?? [];
      }
      const turn = await this.startTurn(request, outputFormat, promptContext, span);
      try {
        for (const message of this.hookMessages(turn)) yield message;
        if (turn.deferred !== undefined) {
          turn.leaseOutlivesResult = request.prompt !== undefined;
          const stillDeferred = yield* this.resumeDeferred(turn, turn.deferred);
          // A call deferred again keeps the session waiting: the prompt cannot follow an open call.
          if (request.prompt === undefined || stillDeferred) return;
          await this.startPromptAfterDeferred(turn);
        }
        const compaction = turn.pendingCompaction;
        if (compaction !== undefined) {
          if (request.subagent === undefined) yield this.initMessage(turn);
          const compacted = yield* this.compact(turn, compaction);
          if (!compacted || compaction.trigger === 'manual') return;
          await this.appendPrompt(turn);
          yield* this.modelLoop(turn);
          return;
        }
        if (request.subagent === undefined) {
          const init = this.initMessage(turn);
          if (turn.whileFirstCall === undefined) yield init;
          else turn.whileFirstCall.messages.push(init);
        }
        yield* this.modelLoop(turn);
      } finally {
        await turn.writer.release();
      }
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      endSpan(span, failure);
    }
  }

  /** A UserPromptSubmit hook refused the prompt: report it as the turn's outcome; nothing is stored. */
  private async *refusePrompt(request: TurnRequest, reason: string, blocked: boolean, span: Span): AsyncGenerator<SDKMessage, void, undefined> {
    const key: SessionRef = { projectKey: request.session.projectKey, sessionId: request.session.sessionId };
    const turn = this.emptyTurn(request, key, request.cwd ?? process.cwd());
    turn.span = span;
    if (request.subagent === undefined) yield this.initMessage(turn);
    for (const message of this.hookMessages(turn)) yield message;
    turn.lastPromptWritten = true;
    yield* this.finish(
      turn,
      blocked
        ? { subtype: 'error_during_execution', terminalReason: 'hook_stopped', errors: [`UserPromptSubmit hook blocked the prompt: ${reason}`] }
        : { subtype: 'success', terminalReason: 'hook_stopped', result: reason },
    );
  }

  /** Takes the session, loads and repairs its history, and stores the prompt. */
  private async startTurn(request: TurnRequest, outputFormat: CompiledOutputFormat | undefined, promptContext: string[], span: Span): Promise<Turn> {
    const maxAttempts = request.onConflict === 'retry' ? (request.maxConflictRetries ?? DEFAULT_MAX_CONFLICT_RETRIES) + 1 : 1;
    const retry = { ...DEFAULT_RETRY_POLICY, ...request.retry };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.prepareTurn(request, retry, outputFormat, promptContext, span);
      } catch (error) {
        if (!(error instanceof SessionConflictError) || attempt >= maxAttempts) throw error;
        // Wait for the other worker's turn; short first waits, as turns often end quickly.
        const delay = Math.min(1000, 25 * 2 ** Math.min(attempt - 1, 6)) * (0.5 + retry.random() / 2);
        this.logger?.debug?.('session busy, retrying the turn', { sessionId: request.session.sessionId, attempt, delay });
        if (request.subagent === undefined && supportsLeaseWait(this.store)) {
          // A store that wakes waiters when the lease is released ends the wait as the other turn
          // ends: no polling, so the wait may be long (it only bounds a lease that expires unreleased).
          const session: SessionRef = { projectKey: request.session.projectKey, sessionId: request.session.sessionId };
          await this.store.waitForLeaseRelease(session, { timeoutMs: LEASE_WAIT_MS, ...(request.signal === undefined ? {} : { signal: request.signal }) });
        } else {
          await sleep(delay, request.signal);
        }
      }
    }
  }

  private async prepareTurn(
    request: TurnRequest,
    retry: RetryPolicy,
    outputFormat: CompiledOutputFormat | undefined,
    promptContext: string[],
    span: Span,
  ): Promise<Turn> {
    const key: SessionRef = { projectKey: request.session.projectKey, sessionId: request.session.sessionId };
    const cwd = request.cwd ?? process.cwd();
    const storeKey = request.subagent === undefined ? key : { ...key, subpath: subagentSubpath(request.subagent.agentId) };
    const { writer, entries } = await TurnWriter.open(this.store, storeKey, {
      persist: request.persist !== false,
      // A subagent writes inside its parent's turn, which holds the session's lease.
      lease: request.subagent === undefined,
      windowed: request.resumeAt === undefined,
      traceParent: span,
      holder: `executor-${this.generateId()}`,
      leaseTtlMs: request.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS,
      clock: this.clock,
    });
    try {
      const rebuildOptions = request.resumeAt === undefined ? {} : { resumeAt: request.resumeAt };
      let rebuilt = rebuildConversation(entries, rebuildOptions);
      if (request.resumeAt !== undefined && !entries.some((entry) => entry.uuid === request.resumeAt)) {
        throw new SessionNotFoundError(`resumeAt: entry ${request.resumeAt} is not in session ${key.sessionId}`);
      }
      const deferred = request.resumeAt === undefined ? rebuilt.deferredToolUse : undefined;
      if (deferred === undefined && request.prompt === undefined) {
        throw new InvalidArgumentError('prompt: required (only a session whose last tool call was deferred continues without one)', 'prompt');
      }
      const turn = this.emptyTurn(request, key, cwd, writer, retry);
      turn.span = span;
      turn.promptContext = promptContext;
      if (outputFormat !== undefined) {
        const accept = (output: Record<string, unknown>): void => {
          turn.structured = { state: 'given', output };
        };
        turn.structured = { state: 'wanted', retries: 0 };
        turn.tools = composeToolRunners([request.tools, createToolRunner([outputFormat.tool(accept)])]);
      }
      if (deferred !== undefined) {
        // The deferred call is decided again first; the prompt (if any) is stored after it.
        turn.deferred = deferred;
        turn.messages = rebuilt.messages;
        turn.leafUuid = deferred.markerUuid;
        return turn;
      }
      const contextTokens = rebuilt.contextTokens;
      const written: SessionStoreEntry[] = [];
      // Repair like the CLI (transcript-format.md §5 rule 7): answer dangling tool calls, then
      // close a history that ends in a user message, so the new prompt starts a valid exchange.
      let leafUuid = rebuilt.leafUuid;
      for (const toolUse of rebuilt.unansweredToolUses) {
        const entry = toolResultEntry(this.contextOf(turn), {
          uuid: this.generateId(),
          toolUseEntryUuid: toolUse.entryUuid,
          toolUseId: toolUse.toolUseId,
          content: TOOL_CALL_INTERRUPTED_MESSAGE,
          isError: true,
          structured: TOOL_CALL_INTERRUPTED_MESSAGE,
        });
        written.push(entry);
        leafUuid = entry.uuid!;
      }
      // A `/compact` record ends in user entries the CLI sends together with the next prompt: no repair.
      if (written.length > 0 || (rebuilt.lastRole === 'user' && !endsWithLocalCommand(entries, leafUuid))) {
        const entry = noResponseEntry(this.contextOf(turn), { uuid: this.generateId(), parentUuid: leafUuid, messageId: this.generateId() });
        written.push(entry);
        leafUuid = entry.uuid!;
        rebuilt = rebuildConversation([...entries, ...written], { resumeAt: leafUuid });
      }
      const manual = compactCommandArguments(request.prompt);
      if (manual !== undefined || (request.resumeAt === undefined && needsAutoCompaction(contextTokens, request.compaction))) {
        // The summary call comes first; the prompt (auto) is stored after the boundary.
        await writer.append(written);
        turn.messages = rebuilt.messages;
        turn.leafUuid = leafUuid ?? '';
        turn.pendingCompaction = { trigger: manual === undefined ? 'auto' : 'manual', instructions: manual ?? '', preTokens: contextTokens, preserved: rebuilt.lastAssistant };
        return turn;
      }
      const prompt = this.promptEntryOf(turn, leafUuid);
      written.push(prompt);
      // Under the session's lease no other writer can come between: the prompt is stored while
      // the request is on its way. Without one, a conflict must show before the API is called.
      if (writer.holdsLease) turn.whileFirstCall = { entries: written, messages: [] };
      else await writer.append(written);
      turn.messages = rebuilt.messages;
      pushUserContent(turn.messages, (prompt.message as { content: BetaContentBlockParam[] }).content);
      turn.leafUuid = prompt.uuid!;
      return turn;
    } catch (error) {
      await writer.release();
      throw error;
    }
  }

  /** A turn with nothing done yet. `writer` is absent only for a refused prompt (nothing is written). */
  private emptyTurn(request: TurnRequest, key: SessionRef, cwd: string, writer?: TurnWriter, retry?: RetryPolicy): Turn {
    return {
      request,
      key,
      writer: writer ?? TurnWriter.readOnly(),
      messages: [],
      leafUuid: '',
      cwd,
      retry: retry ?? { ...DEFAULT_RETRY_POLICY, ...request.retry },
      usage: new TurnUsage(request.prices ?? {}, request.maxTokens ?? DEFAULT_MAX_TOKENS),
      startedAt: this.clock(),
      apiMilliseconds: 0,
      apiCalls: 0,
      lastMessage: undefined,
      lastPromptWritten: false,
      tools: request.tools ?? createToolRunner([]),
      structured: { state: 'none' },
      endedByTool: false,
      denials: [],
      deferred: undefined,
      stopHookActive: false,
      promptContext: [],
      pendingCompaction: undefined,
      span: undefined,
      whileFirstCall: undefined,
      leaseOutlivesResult: false,
    };
  }

  /** The prompt's entry; text a UserPromptSubmit hook added follows the prompt as system reminders. */
  private promptEntryOf(turn: Turn, parentUuid: string | null): SessionStoreEntry {
    const prompt = turn.request.prompt!;
    const context = turn.promptContext.map((text) => ({ type: 'text' as const, text: `<system-reminder>\n${text}\n</system-reminder>` }));
    const content = context.length === 0 ? prompt : [...(typeof prompt === 'string' ? [{ type: 'text' as const, text: prompt }] : prompt), ...context];
    return promptEntry(this.contextOf(turn), {
      uuid: turn.request.promptUuid ?? this.generateId(),
      parentUuid,
      content,
      promptId: this.generateId(),
    });
  }

  /** After a deferred call's turn: a fresh turn for the prompt, on the same lease. */
  private async startPromptAfterDeferred(turn: Turn): Promise<void> {
    const fresh = this.emptyTurn(turn.request, turn.key, turn.cwd, turn.writer, turn.retry);
    // Counters, usage and timing start over: the prompt's turn has its own result.
    Object.assign(turn, {
      ...fresh,
      messages: turn.messages,
      promptContext: turn.promptContext,
      tools: turn.tools,
      structured: turn.structured.state === 'none' ? turn.structured : { state: 'wanted', retries: 0 },
      leafUuid: turn.leafUuid,
      pendingCompaction: turn.pendingCompaction,
      span: turn.span,
    });
    if (turn.pendingCompaction === undefined) await this.appendPrompt(turn);
  }

  /** Stores the prompt after what the turn already wrote, and adds it to the history. */
  private async appendPrompt(turn: Turn): Promise<void> {
    const prompt = this.promptEntryOf(turn, turn.leafUuid === '' ? null : turn.leafUuid);
    await turn.writer.append([prompt]);
    pushUserContent(turn.messages, (prompt.message as { content: BetaContentBlockParam[] }).content);
    turn.leafUuid = prompt.uuid!;
  }

  /**
   * Summarizes the history with one API call and records the compaction as the CLI does: a
   * boundary, the summary, the last assistant message kept verbatim (and, for `/compact`, the
   * command's entries). Afterwards the history is `summary · kept message`. A manual compaction
   * ends the turn here (result text empty, no model turn, as officially). Returns false when the
   * turn ended with an error instead.
   */
  private async *compact(turn: Turn, pending: PendingCompaction): AsyncGenerator<SDKMessage, boolean, undefined> {
    const { request } = turn;
    turn.pendingCompaction = undefined;
    const sessionId = turn.key.sessionId;
    yield { type: 'system', subtype: 'status', status: 'compacting', uuid: this.uuid(), session_id: sessionId };
    const failed = async function* (this: AgentExecutor, message: string, ending?: Ending): AsyncGenerator<SDKMessage, boolean, undefined> {
      yield { type: 'system', subtype: 'status', status: null, compact_result: 'failed', compact_error: message, uuid: this.uuid(), session_id: sessionId };
      yield* this.finish(turn, ending ?? { subtype: 'error_during_execution', terminalReason: 'api_error', errors: [message] });
      return false;
    }.bind(this);
    if (turn.messages.length === 0) return yield* failed('Not enough messages to compact.');
    await request.hooks?.compacting?.({ trigger: pending.trigger, customInstructions: pending.instructions, signal: request.signal ?? new AbortController().signal });
    for (const message of this.hookMessages(turn)) yield message;
    const started = this.clock();
    const params: CallParams = {
      model: request.model,
      max_tokens: request.compaction?.summaryMaxTokens ?? DEFAULT_SUMMARY_MAX_TOKENS,
      messages: [...turn.messages, { role: 'user', content: summaryRequestText(pending.instructions) }],
    };
    if (request.systemPrompt !== undefined) params.system = request.systemPrompt;
    const call = yield* this.callModel(turn, params);
    if ('ending' in call) return yield* failed(call.ending.subtype === 'success' ? 'compaction failed' : call.ending.errors.join('; '), call.ending);
    turn.usage.add(call.message.model, call.message.usage);
    const summary = extractSummary(textOf(call.message.content));
    if (summary === '') return yield* failed('Compaction failed: the model returned an empty summary.');

    const context = this.contextOf(turn);
    const boundaryUuid = this.generateId();
    const summaryUuid = this.generateId();
    const preserved = turn.messages.at(-1)?.role === 'assistant' ? pending.preserved : undefined;
    const record = { trigger: pending.trigger, preTokens: pending.preTokens, postTokens: call.message.usage.output_tokens, durationMs: this.clock() - started };
    const promptId = this.generateId();
    const entries = [
      compactBoundaryEntry(context, { uuid: boundaryUuid, logicalParentUuid: turn.leafUuid === '' ? null : turn.leafUuid, summaryUuid, record, preserved }),
      compactSummaryEntry(context, { uuid: summaryUuid, boundaryUuid, summary, promptId }),
    ];
    if (pending.trigger === 'manual') {
      entries.push(...compactCommandEntries(context, { uuids: [this.generateId(), this.generateId(), this.generateId()], parentUuid: summaryUuid, args: pending.instructions, promptId }));
    }
    await turn.writer.append(entries);
    turn.leafUuid = entries.at(-1)!.uuid!;
    const kept = preserved === undefined ? [] : [turn.messages.at(-1)!];
    turn.messages = [{ role: 'user', content: compactSummaryText(summary) }, ...kept];
    const boundary: SDKCompactBoundaryMessage = {
      type: 'system',
      subtype: 'compact_boundary',
      compact_metadata: { trigger: record.trigger, pre_tokens: record.preTokens, post_tokens: record.postTokens, duration_ms: record.durationMs },
      uuid: boundaryUuid as UUID,
      session_id: sessionId,
    };
    if (preserved !== undefined) {
      boundary.compact_metadata.preserved_segment = { head_uuid: preserved.headUuid as UUID, anchor_uuid: summaryUuid as UUID, tail_uuid: preserved.tailUuid as UUID };
      boundary.compact_metadata.preserved_messages = { anchor_uuid: summaryUuid as UUID, uuids: preserved.uuids as UUID[] };
    }
    yield { type: 'system', subtype: 'status', status: null, compact_result: 'success', uuid: this.uuid(), session_id: sessionId };
    yield boundary;
    if (pending.trigger === 'manual') {
      yield* this.finish(turn, { subtype: 'success', terminalReason: 'completed', result: '' });
    }
    return true;
  }

  /**
   * The session's last tool call was deferred: decide it again (the hooks see `resumingDeferred`),
   * run it if allowed, tell the model to continue, and run the model loop — the CLI's resume of
   * a deferred call. Yields a whole turn, result included.
   */
  private async *resumeDeferred(turn: Turn, deferred: DeferredToolCall): AsyncGenerator<SDKMessage, boolean, undefined> {
    const toolUse: BetaToolUseBlock = { type: 'tool_use', id: deferred.toolUseId, name: deferred.name, input: deferred.input };
    turn.deferred = undefined;
    if (turn.request.subagent === undefined) yield this.initMessage(turn);
    const ending = yield* this.runTools(turn, [toolUse], new Map([[toolUse.id, deferred.entryUuid]]), true);
    if (ending !== undefined) {
      yield* this.finish(turn, ending);
      return ending.deferred !== undefined;
    }
    const entry = metaPromptEntry(this.contextOf(turn), { uuid: this.generateId(), parentUuid: turn.leafUuid, text: CONTINUE_DEFERRED_MESSAGE });
    await turn.writer.append([entry]);
    turn.leafUuid = entry.uuid!;
    const results = turn.messages.at(-1);
    // A new array: history content may be shared with the store's read-only entries.
    if (results?.role === 'user' && Array.isArray(results.content)) results.content = [...results.content, { type: 'text', text: CONTINUE_DEFERRED_MESSAGE }];
    return yield* this.modelLoop(turn);
  }

  /** What hooks asked to show since the last call (`for … of` it: no generator, no hop when empty). */
  private hookMessages(turn: Turn): readonly SDKMessage[] {
    return turn.request.hooks?.drainMessages?.() ?? NO_MESSAGES;
  }

  /** Calls the model and runs its tools until the turn ends; yields the result last. True when it ended on a deferred call. */
  private async *modelLoop(turn: Turn): AsyncGenerator<SDKMessage, boolean, undefined> {
    const { request } = turn;
    for (;;) {
      const call = yield* this.callModel(turn);
      if ('ending' in call) {
        yield* this.finish(turn, call.ending);
        return false;
      }
      const toolUses = call.message.content.filter((block): block is BetaToolUseBlock => block.type === 'tool_use');
      const mustEnforceStructuredOutput = toolUses.length === 0 && turn.structured.state === 'wanted';
      const stopFeedback = toolUses.length === 0 && !mustEnforceStructuredOutput && request.hooks?.stopping !== undefined ? await this.stopHook(turn, call.message) : undefined;
      for (const message of this.hookMessages(turn)) yield message;
      yield* this.recordAssistant(turn, call, toolUses.length === 0 && !mustEnforceStructuredOutput && stopFeedback === undefined);
      if (stopFeedback !== undefined) {
        yield await this.sendBack(turn, stopFeedback);
        continue;
      }
      if (mustEnforceStructuredOutput) {
        if (this.structuredRetriesExhausted(turn)) {
          yield* this.finish(turn, this.structuredOutputFailure(turn));
          return false;
        }
        yield await this.enforceStructuredOutput(turn);
        continue;
      }
      if (toolUses.length === 0) {
        yield* this.finish(turn, { subtype: 'success', terminalReason: 'completed' });
        return false;
      }
      const entryUuids = new Map(call.message.content.flatMap((block, index) => (block.type === 'tool_use' ? [[block.id, call.entryUuids[index]!] as const] : [])));
      const ending = yield* this.runTools(turn, toolUses, entryUuids, false);
      if (ending !== undefined) {
        yield* this.finish(turn, ending);
        return ending.deferred !== undefined;
      }
      if (turn.endedByTool) {
        yield* this.finish(turn, { subtype: 'success', terminalReason: 'completed' });
        return false;
      }
      if (this.structuredRetriesExhausted(turn)) {
        yield* this.finish(turn, this.structuredOutputFailure(turn));
        return false;
      }
      if (request.maxTurns !== undefined && turn.apiCalls >= request.maxTurns) {
        yield* this.finish(turn, { subtype: 'error_max_turns', terminalReason: 'max_turns', errors: [`Reached maximum number of turns (${request.maxTurns})`] });
        return false;
      }
      if (request.maxBudgetUsd !== undefined && turn.usage.totalCostUsd >= request.maxBudgetUsd) {
        yield* this.finish(turn, {
          subtype: 'error_max_budget_usd',
          terminalReason: 'budget_exhausted',
          errors: [`Reached maximum budget ($${request.maxBudgetUsd})`],
        });
        return false;
      }
    }
  }

  /** Runs the Stop hook when the model ends its turn; its `continueWith` sends the model back to work. */
  private async stopHook(turn: Turn, message: BetaMessage): Promise<string | undefined> {
    const stopping = turn.request.hooks?.stopping;
    if (stopping === undefined) return undefined;
    const lastAssistantText = textOf(message.content);
    const decision = await stopping({ lastAssistantText, stopHookActive: turn.stopHookActive, signal: turn.request.signal ?? new AbortController().signal });
    if (decision.continueWith === undefined) return undefined;
    turn.stopHookActive = true;
    return decision.continueWith;
  }

  /** Sends the model back to work with a Stop hook's reason, as a meta user message. */
  private async sendBack(turn: Turn, reason: string): Promise<SDKUserMessage> {
    const text = `Stop hook feedback:\n${reason}`;
    const entry = metaPromptEntry(this.contextOf(turn), { uuid: this.generateId(), parentUuid: turn.leafUuid, text });
    await turn.writer.append([entry]);
    turn.leafUuid = entry.uuid!;
    turn.messages.push({ role: 'user', content: text });
    return {
      type: 'user',
      message: { role: 'user', content: text },
      parent_tool_use_id: turn.request.subagent?.parentToolUseId ?? null,
      isSynthetic: true,
      timestamp: entry.timestamp!,
      uuid: entry.uuid! as UUID,
      session_id: turn.key.sessionId,
    };
  }

  private structuredRetriesExhausted(turn: Turn): boolean {
    const limit = turn.request.maxStructuredOutputRetries ?? DEFAULT_MAX_STRUCTURED_OUTPUT_RETRIES;
    return turn.structured.state === 'wanted' && turn.structured.retries >= limit;
  }

  private structuredOutputFailure(turn: Turn): Ending {
    const limit = turn.request.maxStructuredOutputRetries ?? DEFAULT_MAX_STRUCTURED_OUTPUT_RETRIES;
    return {
      subtype: 'error_max_structured_output_retries',
      terminalReason: 'structured_output_retry_exhausted',
      errors: [`Failed to provide valid structured output after ${limit} attempts`],
    };
  }

  /** The model ended its turn without the required `StructuredOutput` call: ask again, as the CLI does. */
  private async enforceStructuredOutput(turn: Turn): Promise<SDKUserMessage> {
    if (turn.structured.state === 'wanted') turn.structured.retries += 1;
    const entry = metaPromptEntry(this.contextOf(turn), { uuid: this.generateId(), parentUuid: turn.leafUuid, text: STRUCTURED_OUTPUT_ENFORCE_PROMPT });
    await turn.writer.append([entry]);
    turn.leafUuid = entry.uuid!;
    turn.messages.push({ role: 'user', content: STRUCTURED_OUTPUT_ENFORCE_PROMPT });
    return {
      type: 'user',
      message: { role: 'user', content: STRUCTURED_OUTPUT_ENFORCE_PROMPT },
      parent_tool_use_id: turn.request.subagent?.parentToolUseId ?? null,
      isSynthetic: true,
      timestamp: entry.timestamp!,
      uuid: entry.uuid! as UUID,
      session_id: turn.key.sessionId,
    };
  }

  /** One API call with retries. A failed attempt leaves nothing in the store. */
  /**
   * One API call with retries: the turn's next model call, or (`summaryParams`) a compaction's
   * summary call, which is not a turn of its own (`num_turns`) and streams no events.
   */
  private async *callModel(turn: Turn, summaryParams?: CallParams): AsyncGenerator<SDKMessage, (CompletedCall & { entryUuids: string[] }) | { ending: Ending }, undefined> {
    const { request, retry } = turn;
    const sessionId = turn.key.sessionId;
    for (let attempt = 0; ; attempt++) {
      const started = this.clock();
      const params = summaryParams ?? this.callParams(turn);
      const apiSpan = startSpan(SPAN_NAMES.apiCall, { 'gen_ai.system': 'anthropic', 'gen_ai.request.model': params.model, 'sdk.attempt': attempt + 1, 'sdk.summary': summaryParams !== undefined }, turn.span);
      // Inside the API span, so the client's own spans (when a context manager is registered) nest under it.
      const inFlight = withSpan(apiSpan, () => startCall(this.client, params, request.signal));
      if (turn.whileFirstCall !== undefined) yield* this.whileFirstCall(turn, inFlight, apiSpan);
      // Events are handed through a generator only when the caller wants them as `stream_event`s.
      const stream = request.includePartialMessages === true && summaryParams === undefined ? streamMessage(inFlight) : undefined;
      try {
        let call: CompletedCall;
        if (stream === undefined) {
          call = await receiveMessage(inFlight);
        } else {
          let next = await stream.next();
          while (next.done !== true) {
            yield { type: 'stream_event', event: next.value, parent_tool_use_id: turn.request.subagent?.parentToolUseId ?? null, uuid: this.uuid(), session_id: sessionId };
            next = await stream.next();
          }
          call = next.value;
        }
        turn.apiMilliseconds += this.clock() - started;
        if (summaryParams === undefined) turn.apiCalls += 1;
        const { message: completed, requestId } = call;
        endSpan(apiSpan, undefined, {
          'gen_ai.response.model': completed.model,
          'gen_ai.usage.input_tokens': completed.usage.input_tokens,
          'gen_ai.usage.output_tokens': completed.usage.output_tokens,
          'gen_ai.response.finish_reasons': [completed.stop_reason ?? ''],
          ...(requestId === null ? {} : { 'sdk.request_id': requestId }),
        });
        return { ...call, entryUuids: completed.content.map(() => this.generateId()) };
      } catch (error) {
        endSpan(apiSpan, error);
        turn.apiMilliseconds += this.clock() - started;
        if (request.signal?.aborted === true) return await this.interrupted(turn);
        const failure = classifyApiFailure(error);
        const outOfRetries = attempt >= retry.maxRetries;
        const waitTooLong = (failure.retryAfterMs ?? 0) > retry.maxRetryAfterMs;
        if (!failure.retryable || outOfRetries || waitTooLong) {
          const reason = !failure.retryable ? '' : outOfRetries ? ` (gave up after ${attempt + 1} attempts)` : ` (retry-after ${failure.retryAfterMs} ms is too long)`;
          return { ending: { subtype: 'error_during_execution', terminalReason: 'api_error', errors: [`${failure.message}${reason}`] } };
        }
        const delay = retryDelay(attempt + 1, retry, failure.retryAfterMs);
        const message: SDKAPIRetryMessage = {
          type: 'system',
          subtype: 'api_retry',
          attempt: attempt + 1,
          max_retries: retry.maxRetries,
          retry_delay_ms: delay,
          error_status: failure.status,
          error: failure.kind,
          uuid: this.uuid(),
          session_id: sessionId,
        };
        yield message;
        try {
          await sleep(delay, request.signal);
        } catch {
          return await this.interrupted(turn);
        }
      } finally {
        // A caller that stops iterating mid-stream closes the HTTP stream here (a no-op when done).
        if (stream !== undefined) await stream.return(undefined as never);
      }
    }
  }

  /**
   * Stores the prompt and reports `system/init` while the turn's first request is on its way
   * (decision 38): the API's answer takes far longer than this work, which before the request only
   * delayed it. It waits for the request to be written first: the client prepares it in a chain of
   * promise jobs and Node writes it on `process.nextTick`, and both run before `setImmediate`. A
   * store failure cancels the call and fails the turn before it reports anything, as before; so
   * does a caller that stops iterating at `system/init` (nothing will read the answer).
   */
  private async *whileFirstCall(turn: Turn, call: StartedCall, apiSpan: Span): AsyncGenerator<SDKMessage, void, undefined> {
    const { entries, messages } = turn.whileFirstCall!;
    turn.whileFirstCall = undefined;
    let handedOn = false;
    let failure: unknown;
    try {
      await new Promise((resolve) => setImmediate(resolve));
      await turn.writer.append(entries);
      for (const message of messages) yield message;
      handedOn = true;
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      if (!handedOn) {
        call.cancel();
        endSpan(apiSpan, failure);
      }
    }
  }

  /** Records an abort during streaming the way the CLI does: a user entry, no partial answer. */
  private async interrupted(turn: Turn): Promise<{ ending: Ending }> {
    const entry = interruptionEntry(this.contextOf(turn), { uuid: this.generateId(), parentUuid: turn.leafUuid });
    await turn.writer.append([entry]);
    turn.leafUuid = entry.uuid!;
    return { ending: { subtype: 'error_during_execution', terminalReason: 'aborted_streaming', errors: ['the turn was aborted while the model was answering'] } };
  }

  /** Stores the complete message (one entry per block), then reports it block by block. */
  private async *recordAssistant(turn: Turn, call: CompletedCall & { entryUuids: string[] }, endsTurn: boolean): AsyncGenerator<SDKMessage, void, undefined> {
    const context = this.contextOf(turn);
    const entries = assistantEntries(context, { message: call.message, parentUuid: turn.leafUuid, uuids: call.entryUuids, requestId: call.requestId });
    turn.usage.add(call.message.model, call.message.usage);
    turn.lastMessage = call.message;
    if (entries.length > 0) turn.leafUuid = entries.at(-1)!.uuid!;
    // The turn's last message and its `last-prompt` line go in one write: one store round trip
    // (one fsync on the file store) less per turn.
    if (endsTurn && turn.request.subagent === undefined) entries.push(this.lastPrompt(turn));
    // The turn's last write may give the lease back in the same step (see finish()).
    await turn.writer.append(entries, { last: endsTurn && !turn.leaseOutlivesResult });
    turn.lastPromptWritten = endsTurn;
    if (call.message.content.length > 0) turn.messages.push({ role: 'assistant', content: call.message.content.map(toRequestBlock) });
    for (const [index, block] of call.message.content.entries()) {
      const message: SDKAssistantMessage = {
        type: 'assistant',
        message: { ...call.message, content: [block] },
        parent_tool_use_id: turn.request.subagent?.parentToolUseId ?? null,
        uuid: call.entryUuids[index]! as UUID,
        session_id: turn.key.sessionId,
        timestamp: context.timestamp,
      };
      if (call.requestId !== null) message.request_id = call.requestId;
      yield message;
    }
  }

  /**
   * Decides each call (permissions and hooks, in order), then runs the allowed ones concurrently
   * and stores each result as it completes, parented to its own `tool_use` entry (the CLI's
   * fan-out). Every call gets a result entry, whatever happens, so the history stays valid —
   * except a deferred call, which stays open behind its `hook_deferred_tool` marker. Returns how
   * the turn ends, or `undefined` to go on.
   */
  private async *runTools(
    turn: Turn,
    toolUses: BetaToolUseBlock[],
    entryUuids: ReadonlyMap<string, string>,
    resumingDeferred: boolean,
  ): AsyncGenerator<SDKMessage, ToolRoundEnding | undefined, undefined> {
    const { request } = turn;
    const runner = turn.tools;
    const hooks = request.hooks;
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(request.signal?.reason);
    request.signal?.addEventListener('abort', onAbort, { once: true });
    if (request.signal?.aborted === true) controller.abort(request.signal.reason);
    const aborted = new Promise<'aborted'>((resolve) => {
      if (controller.signal.aborted) resolve('aborted');
      else controller.signal.addEventListener('abort', () => resolve('aborted'), { once: true });
    });
    // Messages tools pass on while running (a subagent's) are yielded between tool results.
    const emitted: SDKMessage[] = [];
    let wake: (() => void) | undefined;
    const context = {
      signal: controller.signal,
      cwd: turn.cwd,
      sessionId: turn.key.sessionId,
      emit: (message: SDKMessage): void => {
        emitted.push(message);
        wake?.();
      },
    };
    const results: ToolResultBlockParam[] = [];
    const addedContext: string[] = [];
    const entryOf = (toolUse: BetaToolUseBlock): string => entryUuids.get(toolUse.id)!;
    const check = (toolUse: BetaToolUseBlock) => ({ toolUse, access: runner.access?.(toolUse, turn.cwd), batchSize: toolUses.length, resumingDeferred, signal: controller.signal });
    let ending: ToolRoundEnding | undefined;
    try {
      const allowed: BetaToolUseBlock[] = [];
      for (const toolUse of toolUses) {
        if (ending !== undefined || controller.signal.aborted) {
          const skipped = controller.signal.aborted ? INTERRUPTED_TOOL_MESSAGE : 'Tool call skipped: the turn was stopped before it ran.';
          yield* this.recordToolResult(turn, toolUse, entryOf(toolUse), { content: skipped, isError: true }, results);
          continue;
        }
        // The executor's own StructuredOutput tool needs no permission (the CLI's: "source: config").
        const ownTool = toolUse.name === STRUCTURED_OUTPUT_TOOL_NAME && turn.structured.state !== 'none';
        const decision = hooks?.beforeTool === undefined || ownTool ? ALLOW : await hooks.beforeTool(check(toolUse)).catch((error: unknown): ToolCallDecision => ({ behavior: 'deny', message: `Permission check failed: ${errorText(error)}` }));
        for (const message of this.hookMessages(turn)) yield message;
        if (decision.behavior === 'allow') {
          allowed.push(decision.input === undefined ? toolUse : ({ ...toolUse, input: decision.input }));
        } else if (decision.behavior === 'defer' && toolUses.length === 1) {
          const marker = deferredToolEntry(this.contextOf(turn), {
            uuid: this.generateId(),
            toolUseEntryUuid: entryOf(toolUse),
            toolUseId: toolUse.id,
            toolName: toolUse.name,
            toolInput: (toolUse.input ?? {}) as Record<string, unknown>,
            hookName: decision.hookName ?? 'PreToolUse',
          });
          await turn.writer.append([marker]);
          turn.leafUuid = marker.uuid!;
          return { subtype: 'success', terminalReason: 'tool_deferred', stopReason: 'tool_deferred', result: '', deferred: { toolUse } };
        } else if (decision.behavior === 'stop') {
          yield* this.recordToolResult(turn, toolUse, entryOf(toolUse), { content: decision.reason, isError: true }, results);
          ending = { subtype: 'success', terminalReason: 'hook_stopped', result: decision.reason };
        } else {
          // A deny, or a defer among several calls (the CLI only defers a call on its own).
          const message = decision.behavior === 'deny' ? decision.message : 'This tool call cannot be deferred: it is one of several calls in one message.';
          turn.denials.push({ tool_name: toolUse.name, tool_use_id: toolUse.id, tool_input: (toolUse.input ?? {}) as Record<string, unknown> });
          yield* this.recordToolResult(turn, toolUse, entryOf(toolUse), { content: message, isError: true }, results);
          if (decision.behavior === 'deny' && decision.interrupt === true) {
            ending = { subtype: 'error_during_execution', terminalReason: 'aborted_tools', errors: [`Permission denied and the turn interrupted: ${message}`] };
          }
        }
      }
      const pending = new Map(
        allowed.map((toolUse) => [
          toolUse.id,
          traced(SPAN_NAMES.tool, { 'sdk.tool.name': toolUse.name, 'sdk.tool.use_id': toolUse.id }, turn.span, async (toolSpan) => {
            const outcome = await runner.run(toolUse, { ...context, toolUseId: toolUse.id });
            toolSpan.setAttribute('sdk.tool.is_error', outcome.isError === true);
            return outcome;
          }).then(
            (outcome) => ({ toolUse, outcome }),
            (error: unknown) => ({ toolUse, outcome: { content: `Error: ${errorText(error)}`, isError: true } }),
          ),
        ]),
      );
      while (pending.size > 0) {
        if (emitted.length > 0) {
          yield* emitted.splice(0);
          continue;
        }
        const more = new Promise<'emitted'>((resolve) => {
          wake = () => resolve('emitted');
        });
        const settled = await Promise.race([...pending.values(), aborted, more]);
        wake = undefined;
        if (settled === 'emitted') continue;
        yield* emitted.splice(0);
        if (settled === 'aborted') break;
        pending.delete(settled.toolUse.id);
        if (hooks?.afterTool !== undefined) {
          const after = await hooks.afterTool({ ...check(settled.toolUse), outcome: settled.outcome }).catch((): AfterToolDecision => ({}));
          for (const message of this.hookMessages(turn)) yield message;
          addedContext.push(...(after.additionalContext ?? []));
          if (after.stop !== undefined) ending ??= { subtype: 'success', terminalReason: 'hook_stopped', result: after.stop };
        }
        yield* this.recordToolResult(turn, settled.toolUse, entryOf(settled.toolUse), settled.outcome, results);
      }
      const wasAborted = pending.size > 0;
      for (const toolUse of allowed.filter((candidate) => pending.has(candidate.id))) {
        yield* this.recordToolResult(turn, toolUse, entryOf(toolUse), { content: INTERRUPTED_TOOL_MESSAGE, isError: true }, results);
      }
      const content: BetaContentBlockParam[] = [...results];
      if (addedContext.length > 0) {
        const text = addedContext.map((item) => `<system-reminder>\n${item}\n</system-reminder>`).join('\n');
        const entry = metaPromptEntry(this.contextOf(turn), { uuid: this.generateId(), parentUuid: turn.leafUuid, text });
        await turn.writer.append([entry]);
        turn.leafUuid = entry.uuid!;
        content.push({ type: 'text', text });
      }
      turn.messages.push({ role: 'user', content });
      if (wasAborted) return { subtype: 'error_during_execution', terminalReason: 'aborted_tools', errors: ['the turn was aborted during tool use'] };
      return ending;
    } finally {
      request.signal?.removeEventListener('abort', onAbort);
    }
  }

  private async *recordToolResult(
    turn: Turn,
    toolUse: BetaToolUseBlock,
    toolUseEntryUuid: string,
    outcome: ToolOutcome,
    results: ToolResultBlockParam[],
  ): AsyncGenerator<SDKMessage, void, undefined> {
    const structured = outcome.structured ?? outcome.content;
    const entry = toolResultEntry(this.contextOf(turn), {
      uuid: this.generateId(),
      toolUseEntryUuid,
      toolUseId: toolUse.id,
      content: outcome.content,
      isError: outcome.isError === true,
      structured,
      endsTurn: outcome.endsTurn === true,
    });
    if (outcome.endsTurn === true) turn.endedByTool = true;
    if (outcome.modelUsage !== undefined) turn.usage.addModelUsage(outcome.modelUsage);
    if (toolUse.name === STRUCTURED_OUTPUT_TOOL_NAME && outcome.isError === true && turn.structured.state === 'wanted') turn.structured.retries += 1;
    await turn.writer.append([entry]);
    turn.leafUuid = entry.uuid!;
    const message = entry.message as { role: 'user'; content: ToolResultBlockParam[] };
    results.push(...message.content);
    const yielded: SDKUserMessage = {
      type: 'user',
      message,
      parent_tool_use_id: turn.request.subagent?.parentToolUseId ?? null,
      tool_use_result: structured,
      timestamp: entry.timestamp!,
      uuid: entry.uuid! as UUID,
      session_id: turn.key.sessionId,
    };
    yield yielded;
  }

  /** Writes the turn's `last-prompt` line and yields the result. */
  private async *finish(turn: Turn, ending: ToolRoundEnding): AsyncGenerator<SDKMessage, void, undefined> {
    if (!turn.lastPromptWritten && turn.request.subagent === undefined) await turn.writer.append([this.lastPrompt(turn)]);
    // Nothing is written after the result: free the session before the caller sees it, so the next
    // turn (often sent the moment the result arrives, maybe to another worker) finds it free.
    if (!turn.leaseOutlivesResult) await turn.writer.release();
    const base = {
      type: 'result' as const,
      duration_ms: this.clock() - turn.startedAt,
      duration_api_ms: turn.apiMilliseconds,
      num_turns: turn.apiCalls + (turn.endedByTool ? 1 : 0),
      stop_reason: (ending.subtype === 'success' ? ending.stopReason : undefined) ?? turn.lastMessage?.stop_reason ?? null,
      total_cost_usd: turn.usage.totalCostUsd,
      usage: turn.usage.usage,
      modelUsage: turn.usage.modelUsage,
      permission_denials: turn.denials,
      terminal_reason: ending.terminalReason,
      uuid: this.uuid(),
      session_id: turn.key.sessionId,
    };
    turn.span?.setAttributes({
      'sdk.result.subtype': ending.subtype,
      'sdk.num_turns': base.num_turns,
      'sdk.cost_usd': base.total_cost_usd,
      'gen_ai.usage.input_tokens': base.usage.input_tokens,
      'gen_ai.usage.output_tokens': base.usage.output_tokens,
    });
    if (ending.subtype === 'success') {
      const text = textOf(turn.lastMessage?.content ?? []);
      const success: SDKResultSuccess = { ...base, subtype: 'success', is_error: false, result: ending.result ?? text };
      if ('deferred' in ending && ending.deferred !== undefined) {
        const { toolUse } = ending.deferred;
        success.deferred_tool_use = { id: toolUse.id, name: toolUse.name, input: (toolUse.input ?? {}) as Record<string, unknown> };
      }
      if (turn.structured.state === 'given') {
        success.result = JSON.stringify(turn.structured.output);
        success.structured_output = turn.structured.output;
      }
      yield success;
    } else {
      const failure: SDKResultError = { ...base, subtype: ending.subtype, is_error: true, errors: ending.errors };
      yield failure;
    }
  }

  private lastPrompt(turn: Turn): SessionStoreEntry {
    const lastPrompt = turn.request.prompt === undefined ? CONTINUE_DEFERRED_MESSAGE : promptText(turn.request.prompt);
    return lastPromptEntry({ sessionId: turn.key.sessionId, lastPrompt, leafUuid: turn.leafUuid });
  }

  private initMessage(turn: Turn): SDKSystemMessage {
    const request = turn.request;
    return {
      type: 'system',
      subtype: 'init',
      apiKeySource: this.client.apiKey === null ? 'none' : 'ANTHROPIC_API_KEY',
      claude_code_version: SDK_VERSION,
      cwd: turn.cwd,
      tools: [...turn.tools.definitions().map((tool) => tool.name), ...(request.serverTools ?? []).map(serverToolName)],
      mcp_servers: request.mcpServers ?? [],
      model: request.model,
      permissionMode: request.permissionMode ?? 'default',
      slash_commands: [],
      output_style: 'default',
      skills: [],
      plugins: [],
      uuid: this.uuid(),
      session_id: turn.key.sessionId,
    };
  }

  private callParams(turn: Turn): CallParams {
    const { request } = turn;
    const params: CallParams = { model: request.model, max_tokens: request.maxTokens ?? DEFAULT_MAX_TOKENS, messages: turn.messages };
    if (request.systemPrompt !== undefined) params.system = request.systemPrompt;
    if (request.thinking !== undefined) params.thinking = request.thinking;
    const tools = [...turn.tools.definitions(), ...(request.serverTools ?? [])];
    if (tools.length > 0) params.tools = tools;
    return params;
  }

  private entryContext(key: SessionRef, cwd: string, agentId: string | undefined): EntryContext {
    const context: EntryContext = { sessionId: key.sessionId, cwd, version: SDK_VERSION, timestamp: new Date(this.clock()).toISOString() };
    if (agentId !== undefined) context.agentId = agentId;
    return context;
  }

  private contextOf(turn: Turn): EntryContext {
    return this.entryContext(turn.key, turn.cwd, turn.request.subagent?.agentId);
  }

  private uuid(): UUID {
    return this.generateId() as UUID;
  }
}

function validateRequest(request: TurnRequest): void {
  const fail = (field: string, message: string): never => {
    throw new InvalidArgumentError(`${field}: ${message}`, field);
  };
  if (typeof request.model !== 'string' || request.model.length === 0) fail('model', 'must be a non-empty model id');
  if (typeof request.prompt === 'string') {
    if (request.prompt.length === 0) fail('prompt', 'must not be empty');
  } else if (request.prompt !== undefined && (!Array.isArray(request.prompt) || request.prompt.length === 0)) {
    fail('prompt', 'must be a non-empty string or a non-empty array of content blocks');
  }
  for (const [field, value] of [
    ['maxTokens', request.maxTokens],
    ['maxTurns', request.maxTurns],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) fail(field, `must be a positive integer, got ${String(value)}`);
  }
  if (request.maxBudgetUsd !== undefined && !(request.maxBudgetUsd > 0)) fail('maxBudgetUsd', `must be a positive number, got ${String(request.maxBudgetUsd)}`);
  validateCompactionSettings(request.compaction);
  if (request.subagent !== undefined) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(request.subagent.agentId)) fail('subagent.agentId', 'must be 1-64 letters, digits, - or _');
    if (typeof request.subagent.parentToolUseId !== 'string' || request.subagent.parentToolUseId === '') fail('subagent.parentToolUseId', 'must be the id of the Agent tool_use');
  }
  if (request.promptUuid !== undefined && !isUuid(request.promptUuid)) {
    fail('promptUuid', 'must be a UUID');
  }
}

/** Where a subagent's transcript lives under its parent session (the CLI's layout). */
export function subagentSubpath(agentId: string): string {
  return `subagents/agent-${agentId}`;
}

const ALLOW: ToolCallDecision = { behavior: 'allow' };

/** The text of a response's text blocks, joined (the result's `result`, a summary, what a Stop hook reads). */
function textOf(content: readonly BetaContentBlock[]): string {
  let text = '';
  for (const block of content) if (block.type === 'text') text += block.text;
  return text;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Is the leaf (or the message behind the attachments the CLI writes after it) the output record
 * of a local command (`/compact`)? The next prompt then follows it directly, without repair.
 */
function endsWithLocalCommand(entries: readonly SessionStoreEntry[], leafUuid: string | null): boolean {
  const byUuid = new Map(entries.map((entry) => [entry.uuid, entry]));
  let entry = leafUuid === null ? undefined : byUuid.get(leafUuid);
  for (let hops = 0; entry?.type === 'attachment' && hops < 64; hops++) {
    entry = typeof entry.parentUuid === 'string' ? byUuid.get(entry.parentUuid) : undefined;
  }
  const content = (entry?.message as { content?: unknown } | undefined)?.content;
  return entry?.type === 'user' && typeof content === 'string' && content.startsWith('<local-command-stdout>');
}

/**
 * Adds user content to the history: a history already ending in a user message (a `/compact`
 * record, a summary with nothing kept) gets it appended, as a reload of the transcript would.
 */
function pushUserContent(messages: BetaMessageParam[], content: BetaContentBlockParam[]): void {
  const last = messages.at(-1);
  if (last?.role !== 'user') {
    messages.push({ role: 'user', content });
    return;
  }
  last.content = [...(typeof last.content === 'string' ? [{ type: 'text' as const, text: last.content }] : last.content), ...content];
}

/** The official name of an API-run tool in `system/init` (the API's `web_search` is the CLI's `WebSearch`). */
function serverToolName(tool: object): string {
  const name = 'name' in tool && typeof tool.name === 'string' ? tool.name : 'type' in tool ? String(tool.type) : 'server_tool';
  return name === 'web_search' ? 'WebSearch' : name;
}
