import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { createClient } from 'redis';

const run = promisify(execFile);

/** A redis-server process this test suite started, on 127.0.0.1. */
export type RedisServer = {
  port: number;
  url: string;
  /** Starts the process again with the same arguments (after `kill`). */
  start(): Promise<void>;
  /** Kills the process, keeping its directory. */
  kill(): Promise<void>;
  /** Kills the process and deletes its directory. */
  stop(): Promise<void>;
};

/** The shared server every test may use; tests fail (never skip) when it is down. */
export const SHARED_REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A unique key prefix, so concurrent test files and runs never see each other's keys. */
export function uniquePrefix(label: string): string {
  return `test-${label}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

async function ping(port: number): Promise<boolean> {
  try {
    const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'PING'], { timeout: 2000 });
    return stdout.trim() === 'PONG';
  } catch {
    return false;
  }
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Starts redis-server on `port` (no persistence) with `extra` arguments; `stop` removes its files. */
export async function startRedisServer(port: number, extra: string[] = []): Promise<RedisServer> {
  if (await ping(port)) throw new Error(`port ${port} already has a Redis server; pick another spare port`);
  const dir = await mkdtemp(join(tmpdir(), `store-redis-${port}-`));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra];
  let pid: number | undefined;
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const child = spawn('redis-server', args, { stdio: 'ignore', detached: false });
      pid = child.pid;
      child.unref();
      await waitFor(() => ping(port), `redis-server on ${port}`);
    },
    async kill() {
      if (pid !== undefined) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
        pid = undefined;
        await waitFor(async () => !(await ping(port)), `redis-server on ${port} to stop`);
      }
    },
    async stop() {
      await server.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

/** A local three-master Redis Cluster on `ports`. */
export type RedisCluster = { rootNodes: Array<{ url: string }>; stop(): Promise<void> };

export async function startRedisCluster(ports: readonly number[]): Promise<RedisCluster> {
  const servers: RedisServer[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  try {
    for (const port of ports) {
      servers.push(
        await startRedisServer(port, ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000']),
      );
    }
    await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'], {
      timeout: 30_000,
    });
    for (const port of ports) {
      await waitFor(async () => {
        const { stdout } = await run('redis-cli', ['-p', String(port), 'CLUSTER', 'INFO']);
        return stdout.includes('cluster_state:ok');
      }, `cluster_state:ok on ${port}`, 20_000);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { rootNodes: ports.map((port) => ({ url: `redis://127.0.0.1:${port}` })), stop };
}

/** A connected standalone client, as `deletePrefix` needs it. */
export type KeyScanner = ReturnType<typeof createClient>;

/**
 * Deletes every key under `prefix` on the server `client` is connected to (the session keys start
 * with `{prefix:`, the indexes with `prefix:`). For a cluster, call it with a client of every master.
 */
export async function deletePrefix(client: KeyScanner, prefix: string): Promise<void> {
  for (const pattern of [`{${prefix}:*`, `${prefix}:*`]) {
    for await (const keys of client.scanIterator({ MATCH: pattern, COUNT: 1000 })) {
      // One key per UNLINK: on a Cluster node, keys of several slots in one command fail with CROSSSLOT.
      for (const name of keys) await client.unlink(name);
    }
  }
}
