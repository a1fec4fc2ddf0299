import { AbortError, InvalidArgumentError, UnsupportedFeatureError } from '../errors.js';
import type { AgentExecutor } from '../executor/agent-executor.js';
import type { TurnRequest } from '../executor/turn-request.js';
import type { ModelUsage, PermissionMode, SDKMessage, SDKResultMessage } from '../messages.js';
import { DEFAULT_MODEL_PRICES } from '../pricing.js';
import type { SessionRef } from '../store/session-store.js';
import type { InputQueue } from './input-queue.js';
import type { Options } from './options.js';
import type {
  AccountInfo,
  AgentInfo,
  McpServerStatus,
  McpSetServersResult,
  ModelInfo,
  Query,
  RewindFilesResult,
  SDKControlInitializeResponse,
  SDKControlInterruptResponse,
  SDKControlSetPermissionModeResponse,
  SDKUserMessageInput,
  SlashCommand,
} from './query-types.js';
import { buildHookInput, type HookInputBase } from '../hooks/hook-inputs.js';
import type { HookRunner } from '../hooks/hook-runner.js';
import type { PermissionPolicy } from '../permissions/permission-policy.js';
import type { CompactionSettings } from '../executor/compaction.js';
import type { TurnHooks } from '../executor/turn-hooks.js';
import type { SubagentLifecycle } from '../agents/agent-tool.js';
import { assembleQueryTools, type QueryTools } from './query-tools.js';
import { createQueryTurnHooks, type PolicyHolder } from './query-turn-hooks.js';
import { thinkingOf, type ThinkingSetting } from './resolve-options.js';
import type { SessionStart } from './session-start.js';

/** Everything a {@link QueryRun} is built from; resolved by `query()` before anything runs. */
export type QueryRunSetup = {
  options: Options;
  executor: AgentExecutor;
  input: InputQueue;
  projectKey: string;
  cwd: string;
  model: string;
  systemPrompt: TurnRequest['systemPrompt'];
  /** Resolves the first turn's session (resume, continue, fork); called once, on first iteration. */
  startSession: () => Promise<SessionStart>;
  /** The query's environment (`options.env`, else the process's): tools and MCP servers run in it. */
  environment: Record<string, string | undefined>;
  /** The permission policy from the options (checked by `query()` before anything runs). */
  policy: PermissionPolicy;
  /** The `hooks` option, compiled; `undefined` when none are registered. */
  hooks: HookRunner | undefined;
  /** Where the official SDK would keep a session's transcript (hook inputs' `transcript_path`). */
  transcriptPath: (sessionId: string) => string;
};

/** The `Query` behind `query()`: runs one executor turn per input message on one session. */
export class QueryRun implements Query {
  private readonly generator: AsyncGenerator<SDKMessage, void>;
  private readonly setup: QueryRunSetup;
  private model: string;
  private thinking: ThinkingSetting;
  private turnController: AbortController | undefined;
  private closed = false;
  private tools: QueryTools | undefined;
  private readonly policy: PolicyHolder;
  private totalCostUsd = 0;
  private readonly modelUsage: Record<string, ModelUsage> = {};
  /** From the environment, which a query does not change: read once, not per turn. */
  private readonly compaction: CompactionSettings;

  constructor(setup: QueryRunSetup) {
    this.setup = setup;
    this.compaction = compactionOf(setup.environment);
    this.model = setup.model;
    this.thinking = thinkingOf(setup.options);
    this.policy = { current: setup.policy };
    this.generator = this.run();
  }

  next(...args: [] | [unknown]): Promise<IteratorResult<SDKMessage, void>> {
    return this.generator.next(...args);
  }

  return(value?: void | PromiseLike<void>): Promise<IteratorResult<SDKMessage, void>> {
    this.close();
    return this.generator.return(value);
  }

  throw(error: unknown): Promise<IteratorResult<SDKMessage, void>> {
    this.close();
    return this.generator.throw(error);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.return();
  }

