import { randomUUID } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import { InvalidArgumentError } from '../errors.js';
import { AgentExecutor } from '../executor/agent-executor.js';
import { projectScope } from '../sessions/project-scope.js';
import type { SessionStore } from '../store/session-store.js';
import { nodeFetchVia } from '../http/node-fetch.js';
import { proxyFor } from '../http/proxy-environment.js';
import { InputQueue } from './input-queue.js';
import type { Options } from './options.js';
import type { Query, SDKUserMessageInput } from './query-types.js';
import { QueryRun } from './query-run.js';
import { clientOptionsOf, environmentOf, modelOf, systemPromptOf, validateOptions } from './resolve-options.js';
import { ScratchSessionStore } from './scratch-store.js';
import { startSession } from './session-start.js';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { HookRunner } from '../hooks/hook-runner.js';
import { PermissionPolicy } from '../permissions/permission-policy.js';

const DEFAULT_LOAD_TIMEOUT_MS = 60_000;

/** The arguments of `query()`, as officially. */
export type QueryParams = { prompt: string | AsyncIterable<SDKUserMessageInput>; options?: Options };

/** The `query()` function. */
export type QueryFunction = (params: QueryParams) => Query;

/** How {@link createQuery} builds its queries. */
export type QueryFactoryConfig = {
  /**
   * The store of queries without `options.sessionStore`, given the query's environment
   * (`options.env` or `process.env`). Called when a query starts; cache inside if construction is
   * costly. Without it, such queries fail with `InvalidArgumentError` (unless `persistSession` is
   * false, which then starts from an empty in-process store).
   */
  defaultStore?: (environment: { [name: string]: string | undefined }) => SessionStore;
  /** The API client of every query (tests, custom transports); default: one per query, from the environment. */
  client?: Anthropic;
  /** UUID generator for session ids, entries and messages. Default `crypto.randomUUID`. */
  generateId?: () => string;
};

/**
 * Creates a `query()` with the official signature over the stateless executor. `@sdk/compat`
 * calls it with the file store of `~/.claude` (or `CLAUDE_CONFIG_DIR`) as the default store, which
 * makes it the official `query()`.
 *
 * `query()` returns at once. Option errors throw synchronously; store and API failures surface
 * while iterating.
 */
export function createQuery(config: QueryFactoryConfig = {}): QueryFunction {
  const clients = new ClientCache();
  return function query({ prompt, options = {} }: QueryParams): Query {
    if (typeof prompt !== 'string' && (typeof prompt !== 'object' || prompt === null || !(Symbol.asyncIterator in prompt))) {
      throw new InvalidArgumentError('prompt must be a string or an AsyncIterable of SDKUserMessage', 'prompt');
    }
    validateOptions(options);
    const environment = environmentOf(options);
    const store = storeOf(options, environment, config);
    const scope = projectScope(options.cwd, environment);
    const generateId = config.generateId ?? randomUUID;
    const client = config.client ?? clients.get(clientOptionsOf(environment), environment);
    const executorDependencies = { store, client, generateId };
    const executor = new AgentExecutor(executorDependencies);
    let input: InputQueue;
    if (typeof prompt === 'string') {
      input = InputQueue.of({ type: 'user', message: { role: 'user', content: prompt }, parent_tool_use_id: null });
    } else {
      input = new InputQueue();
      void input.add(prompt);
    }
    return new QueryRun({
      options,
      executor,
      environment,
      policy: permissionPolicyOf(options, scope.directory),
      hooks: options.hooks === undefined ? undefined : new HookRunner(options.hooks),
      transcriptPath: (sessionId) => join(claudeConfigDirectory(environment), 'projects', scope.projectKey, `${sessionId}.jsonl`),
      input,
      projectKey: scope.projectKey,
      cwd: scope.directory,
      model: modelOf(options, environment),
      systemPrompt: systemPromptOf(options.systemPrompt, scope.directory),
      startSession: () =>
        startSession(options, { store, projectKey: scope.projectKey, generateId, loadTimeoutMs: options.loadTimeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS }),
    });
  };
}

/** Where the clients call when neither the options nor the environment name an endpoint. */
const DEFAULT_BASE_URL = 'https://api.anthropic.com';

/** Most distinct credentials / endpoints whose clients are kept. */
const MAX_CACHED_CLIENTS = 16;

/**
 * One API client per credentials and endpoint, shared by the queries that use them. A client is
 * configuration only (connections live in the shared transport's keep-alive agents), yet building one creates
 * a few hundred objects: per query, that was a measurable part of a one-shot's time and garbage.
 * Bounded, so a process serving many API keys keeps only the most recent ones.
 */
class ClientCache {
  private readonly clients = new Map<string, Anthropic>();

  get(options: ReturnType<typeof clientOptionsOf>, environment: Readonly<Record<string, string | undefined>>): Anthropic {
    // The proxy the environment names for the endpoint (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), as the CLI honours it.
    const proxy = proxyFor(new URL(options.baseURL ?? DEFAULT_BASE_URL), environment);
    const key = JSON.stringify([options.apiKey, options.authToken, options.baseURL, proxy?.href]);
    let client = this.clients.get(key);
    if (client !== undefined) {
      // Most recently used last, so the first entry is the one to evict.
      this.clients.delete(key);
    } else {
      // Over node:http with keep-alive agents (see http/node-fetch.ts), one transport for all clients.
      client = new Anthropic({ ...options, maxRetries: 0, fetch: nodeFetchVia(proxy) });
      if (this.clients.size >= MAX_CACHED_CLIENTS) this.clients.delete(this.clients.keys().next().value!);
    }
    this.clients.set(key, client);
    return client;
  }
}

function storeOf(options: Options, environment: { [name: string]: string | undefined }, config: QueryFactoryConfig): SessionStore {
  if (options.persistSession === false) {
    // Resuming still reads the real store; only writes stay in the process.
    return new ScratchSessionStore(config.defaultStore?.(environment));
  }
  if (options.sessionStore !== undefined) return options.sessionStore;
  if (config.defaultStore !== undefined) return config.defaultStore(environment);
  throw new InvalidArgumentError('options.sessionStore is required: this query() has no default store', 'sessionStore');
}

/** The permission policy the options describe; malformed rules throw here, at `query()` time. */
function permissionPolicyOf(options: Options, cwd: string): PermissionPolicy {
  const policy: ConstructorParameters<typeof PermissionPolicy>[0] = { mode: options.permissionMode ?? 'default', cwd };
  if (options.allowedTools !== undefined) policy.allowedTools = options.allowedTools;
  if (options.disallowedTools !== undefined) policy.disallowedTools = options.disallowedTools;
  if (options.canUseTool !== undefined) policy.canUseTool = options.canUseTool;
  if (options.additionalDirectories !== undefined) policy.additionalDirectories = options.additionalDirectories;
  return new PermissionPolicy(policy);
}

/** The Claude configuration folder of an environment: `CLAUDE_CONFIG_DIR`, else `~/.claude`. */
function claudeConfigDirectory(environment: { [name: string]: string | undefined }): string {
  return environment.CLAUDE_CONFIG_DIR || join(environment.HOME || homedir(), '.claude');
}
