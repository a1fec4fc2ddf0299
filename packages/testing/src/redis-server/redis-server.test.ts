import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { redisCli, startRedisServer, type RedisServer } from './index.js';

// Spare ports of this package's tests (other suites use 7200-7299 and 6390-6399).
const PORT = 7340;

describe('startRedisServer', () => {
  let server: RedisServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('starts a server with the extra arguments, kills it keeping its data, restarts it and removes it', async () => {
    server = await startRedisServer(PORT, ['--appendonly', 'yes', '--appendfsync', 'always']);
    expect(server.url).toBe(`redis://127.0.0.1:${PORT}`);
    expect(await redisCli(PORT, 'CONFIG', 'GET', 'appendonly')).toBe('appendonly\nyes');
    await redisCli(PORT, 'SET', 'kept', 'yes');
    const dir = await redisCli(PORT, 'CONFIG', 'GET', 'dir');
    await server.kill();
    await expect(redisCli(PORT, 'PING')).rejects.toThrow();
    await server.start();
    expect(await redisCli(PORT, 'GET', 'kept')).toBe('yes');
    await server.stop();
    server = undefined;
    await expect(redisCli(PORT, 'PING')).rejects.toThrow();
    expect(existsSync(dir.split('\n')[1]!)).toBe(false);
  });

  it('refuses a port where a server already answers', async () => {
    server = await startRedisServer(PORT);
    await expect(startRedisServer(PORT)).rejects.toThrow(/already has a Redis server/);
  });
});