  private async *run(): AsyncGenerator<SDKMessage, void> {
    const userSignal = this.setup.options.abortController?.signal;
    let startedSession: string | undefined;
    try {
      if (this.closed) return;
      const start = await this.untilAborted(this.setup.startSession(), userSignal);
      const session: SessionRef = { projectKey: this.setup.projectKey, sessionId: start.sessionId };
      startedSession = start.sessionId;
      let resumeAt = start.resumeAt;
      const hooks = await this.turnHooks(session, userSignal);
      this.tools = await this.untilAborted(
        assembleQueryTools(this.setup.options, {
          executor: this.setup.executor,
          session,
          model: this.model,
          cwd: this.setup.cwd,
          environment: this.setup.environment,
          inherit: { cwd: this.setup.cwd, hooks: subagentHooks(hooks) },
          lifecycle: this.subagentLifecycle(session),
          ...(userSignal === undefined ? {} : { signal: userSignal }),
        }),
        userSignal,
      );
      for (;;) {
        if (this.closed) return;
        const message = await this.setup.input.next(userSignal);
        if (message === undefined || this.closed) return;
        const controller = new AbortController();
        this.turnController = controller;
        const forward = (): void => controller.abort(userSignal?.reason);
        userSignal?.addEventListener('abort', forward, { once: true });
        try {
          const request = this.turnRequest(session, message, controller.signal, resumeAt, hooks);
          resumeAt = undefined;
          for await (const output of this.setup.executor.runTurn(request)) {
            if (userSignal?.aborted === true) throw new AbortError('Claude Code process aborted by user');
            if (this.closed) return;
            yield output.type === 'result' ? this.accumulate(output) : output;
          }
        } finally {
          userSignal?.removeEventListener('abort', forward);
          this.turnController = undefined;
        }
        if (userSignal?.aborted === true) throw new AbortError('Claude Code process aborted by user');
      }
    } catch (error) {
      if (userSignal?.aborted === true && !(error instanceof AbortError)) throw new AbortError('Claude Code process aborted by user', { cause: error });
      throw error;
    } finally {
      this.closed = true;
      this.setup.input.close();
      await this.tools?.close();
      await this.sessionEnded(startedSession);
    }
  }

  /** The fields every hook input of the session shares; the permission mode is read when the hook fires. */
  private hookBase(sessionId: string): HookInputBase {
    return { session_id: sessionId, transcript_path: this.setup.transcriptPath(sessionId), cwd: this.setup.cwd, permission_mode: this.policy.current.mode };
  }

  /** The SubagentStart / SubagentStop hooks around each subagent the Agent tool runs. */
  private subagentLifecycle(session: SessionRef): SubagentLifecycle {
    const runner = this.setup.hooks;
    const base = (): HookInputBase => this.hookBase(session.sessionId);
    return {
      started: async ({ agentId, agentType, signal }) => {
        if (runner?.has('SubagentStart') !== true) return;
        await runner.run('SubagentStart', buildHookInput('SubagentStart', base(), { agent_id: agentId, agent_type: agentType }), { matchValue: agentType, signal });
      },
      stopped: async ({ agentId, agentType, lastAssistantMessage, signal }) => {
        if (runner?.has('SubagentStop') !== true) return;
        const transcript = this.setup.transcriptPath(session.sessionId).replace(/\.jsonl$/, `/subagents/agent-${agentId}.jsonl`);
        const fields = { stop_hook_active: false, agent_id: agentId, agent_transcript_path: transcript, agent_type: agentType, last_assistant_message: lastAssistantMessage };
        await runner.run('SubagentStop', buildHookInput('SubagentStop', base(), fields), { matchValue: agentType, signal });
      },
    };
  }

  /** The SessionEnd hook, once the query is over; it cannot change anything, so a failure is ignored. */
  private async sessionEnded(sessionId: string | undefined): Promise<void> {
    const runner = this.setup.hooks;
    if (sessionId === undefined || runner?.has('SessionEnd') !== true) return;
    await runner.run('SessionEnd', buildHookInput('SessionEnd', this.hookBase(sessionId), { reason: 'other' }), { signal: new AbortController().signal }).catch(() => undefined);
  }

  /**
   * The permission policy and the `hooks` option as the executor's turn hooks. SessionStart hooks
   * run here, once per query; their context goes with the first prompt.
   */
  private async turnHooks(session: SessionRef, signal: AbortSignal | undefined): Promise<TurnHooks> {
    const { options } = this.setup;
    const base = (): HookInputBase => this.hookBase(session.sessionId);
    let sessionContext: string[] = [];
    const runner = this.setup.hooks;
    if (runner?.has('SessionStart') === true) {
      const source = options.resume !== undefined || options.continue === true ? (options.forkSession === true ? 'fork' : 'resume') : 'startup';
      const outcome = await runner.run('SessionStart', buildHookInput('SessionStart', base(), { source, model: this.model }), { signal: signal ?? new AbortController().signal });
      sessionContext = outcome.additionalContext;
    }
    return createQueryTurnHooks({ policy: this.policy, hooks: runner, base, includeHookEvents: options.includeHookEvents === true, sessionContext });
  }

