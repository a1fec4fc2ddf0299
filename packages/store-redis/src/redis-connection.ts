import { SessionStoreError, StoreUnavailableError } from '@sdk/core/store';
import { createClient, ErrorReply } from 'redis';
import type { RedisClientOptions } from 'redis';
import type { LuaScript } from './scripts.js';

/**
 * The part of a node-redis v5 standalone client (`createClient`) the store uses. Any client works:
 * RESP2 or RESP3, with or without modules; the store only sends raw commands and scripts whose replies
 * look the same under both protocols.
 */
export type RedisClientLike = {
  readonly isOpen: boolean;
  /** Sends one raw command (node-redis `sendCommand`). */
  sendCommand(args: string[]): Promise<unknown>;
};

/** The part of a node-redis v5 cluster client (`createCluster`) the store uses. */
export type RedisClusterLike = {
  readonly isOpen: boolean;
  readonly masters: readonly unknown[];
  /** Sends one raw command to the node of `firstKey`'s slot (node-redis cluster `sendCommand`). */
  sendCommand(firstKey: string | undefined, isReadonly: boolean | undefined, args: string[]): Promise<unknown>;
};

/**
 * How the store reaches Redis: a client you connected (used as is, never closed by the store), or a
 * URL plus node-redis client options, from which the store creates, connects and owns a client.
 */
export type RedisConnectionOptions = { client: RedisClientLike | RedisClusterLike } | ({ url: string } & RedisClientOptions);

/** Reconnect delay after `retries` failed attempts: exponential with jitter, capped at 2 s. */
export function reconnectDelay(retries: number): number {
  const base = Math.min(50 * 2 ** Math.min(retries, 10), 2000);
  return Math.round(base / 2 + Math.random() * (base / 2));
}

/** A duplicate of the store's own client, for blocking commands. */
type BlockingClient = Closable & {
  connect(): Promise<unknown>;
  unref(): void;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  sendCommand(args: string[]): Promise<unknown>;
};

/** A store call waiting for its reply (see `withDeadline`); `expire` is cleared once it is forgotten. */
type Pending = { deadline: number; expire: (() => void) | undefined; older: Pending | undefined; newer: Pending | undefined };

/** Blocking connections a store keeps at most: one per turn waiting for a session at the same time. */
const MAX_BLOCKING_CONNECTIONS = 8;

type Closable = { readonly isOpen: boolean; close(): Promise<unknown>; destroy(): void };

async function closeClient(client: Closable): Promise<void> {
  if (!client.isOpen) return;
  try {
    await client.close();
  } catch {
    // A client stuck reconnecting cannot close gracefully; drop its socket instead.
    if (client.isOpen) client.destroy();
  }
}

const UNAVAILABLE_REPLIES = ['LOADING', 'CLUSTERDOWN', 'TRYAGAIN', 'MASTERDOWN', 'BUSY'];

