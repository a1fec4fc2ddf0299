import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A redis-server process a test started on 127.0.0.1, with an fsync-always append-only file. */
export type DurableRedis = { url: string; kill(): Promise<void>; start(): Promise<void>; stop(): Promise<void> };

async function answers(port: number): Promise<boolean> {
  try {
    return (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), 'PING'], { timeout: 2000 })).stdout.trim() === 'PONG';
  } catch {
    return false;
  }
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Starts redis-server on `port` persisting every write (`appendfsync always`), so a kill loses
 * nothing it acknowledged; `kill` (SIGKILL) and `start` restart it on the same data.
 */
export async function startDurableRedis(port: number): Promise<DurableRedis> {
  if (await answers(port)) throw new Error(`port ${port} already has a Redis server; pick another spare port`);
  const dir = await mkdtemp(join(tmpdir(), `e2e-redis-${port}-`));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--dir', dir];
  let pid: number | undefined;
  const server: DurableRedis = {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const child = spawn('redis-server', args, { stdio: 'ignore' });
      pid = child.pid;
      child.unref();
      await until(() => answers(port), `redis-server on ${port}`);
    },
    async kill() {
      if (pid === undefined) return;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      pid = undefined;
      await until(async () => !(await answers(port)), `redis-server on ${port} to stop`);
    },
    async stop() {
      await server.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
  await server.start();
  return server;
}
