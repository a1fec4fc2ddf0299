import { randomUUID, type UUID } from 'node:crypto';
import Anthropic, { type ClientOptions } from '@anthropic-ai/sdk';
import type { ToolResultBlockParam } from '@anthropic-ai/sdk/resources';
import type {
  BetaContentBlockParam,
  BetaMessage,
  BetaMessageParam,
  BetaToolUseBlock,
} from '@anthropic-ai/sdk/resources/beta/messages/messages';
import { InvalidArgumentError, SessionConflictError, SessionNotFoundError } from '../errors.js';
import type {
  SDKAPIRetryMessage,
  SDKAssistantMessage,
  SDKMessage,
  SDKResultError,
  SDKResultSuccess,
  SDKSystemMessage,
  SDKUserMessage,
  TerminalReason,
} from '../messages.js';
import { assertValidSessionRef, isUuid } from '../store/keys.js';
import type { SessionRef, SessionStore, SessionStoreEntry } from '../store/session-store.js';
import { composeToolRunners } from '../tools/compose-tool-runners.js';
import { createToolRunner, type ToolOutcome, type ToolRunner } from '../tools/tool-runner.js';
import { toRequestBlock } from '../transcript/content.js';
import {
  assistantEntries,
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
import { rebuildConversation } from '../transcript/rebuild.js';
import { SDK_VERSION } from '../version.js';
import { streamMessage, type CallParams, type CompletedCall } from './model-call.js';
import { classifyApiFailure, DEFAULT_RETRY_POLICY, retryDelay, sleep, type RetryPolicy } from './retry.js';
import {
  DEFAULT_MAX_STRUCTURED_OUTPUT_RETRIES,
  STRUCTURED_OUTPUT_ENFORCE_PROMPT,
  STRUCTURED_OUTPUT_TOOL_NAME,
  compileOutputFormat,
  type CompiledOutputFormat,
} from './structured-output.js';
import type { TurnRequest } from './turn-request.js';
import { TurnUsage } from './turn-usage.js';
import { TurnWriter } from './turn-writer.js';

/** Where the executor reports what it cannot return: failed lease releases, conflict retries. */
export type ExecutorLogger = {
  debug?(message: string, details?: Record<string, unknown>): void;
  warn?(message: string, details?: Record<string, unknown>): void;
};

/** The injected dependencies of an {@link AgentExecutor}; nothing else. */
export type AgentExecutorDependencies = {
  store: SessionStore;
  /** A ready client. The executor calls it with `maxRetries: 0` and retries by itself. */
  client?: Anthropic;
  /** Options for the one client the executor creates when `client` is not given. */
  clientOptions?: ClientOptions;
  /** Epoch milliseconds. Default `Date.now`. */
  clock?: () => number;
  /** UUID v4 generator for entries and messages. Default `crypto.randomUUID`. */
  generateId?: () => string;
  logger?: ExecutorLogger;
};

const DEFAULT_MAX_TOKENS = 8192;
const DEFAULT_LEASE_TTL_MS = 120_000;
const DEFAULT_MAX_CONFLICT_RETRIES = 50;

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
};

type Ending =
  | { subtype: 'success'; terminalReason: TerminalReason }
  | { subtype: SDKResultError['subtype']; terminalReason: TerminalReason; errors: string[] };

/**
 * Runs agent turns statelessly: each `runTurn` loads the session from the store, calls Claude,
 * runs tools, appends every step, and returns. The instance holds only its injected
 * dependencies, so one executor serves any number of sessions concurrently, and consecutive turns
 * of a session may run on different executors or processes.
 */
export class AgentExecutor {
  readonly store: SessionStore;
  readonly client: Anthropic;
  readonly clock: () => number;
  readonly generateId: () => string;
  readonly logger: ExecutorLogger | undefined;

  constructor(dependencies: AgentExecutorDependencies) {
    this.store = dependencies.store;
    this.client = dependencies.client ?? new Anthropic({ ...dependencies.clientOptions, maxRetries: 0 });
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
    const outputFormat = request.outputFormat === undefined ? undefined : compileOutputFormat(request.outputFormat);
    const turn = await this.startTurn(request, outputFormat);
    try {
      yield* this.continueTurn(turn);
    } finally {
      await turn.writer.release();
    }
  }