/** Turns anything node-redis throws into a store error; `operation` names the failed call. */
export function toStoreError(error: unknown, operation: string): SessionStoreError {
  if (error instanceof SessionStoreError) return error;
  if (error instanceof ErrorReply) {
    const code = error.message.split(' ', 1)[0] ?? '';
    if (UNAVAILABLE_REPLIES.includes(code)) {
      return new StoreUnavailableError(`Redis ${operation} failed: ${error.message}`, { cause: error });
    }
    // READONLY, MOVED, ASK and the like reach us only once the client's own redirects and retries gave up.
    return new SessionStoreError(`Redis ${operation} failed: ${error.message}`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new StoreUnavailableError(`Redis ${operation} failed: ${message}`, { cause: error });
}

/**
 * Sends commands and scripts to a standalone server or a cluster, with a deadline on every call, and
 * maps errors to store errors. Scripts run with EVALSHA; after NOSCRIPT (a restarted server, a
 * failover, SCRIPT FLUSH) the same call is sent with EVAL, which also reloads the script.
 */
export class RedisConnection {
  private readonly client: RedisClientLike | RedisClusterLike;
  private readonly owned: boolean;
  private connecting: Promise<void> | undefined;
  private closed = false;
  private readonly idleBlocking: BlockingClient[] = [];
  private blockingCount = 0;
  /** Calls waiting for their reply, oldest (so first to expire: they share one timeout) first. */
  private oldest: Pending | undefined;
  private newest: Pending | undefined;
  /** Armed for the oldest waiting call's deadline, or for an earlier one that has settled since. */
  private deadlineTimer: NodeJS.Timeout | undefined;

  constructor(
    options: RedisConnectionOptions,
    private readonly timeoutMs: number,
  ) {
    if ('client' in options) {
      this.client = options.client;
      this.owned = false;
    } else {
      const client = createClient({
        ...options,
        // Fail fast while disconnected instead of queueing calls until the server is back.
        disableOfflineQueue: options.disableOfflineQueue ?? true,
        socket: { connectTimeout: timeoutMs, reconnectStrategy: reconnectDelay, ...options.socket },
      });
      // Without a listener node-redis rethrows connection errors as uncaught exceptions; the calls
      // that hit a broken connection report them instead.
      client.on('error', () => undefined);
      this.client = client;
      this.owned = true;
    }
  }

  /** True for a cluster client: commands are routed by key. */
  get isCluster(): boolean {
    return 'masters' in this.client;
  }

  /** Sends one command; `routingKey` picks the cluster node (any key in the right slot). */
  send(operation: string, routingKey: string | undefined, readonly: boolean, args: readonly string[]): Promise<unknown> {
    return this.withDeadline(operation, () => this.raw(routingKey, readonly, [...args]));
  }

  /** Runs a script; `keys[0]` routes it. */
  run(script: LuaScript, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    return this.evalsha(script, ['EVALSHA', script.sha1, String(keys.length), ...keys, ...args]);
  }

  /**
   * Runs a script from a complete `EVALSHA` command (`EVALSHA`, sha1, key count, keys..., args...)
   * that the caller built for this call alone: the hot path, which copies nothing.
   */
  evalsha(script: LuaScript, command: string[]): Promise<unknown> {
    const routingKey = command[3];
    return this.withDeadline(script.name, () =>
      this.raw(routingKey, false, command).catch((error: unknown) => {
        if (!(error instanceof ErrorReply) || !error.message.startsWith('NOSCRIPT')) throw error;
        return this.raw(routingKey, false, ['EVAL', script.source, ...command.slice(2)]);
      }),
    );
  }

  /**
   * Sends one blocking command (BLPOP) on a connection of its own, a duplicate of the store's client
   * (same options), taken from a small pool and returned after the reply. Idle pooled connections
   * are unref'd, so they never keep the process alive (the owner of a client passed in may never
   * call `close()`); a call in progress does, through its deadline timer. Resolves `undefined`
   * without sending anything on a cluster, for a client that cannot duplicate itself, and when the
   * pool is at its limit: the caller then waits without being woken. `deadlineMs` bounds a server
   * that stops answering.
   */
  async blocking(args: string[], deadlineMs: number): Promise<{ reply: unknown } | undefined> {
    if (this.closed) throw new SessionStoreError('the Redis session store is closed');
    const duplicate = (this.client as { duplicate?: unknown }).duplicate;
    if (this.isCluster || typeof duplicate !== 'function') return undefined;
    let connection = this.idleBlocking.pop();
    if (connection === undefined) {
      if (this.blockingCount >= MAX_BLOCKING_CONNECTIONS) return undefined;
      this.blockingCount++;
      try {
        connection = (duplicate as () => BlockingClient).call(this.client);
        connection.on('error', () => undefined);
        await connection.connect();
        connection.unref();
      } catch (error) {
        this.blockingCount--;
        throw toStoreError(error, 'connect');
      }
    }
    const client = connection;
    let timer: NodeJS.Timeout | undefined;
    try {
      const reply = await new Promise<unknown>((resolve, reject) => {
        timer = setTimeout(() => reject(new StoreUnavailableError(`Redis ${args[0]} did not answer within ${deadlineMs} ms`)), deadlineMs);
        client.sendCommand(args).then(resolve, reject);
      });
      if (this.closed) await closeClient(client);
      else this.idleBlocking.push(client);
      return { reply };
    } catch (error) {
      // A connection in an unknown state is not reused (one that closed itself has nothing to drop).
      this.blockingCount--;
      if (client.isOpen) client.destroy();
      throw toStoreError(error, args[0] ?? 'blocking call');
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes the client if the store created it; a client passed in is left open. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.idleBlocking.splice(0).map((client) => closeClient(client)));
    if (!this.owned) return;
    await closeClient(this.client as unknown as Closable);
  }

  /** Hands `args` to the client as is (node-redis keeps it until the reply): callers pass a fresh array. */
  private raw(routingKey: string | undefined, readonly: boolean, args: string[]): Promise<unknown> {
    if ('masters' in this.client) return this.client.sendCommand(routingKey, readonly, args);
    return this.client.sendCommand(args);
  }

  /** Resolves once the client can take commands; `undefined` when it can already. */
  private ready(): Promise<void> | undefined {
    if (this.closed) throw new SessionStoreError('the Redis session store is closed');
    if (!this.owned) return undefined;
    // `isOpen` turns true as soon as connect() starts: concurrent first calls must wait for the
    // same connection instead of racing a client that is not ready (the offline queue is off).
    if (this.connecting) return this.connecting;
    if (this.client.isOpen) return undefined;
    this.connecting ??= (this.client as unknown as { connect(): Promise<unknown> }).connect().then(
      () => undefined,
      (error: unknown) => {
        this.connecting = undefined;
        throw error;
      },
    );
    return this.connecting;
  }

  /**
   * Calls `call` once the client is ready and settles with its outcome, or with
   * `StoreUnavailableError` after the deadline. Written without async functions or `Promise.race`:
   * it runs for every store call, and its allocations showed in the append's profile.
   */
  private withDeadline<T>(operation: string, call: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiting = this.track(() => reject(new StoreUnavailableError(`Redis ${operation} did not answer within ${this.timeoutMs} ms`)));
      const settle = (value: T): void => {
        this.untrack(waiting);
        resolve(value);
      };
      const fail = (error: unknown): void => {
        this.untrack(waiting);
        reject(toStoreError(error, operation));
      };
      try {
        const ready = this.ready();
        (ready === undefined ? call() : ready.then(call)).then(settle, fail);
      } catch (error) {
        fail(error);
      }
    });
  }

  /**
   * Gives a call its deadline. The calls share one timer, armed for the oldest call's deadline: a
   * timer set and cleared per call cost 3-4 µs of an append's round trip. The timer is unref'd, so
   * it is the client's socket, as for any node-redis call, that keeps the process alive while a
   * call waits.
   */
  private track(expire: () => void): Pending {
    const waiting: Pending = { deadline: performance.now() + this.timeoutMs, expire, older: this.newest, newer: undefined };
    if (this.newest) this.newest.newer = waiting;
    else this.oldest = waiting;
    this.newest = waiting;
    this.deadlineTimer ??= setTimeout(() => this.expireDue(), this.timeoutMs).unref();
    return waiting;
  }

  /** Forgets a call that settled (an expired one is forgotten already); the timer stays armed. */
  private untrack(waiting: Pending): void {
    if (waiting.expire === undefined) return;
    waiting.expire = undefined;
    if (waiting.older) waiting.older.newer = waiting.newer;
    else this.oldest = waiting.newer;
    if (waiting.newer) waiting.newer.older = waiting.older;
    else this.newest = waiting.older;
  }

  private expireDue(): void {
    this.deadlineTimer = undefined;
    const now = performance.now();
    for (let waiting = this.oldest; waiting !== undefined && waiting.deadline <= now; waiting = this.oldest) {
      const expire = waiting.expire!;
      this.untrack(waiting);
      expire();
    }
    if (this.oldest) this.deadlineTimer = setTimeout(() => this.expireDue(), Math.max(1, this.oldest.deadline - now)).unref();
  }
}