  private turnRequest(session: SessionRef, message: SDKUserMessageInput, signal: AbortSignal, resumeAt: string | undefined, hooks: TurnHooks): TurnRequest {
    const { options } = this.setup;
    if (message.type !== 'user' || typeof message.message !== 'object') {
      throw new InvalidArgumentError(`prompt: every input message must be an SDKUserMessage ({type: 'user', message}), got type ${String(message.type)}`, 'prompt');
    }
    if (message.shouldQuery === false) {
      throw new UnsupportedFeatureError('SDKUserMessage.shouldQuery: false (append without a turn) is not supported', 'shouldQuery');
    }
    const request: TurnRequest = {
      session,
      prompt: message.message.content,
      model: this.model,
      maxTokens: this.thinking.maxTokens,
      cwd: this.setup.cwd,
      signal,
      permissionMode: this.policy.current.mode,
      hooks,
    };
    if (this.tools !== undefined) {
      request.tools = this.tools.runner;
      if (this.tools.serverTools.length > 0) request.serverTools = this.tools.serverTools;
      const servers = this.tools.mcpStatus();
      // `source` as the CLI reports it: `sdk` for in-process servers, `dynamic` for servers passed as options.
      const sourceOf = (name: string): string => (options.mcpServers?.[name]?.type === 'sdk' ? 'sdk' : 'dynamic');
      if (servers.length > 0) request.mcpServers = servers.map((server) => ({ name: server.name, status: server.status, source: sourceOf(server.name) }));
    }
    if (message.uuid !== undefined) request.promptUuid = message.uuid;
    if (this.setup.systemPrompt !== undefined) request.systemPrompt = this.setup.systemPrompt;
    if (this.thinking.thinking !== undefined) request.thinking = this.thinking.thinking;
    if (options.maxTurns !== undefined) request.maxTurns = options.maxTurns;
    if (options.maxBudgetUsd !== undefined) request.maxBudgetUsd = Math.max(options.maxBudgetUsd - this.totalCostUsd, Number.MIN_VALUE);
    if (options.includePartialMessages === true) request.includePartialMessages = true;
    if (resumeAt !== undefined) request.resumeAt = resumeAt;
    if (options.outputFormat !== undefined) request.outputFormat = options.outputFormat;
    request.compaction = this.compaction;
    return request;
  }

  /** `total_cost_usd` and `modelUsage` are cumulative over the query's turns, as officially. */
  private accumulate(result: SDKResultMessage): SDKResultMessage {
    this.totalCostUsd += result.total_cost_usd;
    for (const [model, usage] of Object.entries(result.modelUsage)) {
      const sum = this.modelUsage[model];
      if (sum === undefined) {
        this.modelUsage[model] = { ...usage };
        continue;
      }
      sum.inputTokens += usage.inputTokens;
      sum.outputTokens += usage.outputTokens;
      sum.cacheReadInputTokens += usage.cacheReadInputTokens;
      sum.cacheCreationInputTokens += usage.cacheCreationInputTokens;
      sum.webSearchRequests += usage.webSearchRequests;
      sum.costUSD += usage.costUSD;
    }
    // Copies of the flat usage records, so that the caller may keep or change what it received.
    const modelUsage: Record<string, ModelUsage> = {};
    for (const [model, usage] of Object.entries(this.modelUsage)) modelUsage[model] = { ...usage };
    return { ...result, total_cost_usd: this.totalCostUsd, modelUsage };
  }

  private async untilAborted<T>(operation: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    if (signal === undefined) return operation;
    if (signal.aborted) throw new AbortError('Operation aborted');
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(new AbortError('Operation aborted'));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([operation, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort!);
    }
  }

  async interrupt(): Promise<SDKControlInterruptResponse> {
    const stillQueued = this.setup.input.pendingUuids();
    this.turnController?.abort(new AbortError('interrupted'));
    return { still_queued: stillQueued };
  }

  async setPermissionMode(mode: PermissionMode): Promise<SDKControlSetPermissionModeResponse> {
    if (mode === 'bypassPermissions' && this.setup.options.allowDangerouslySkipPermissions !== true) {
      throw new InvalidArgumentError("setPermissionMode: 'bypassPermissions' requires options.allowDangerouslySkipPermissions", 'mode');
    }
    this.policy.current = this.policy.current.withMode(mode);
    return { mode };
  }

  async setModel(model?: string): Promise<void> {
    this.model = model ?? this.setup.model;
  }

  async setMaxThinkingTokens(maxThinkingTokens: number | null): Promise<void> {
    this.thinking = thinkingOf({ maxThinkingTokens: maxThinkingTokens ?? 0 });
  }

