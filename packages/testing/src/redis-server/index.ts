import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * redis-server processes that test suites start on spare ports of 127.0.0.1 (a server without
 * `COPY`, a durable one to kill and restart, a cluster), each in a temporary directory of its own.
 * Needs `redis-server` and `redis-cli` on the PATH.
 */

const run = promisify(execFile);

/** A redis-server process a test started on 127.0.0.1. */
export type RedisServer = {
  port: number;
  url: string;
  /** Starts the process again with the same arguments and directory (after `kill`). */
  start(): Promise<void>;
  /** Kills the process (SIGKILL), keeping its directory: what it persisted survives a `start`. */
  kill(): Promise<void>;
  /** Kills the process and deletes its directory. */
  stop(): Promise<void>;
};

/** Runs `redis-cli` against 127.0.0.1:`port`; its trimmed output. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 5000 });
  return stdout.trim();
}

async function answers(port: number): Promise<boolean> {
  try {
    return (await redisCli(port, 'PING')) === 'PONG';
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

/**
 * Starts redis-server on 127.0.0.1:`port` without snapshots, `extra` arguments last (they win:
 * `['--appendonly', 'yes', '--appendfsync', 'always']` makes a server that loses nothing it
 * acknowledged when killed). Rejects when the port already answers, so a test never takes over
 * someone else's server.
 */
export async function startRedisServer(port: number, extra: readonly string[] = []): Promise<RedisServer> {
  if (await answers(port)) throw new Error(`port ${port} already has a Redis server; pick another spare port`);
  const dir = await mkdtemp(join(tmpdir(), `redis-${port}-`));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra];
  let pid: number | undefined;
  const server: RedisServer = {
    port,
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const child = spawn('redis-server', args, { stdio: 'ignore' });
      pid = child.pid;
      child.unref();
      await waitFor(() => answers(port), `redis-server on ${port}`);
    },
    async kill() {
      if (pid === undefined) return;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      pid = undefined;
      await waitFor(async () => !(await answers(port)), `redis-server on ${port} to stop`);
    },
    async stop() {
      await server.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}

/** A local Redis Cluster of masters only, one per port. */
export type RedisCluster = { rootNodes: Array<{ url: string }>; stop(): Promise<void> };

/** Starts one cluster-enabled server per port and joins them (`redis-cli --cluster create`), no replicas. */
export async function startRedisCluster(ports: readonly number[]): Promise<RedisCluster> {
  const servers: RedisServer[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.stop()));
  };
  try {
    for (const port of ports) {
      servers.push(await startRedisServer(port, ['--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000']));
    }
    await run('redis-cli', ['--cluster', 'create', ...ports.map((port) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    for (const port of ports) {
      await waitFor(async () => (await redisCli(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'), `cluster_state:ok on ${port}`, 20_000);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { rootNodes: ports.map((port) => ({ url: `redis://127.0.0.1:${port}` })), stop };
}
