import { randomUUID } from 'node:crypto';
import { SessionConflictError, SessionStoreError } from '@sdk/core/store';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../src/index.js';
import { entry, startRedisServer } from './redis-servers.js';
import type { KeyScanner, RedisServer } from './redis-servers.js';

const PORT = 7141;
let server: RedisServer | undefined;
let client: KeyScanner | undefined;

beforeAll(async () => {
  server = await startRedisServer(PORT, ['--maxmemory-policy', 'noeviction']);
  client = createClient({ url: server.url });
  client.on('error', () => undefined);
  await client.connect();
});

afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

describe('RedisSessionStore on a server out of memory', () => {
  it('still reports a retry that landed as stored and a refused condition as a conflict', async () => {
    // A single entry's uuid is normally written first (SADD as the duplicate check), which a server
    // refusing every write turns down: the answers must not change for appends that write nothing.
    const store = new RedisSessionStore({ client: client! }, { prefix: 'oom' });
    const session = { projectKey: 'proj', sessionId: randomUUID() };
    const stored = entry('stored');
    await store.append(session, [stored]);
    for (let index = 0; index < 300; index++) await client!.set(`fill:${index}`, 'x'.repeat(10_000));
    await client!.configSet('maxmemory', '1mb');
    await expect(store.append(session, [stored])).resolves.toBeUndefined();
    await expect(store.appendIf(session, [entry('refused')], { expectedLength: 5 })).rejects.toBeInstanceOf(SessionConflictError);
    const full = await store.append(session, [entry('new')]).catch((error: unknown) => error);
    expect(full).toBeInstanceOf(SessionStoreError);
    expect((full as Error).message).toContain('OOM');
    await client!.configSet('maxmemory', '0');
    expect(await store.load(session)).toEqual([stored]);
  });
});