  async initializationResult(): Promise<SDKControlInitializeResponse> {
    return {
      commands: [],
      agents: await this.supportedAgents(),
      output_style: 'default',
      available_output_styles: ['default'],
      models: await this.supportedModels(),
      account: await this.accountInfo(),
    };
  }

  reinitialize(): Promise<SDKControlInitializeResponse> {
    return this.initializationResult();
  }

  async supportedCommands(): Promise<SlashCommand[]> {
    return [];
  }

  async supportedModels(): Promise<ModelInfo[]> {
    return Object.keys(DEFAULT_MODEL_PRICES).map((value) => ({ value, displayName: value, description: `${value} (bundled price table)` }));
  }

  async supportedAgents(): Promise<AgentInfo[]> {
    return Object.entries(this.setup.options.agents ?? {}).map(([name, agent]) => (agent.model === undefined ? { name, description: agent.description } : { name, description: agent.description, model: agent.model }));
  }

  async mcpServerStatus(): Promise<McpServerStatus[]> {
    return this.tools?.mcpStatus() ?? [];
  }

  async accountInfo(): Promise<AccountInfo> {
    const client = this.setup.executor.client;
    return { apiKeySource: client.apiKey === null ? 'none' : 'ANTHROPIC_API_KEY', apiProvider: 'firstParty' };
  }

  async streamInput(stream: AsyncIterable<SDKUserMessageInput>): Promise<void> {
    await this.setup.input.add(stream);
  }

  async backgroundTasks(): Promise<boolean> {
    return false;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.turnController?.abort(new AbortError('closed'));
    this.setup.input.close();
  }

  setMcpPermissionModeOverride(): Promise<{ warning?: string }> {
    return unsupported('setMcpPermissionModeOverride');
  }
  applyFlagSettings(): Promise<void> {
    return unsupported('applyFlagSettings');
  }
  updateSettings(): Promise<void> {
    return unsupported('updateSettings');
  }
  getContextUsage(): Promise<never> {
    return unsupported('getContextUsage');
  }
  usage_EXPERIMENTAL_MAY_CHANGE_DO_NOT_RELY_ON_THIS_API_YET(): Promise<never> {
    return unsupported('usage_EXPERIMENTAL_MAY_CHANGE_DO_NOT_RELY_ON_THIS_API_YET');
  }
  readFile(): Promise<never> {
    return unsupported('readFile');
  }
  reloadPlugins(): Promise<never> {
    return unsupported('reloadPlugins');
  }
  reloadSkills(): Promise<never> {
    return unsupported('reloadSkills');
  }
  reloadOutputStyles(): Promise<never> {
    return unsupported('reloadOutputStyles');
  }
  rewindFiles(): Promise<RewindFilesResult> {
    return unsupported('rewindFiles');
  }
  seedReadState(): Promise<void> {
    return unsupported('seedReadState');
  }
  reconnectMcpServer(): Promise<void> {
    return unsupported('reconnectMcpServer');
  }
  toggleMcpServer(): Promise<void> {
    return unsupported('toggleMcpServer');
  }
  readMcpResource(): Promise<never> {
    return unsupported('readMcpResource');
  }
  setMcpServers(): Promise<McpSetServersResult> {
    return unsupported('setMcpServers');
  }
  stopTask(): Promise<void> {
    return unsupported('stopTask');
  }
}

function unsupported(method: string): Promise<never> {
  return Promise.reject(new UnsupportedFeatureError(`Query.${method}() is not supported by @sdk/core (see docs/compat.md)`, method));
}

/** Subagents go through the same permission checks and tool hooks; prompt and Stop hooks are the parent's alone. */
function subagentHooks(hooks: TurnHooks): TurnHooks {
  const subset: TurnHooks = {};
  if (hooks.beforeTool !== undefined) subset.beforeTool = hooks.beforeTool;
  if (hooks.afterTool !== undefined) subset.afterTool = hooks.afterTool;
  return subset;
}

/**
 * Auto-compaction as the CLI's environment configures it: `DISABLE_AUTO_COMPACT=1` turns it off,
 * `CLAUDE_AUTOCOMPACT_PCT_OVERRIDE` (1-100) sets the share of the window that triggers it.
 */
function compactionOf(environment: Record<string, string | undefined>): CompactionSettings {
  const settings: CompactionSettings = {};
  if (environment.DISABLE_AUTO_COMPACT === '1' || environment.DISABLE_COMPACT === '1') settings.auto = false;
  const percent = Number(environment.CLAUDE_AUTOCOMPACT_PCT_OVERRIDE);
  if (Number.isFinite(percent) && percent > 0 && percent <= 100) settings.threshold = percent / 100;
  return settings;
}