  /** Takes the session, loads and repairs its history, and stores the prompt. */
  private async startTurn(request: TurnRequest, outputFormat: CompiledOutputFormat | undefined): Promise<Turn> {
    const maxAttempts = request.onConflict === 'retry' ? (request.maxConflictRetries ?? DEFAULT_MAX_CONFLICT_RETRIES) + 1 : 1;
    const retry = { ...DEFAULT_RETRY_POLICY, ...request.retry };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.prepareTurn(request, retry, outputFormat);
      } catch (error) {
        if (!(error instanceof SessionConflictError) || attempt >= maxAttempts) throw error;
        // Wait for the other worker's turn; short first waits, as turns often end quickly.
        const delay = Math.min(1000, 25 * 2 ** Math.min(attempt - 1, 6)) * (0.5 + retry.random() / 2);
        this.logger?.debug?.('session busy, retrying the turn', { sessionId: request.session.sessionId, attempt, delay });
        await sleep(delay, request.signal);
      }
    }
  }

  private async prepareTurn(request: TurnRequest, retry: RetryPolicy, outputFormat: CompiledOutputFormat | undefined): Promise<Turn> {
    const key: SessionRef = { projectKey: request.session.projectKey, sessionId: request.session.sessionId };
    const cwd = request.cwd ?? process.cwd();
    const storeKey = request.subagent === undefined ? key : { ...key, subpath: subagentSubpath(request.subagent.agentId) };
    const { writer, entries } = await TurnWriter.open(this.store, storeKey, {
      persist: request.persist !== false,
      // A subagent writes inside its parent's turn, which holds the session's lease.
      lease: request.subagent === undefined,
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
      const context = this.entryContext(key, cwd, request.subagent?.agentId);
      const written: SessionStoreEntry[] = [];
      // Repair like the CLI (transcript-format.md §5 rule 7): answer dangling tool calls, then
      // close a history that ends in a user message, so the new prompt starts a valid exchange.
      let leafUuid = rebuilt.leafUuid;
      for (const toolUse of rebuilt.unansweredToolUses) {
        const entry = toolResultEntry(context, {
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
      if (written.length > 0 || rebuilt.lastRole === 'user') {
        const entry = noResponseEntry(context, { uuid: this.generateId(), parentUuid: leafUuid, messageId: this.generateId() });
        written.push(entry);
        leafUuid = entry.uuid!;
        rebuilt = rebuildConversation([...entries, ...written], { resumeAt: leafUuid });
      }
      const prompt = promptEntry(context, {
        uuid: request.promptUuid ?? this.generateId(),
        parentUuid: leafUuid,
        content: request.prompt,
        promptId: this.generateId(),
      });
      await writer.append([...written, prompt]);
      const turn: Turn = {
        request,
        key,
        writer,
        messages: [...rebuilt.messages, { role: 'user', content: (prompt.message as { content: BetaContentBlockParam[] }).content }],
        leafUuid: prompt.uuid!,
        cwd,
        retry,
        usage: new TurnUsage(request.prices ?? {}, request.maxTokens ?? DEFAULT_MAX_TOKENS),
        startedAt: this.clock(),
        apiMilliseconds: 0,
        apiCalls: 0,
        lastMessage: undefined,
        lastPromptWritten: false,
        tools: request.tools ?? createToolRunner([]),
        structured: outputFormat === undefined ? { state: 'none' } : { state: 'wanted', retries: 0 },
        endedByTool: false,
      };
      if (outputFormat !== undefined) {
        const accept = (output: Record<string, unknown>): void => {
          turn.structured = { state: 'given', output };
        };
        turn.tools = composeToolRunners([request.tools, createToolRunner([outputFormat.tool(accept)])]);
      }
      return turn;
    } catch (error) {
      await writer.release();
      throw error;
    }
  }

  private async *continueTurn(turn: Turn): AsyncGenerator<SDKMessage, void, undefined> {
    const { request } = turn;
    if (request.subagent === undefined) yield this.initMessage(turn);
    for (;;) {
      const call = yield* this.callModel(turn);
      if ('ending' in call) {
        yield* this.finish(turn, call.ending);
        return;
      }
      const toolUses = call.message.content.filter((block): block is BetaToolUseBlock => block.type === 'tool_use');
      const mustEnforceStructuredOutput = toolUses.length === 0 && turn.structured.state === 'wanted';
      yield* this.recordAssistant(turn, call, toolUses.length === 0 && !mustEnforceStructuredOutput);
      if (mustEnforceStructuredOutput) {
        if (this.structuredRetriesExhausted(turn)) {
          yield* this.finish(turn, this.structuredOutputFailure(turn));
          return;
        }
        yield await this.enforceStructuredOutput(turn);
        continue;
      }
      if (toolUses.length === 0) {
        yield* this.finish(turn, { subtype: 'success', terminalReason: 'completed' });
        return;
      }
      const aborted = yield* this.runTools(turn, toolUses, call.entryUuids);
      if (aborted) {
        yield* this.finish(turn, { subtype: 'error_during_execution', terminalReason: 'aborted_tools', errors: ['the turn was aborted during tool use'] });
        return;
      }
      if (turn.endedByTool) {
        yield* this.finish(turn, { subtype: 'success', terminalReason: 'completed' });
        return;
      }
      if (this.structuredRetriesExhausted(turn)) {
        yield* this.finish(turn, this.structuredOutputFailure(turn));
        return;
      }
      if (request.maxTurns !== undefined && turn.apiCalls >= request.maxTurns) {
        yield* this.finish(turn, { subtype: 'error_max_turns', terminalReason: 'max_turns', errors: [`Reached maximum number of turns (${request.maxTurns})`] });
        return;
      }
      if (request.maxBudgetUsd !== undefined && turn.usage.totalCostUsd >= request.maxBudgetUsd) {
        yield* this.finish(turn, {
          subtype: 'error_max_budget_usd',
          terminalReason: 'budget_exhausted',
          errors: [`Reached maximum budget ($${request.maxBudgetUsd})`],
        });
        return;
      }
    }
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
  private async *callModel(turn: Turn): AsyncGenerator<SDKMessage, (CompletedCall & { entryUuids: string[] }) | { ending: Ending }, undefined> {
    const { request, retry } = turn;
    const sessionId = turn.key.sessionId;
    for (let attempt = 0; ; attempt++) {
      const started = this.clock();
      const stream = streamMessage(this.client, this.callParams(turn), request.signal);
      try {
        let next = await stream.next();
        while (next.done !== true) {
          if (request.includePartialMessages === true) {
            yield { type: 'stream_event', event: next.value, parent_tool_use_id: turn.request.subagent?.parentToolUseId ?? null, uuid: this.uuid(), session_id: sessionId };
          }
          next = await stream.next();
        }
        turn.apiMilliseconds += this.clock() - started;
        turn.apiCalls += 1;
        return { ...next.value, entryUuids: next.value.message.content.map(() => this.generateId()) };
      } catch (error) {
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
        await stream.return(undefined as never);
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
    await turn.writer.append(entries);
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
   * Runs the calls concurrently and stores each result as it completes, parented to its own
   * `tool_use` entry (the CLI's fan-out). Returns true when the turn was aborted; every call then
   * still gets a result entry, so the history stays valid.
   */
  private async *runTools(turn: Turn, toolUses: BetaToolUseBlock[], entryUuids: string[]): AsyncGenerator<SDKMessage, boolean, undefined> {
    const { request } = turn;
    const runner = turn.tools;
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
    const pending = new Map(
      toolUses.map((toolUse, index) => [
        toolUse.id,
        runner.run(toolUse, { ...context, toolUseId: toolUse.id }).then(
          (outcome) => ({ toolUse, index, outcome }),
          (error: unknown) => ({ toolUse, index, outcome: { content: `Error: ${error instanceof Error ? error.message : String(error)}`, isError: true } }),
        ),
      ]),
    );
    const blockIndex = new Map(turn.lastMessage!.content.map((block, index) => [block, index]));
    const results: ToolResultBlockParam[] = [];
    try {
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
        yield* this.recordToolResult(turn, settled.toolUse, entryUuids[blockIndex.get(settled.toolUse)!]!, settled.outcome, results);
      }
      const wasAborted = pending.size > 0;
      for (const toolUse of toolUses.filter((candidate) => pending.has(candidate.id))) {
        const outcome: ToolOutcome = { content: INTERRUPTED_TOOL_MESSAGE, isError: true };
        yield* this.recordToolResult(turn, toolUse, entryUuids[blockIndex.get(toolUse)!]!, outcome, results);
      }
      turn.messages.push({ role: 'user', content: results });
      return wasAborted;
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
  private async *finish(turn: Turn, ending: Ending): AsyncGenerator<SDKMessage, void, undefined> {
    if (!turn.lastPromptWritten && turn.request.subagent === undefined) await turn.writer.append([this.lastPrompt(turn)]);
    const base = {
      type: 'result' as const,
      duration_ms: this.clock() - turn.startedAt,
      duration_api_ms: turn.apiMilliseconds,
      num_turns: turn.apiCalls + (turn.endedByTool ? 1 : 0),
      stop_reason: turn.lastMessage?.stop_reason ?? null,
      total_cost_usd: turn.usage.totalCostUsd,
      usage: turn.usage.usage,
      modelUsage: turn.usage.modelUsage,
      permission_denials: [],
      terminal_reason: ending.terminalReason,
      uuid: this.uuid(),
      session_id: turn.key.sessionId,
    };
    if (ending.subtype === 'success') {
      const text = (turn.lastMessage?.content ?? []).flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
      const success: SDKResultSuccess = { ...base, subtype: 'success', is_error: false, result: text };
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
    return lastPromptEntry({ sessionId: turn.key.sessionId, lastPrompt: promptText(turn.request.prompt), leafUuid: turn.leafUuid });
  }

  private initMessage(turn: Turn): SDKSystemMessage {
    const request = turn.request;
    return {
      type: 'system',
      subtype: 'init',
      apiKeySource: this.client.apiKey === null ? 'none' : 'ANTHROPIC_API_KEY',
      claude_code_version: SDK_VERSION,
      cwd: turn.cwd,
      tools: turn.tools.definitions().map((tool) => tool.name),
      mcp_servers: [],
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
    const tools = turn.tools.definitions();
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
  } else if (!Array.isArray(request.prompt) || request.prompt.length === 0) {
    fail('prompt', 'must be a non-empty string or a non-empty array of content blocks');
  }
  for (const [field, value] of [
    ['maxTokens', request.maxTokens],
    ['maxTurns', request.maxTurns],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) fail(field, `must be a positive integer, got ${String(value)}`);
  }
  if (request.maxBudgetUsd !== undefined && !(request.maxBudgetUsd > 0)) fail('maxBudgetUsd', `must be a positive number, got ${String(request.maxBudgetUsd)}`);
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
