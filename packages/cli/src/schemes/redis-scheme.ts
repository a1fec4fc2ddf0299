import { assertValidProjectKey, SdkError, StoreUnavailableError } from '@sdk/core';
import { RedisSessionStore } from '@sdk/store-redis';
import { createClient } from 'redis';
import { StoreUrlError } from '../cli-errors.js';
import type { OpenedStore } from '../opened-store.js';
import { redactStoreUrl } from '../store-url.js';

/** Query parameters of a Redis store URL; everything else in the URL goes to node-redis. */
const PARAMETERS = new Set(['prefix']);
const CONNECT_TIMEOUT_MS = 5000;
/** A command-line run gives up on a lost server after a few quick attempts instead of waiting forever. */
const MAX_RECONNECTS = 5;
const SCAN_COUNT = '1000';

/**
 * `redis://[user:password@]host:port[/db][?prefix=name]` and `rediss://` (TLS). `prefix` is the
 * store's key prefix (default `claude-sessions`). Connects at once, so an unreachable server is
 * reported before the command starts (exit code 4).
 */
export async function openRedisStore(url: URL, text: string): Promise<OpenedStore> {
  const displayUrl = redactStoreUrl(text);
  for (const name of url.searchParams.keys()) {
    if (!PARAMETERS.has(name)) {
      throw new StoreUrlError(`unknown parameter "${name}" in ${JSON.stringify(displayUrl)}: Redis store URLs accept ${[...PARAMETERS].join(', ')}`);
    }
  }
  if (!url.hostname) throw new StoreUrlError(`Redis store URL ${JSON.stringify(displayUrl)} names no host: expected redis://host:port/db`);
  if (url.pathname.length > 1 && !/^\/\d+$/.test(url.pathname)) {
    throw new StoreUrlError(`Redis store URL ${JSON.stringify(displayUrl)}: the path must be a database number (/0), not ${JSON.stringify(url.pathname)}`);
  }
  const prefix = url.searchParams.get('prefix') ?? undefined;
  const connectionUrl = new URL(url.toString());
  connectionUrl.search = '';
  // A server that refuses the first connection is reported at once; a connection lost later is
  // retried a few times, so a long migration survives a blip.
  let connected = false;
  const client = createClient({
    url: connectionUrl.toString(),
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries: number) => (!connected || retries >= MAX_RECONNECTS ? false : Math.min(100 * 2 ** retries, 2000)),
    },
  });
  // node-redis rethrows connection errors as uncaught exceptions without a listener; the calls
  // that hit a broken connection report them.
  client.on('error', () => undefined);
  client.on('ready', () => {
    connected = true;
  });
  let store: RedisSessionStore;
  try {
    store = new RedisSessionStore({ client }, prefix === undefined ? {} : { prefix });
  } catch (error) {
    throw new StoreUrlError(`invalid prefix in ${JSON.stringify(displayUrl)}: ${(error as Error).message}`);
  }
  try {
    await client.connect();
  } catch (error) {
    if (client.isOpen) client.destroy();
    throw new StoreUnavailableError(`cannot reach Redis at ${displayUrl}: ${describe(error)}`, { cause: error });
  }
  const indexPrefix = `${prefix ?? 'claude-sessions'}:`;
  return {
    store,
    displayUrl,
    async listProjects() {
      // The store keeps one index per project, `<prefix>:<projectKey>:sessions`; session keys all
      // start with `{`, so the pattern matches only indexes.
      const projects = new Set<string>();
      let cursor = '0';
      do {
        const reply = await client.sendCommand<[string, string[]]>(['SCAN', cursor, 'MATCH', `${indexPrefix}*:sessions`, 'COUNT', SCAN_COUNT]);
        cursor = String(reply[0]);
        for (const key of reply[1]) {
          const projectKey = key.slice(indexPrefix.length, -':sessions'.length);
          if (isProjectKey(projectKey)) projects.add(projectKey);
        }
      } while (cursor !== '0');
      return [...projects].sort();
    },
    async close() {
      try {
        await client.close();
      } catch {
        client.destroy();
      }
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof SdkError || !(error instanceof Error)) return String(error instanceof Error ? error.message : error);
  // node-redis wraps socket failures in AggregateError for multi-address hosts.
  if (error instanceof AggregateError && error.errors.length > 0) return (error.errors as unknown[]).map(describe).join('; ');
  return error.message || error.name;
}

function isProjectKey(name: string): boolean {
  try {
    assertValidProjectKey(name);
    return true;
  } catch {
    return false;
  }
}
