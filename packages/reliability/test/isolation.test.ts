import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createSessionFunctions,
  SessionNotFoundError,
  SessionStoreError,
  type ExtendedSessionStore,
  type SessionRef,
  type SessionStoreEntry,
} from '@sdk/core';
import { FileSessionStore } from '@sdk/store-file';
import { InMemorySessionStore } from '@sdk/store-memory';
import { migrate, PostgresSessionStore } from '@sdk/store-postgres';
import { RedisSessionStore } from '@sdk/store-redis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgConnectionString, redisCli, startRedisServer, uniqueSchema, type RedisServer } from './support/harness.js';

// Two tenants: A's sessions must be invisible and untouchable through B's store and through the
// session functions B calls, whatever B passes. Tenants are separated by project key (one store), by
// store space (file roots, Redis prefixes, PostgreSQL schemas), and by Redis ACL users limited to
// their own key prefix.

const REDIS_PORT = 7263;
let scratch: string;
let redis: RedisServer;
let pool: pg.Pool;
const schemas: string[] = [];
let checks = 0;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'reliability-isolation-'));
  redis = await startRedisServer(REDIS_PORT);
  pool = new pg.Pool({ connectionString: pgConnectionString(), max: 4 });
  pool.on('error', () => undefined);
});

afterAll(async () => {
  for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
  await redis?.stop();
  await rm(scratch, { recursive: true, force: true });
  console.log(`isolation checks: ${checks}`);
});

function transcript(label: string): SessionStoreEntry[] {
  const first = randomUUID();
  return [
    { type: 'user', uuid: first, parentUuid: null, sessionId: 'x', timestamp: new Date().toISOString(), message: { role: 'user', content: `${label} secret prompt` } },
    {
      type: 'assistant',
      uuid: randomUUID(),
      parentUuid: first,
      timestamp: new Date().toISOString(),
      message: { role: 'assistant', id: `msg_${randomUUID()}`, content: [{ type: 'text', text: `${label} secret answer` }], stop_reason: 'end_turn' },
    },
  ];
}

/**
 * Tenant A writes a session (with a sub-transcript) through `a`; every public method of `b`, called by
 * tenant B with A's session id in B's project, must neither reveal nor change it.
 */
async function expectIsolated(a: ExtendedSessionStore, projectA: string, b: ExtendedSessionStore, projectB: string): Promise<void> {
  const victim: SessionRef = { projectKey: projectA, sessionId: randomUUID() };
  const entries = transcript('tenant-a');
  await a.append(victim, entries);
  await a.append({ ...victim, subpath: 'subagents/agent-a1' }, transcript('tenant-a subagent'));
  const before = await a.load(victim);
  // What B can name: A's session id, in B's own project.
  const probe: SessionRef = { projectKey: projectB, sessionId: victim.sessionId };

  const leaks: string[] = [];
  const reveal = (name: string, value: unknown) => {
    checks++;
    if (JSON.stringify(value ?? null).includes('tenant-a')) leaks.push(name);
  };
  reveal('load', await b.load(probe));
  reveal('load subkey', await b.load({ ...probe, subpath: 'subagents/agent-a1' }));
  if (b.loadWindow) reveal('loadWindow', await b.loadWindow(probe, { start: 0 }));
  if (b.listSessions) {
    const listed = await b.listSessions(projectB);
    checks++;
    expect(listed.map((listing) => listing.sessionId)).not.toContain(victim.sessionId);
  }
  if (b.listSessionSummaries) {
    const summaries = await b.listSessionSummaries(projectB);
    checks++;
    expect(summaries.map((summary) => summary.sessionId)).not.toContain(victim.sessionId);
    reveal('listSessionSummaries', summaries);
  }
  if (b.listSubkeys) reveal('listSubkeys', await b.listSubkeys(probe));
  if (b.fork) {
    checks++;
    await expect(b.fork(probe, randomUUID())).rejects.toBeInstanceOf(SessionNotFoundError);
  }
  if (b.delete) {
    await b.delete(probe);
    await b.delete({ ...probe, subpath: 'subagents/agent-a1' });
  }
  if (b.expire) await b.expire(probe, 1).catch(() => undefined);
  if (b.acquireLease) {
    // B's lease on "the same" session does not block A.
    await b.acquireLease(probe, { holder: 'tenant-b', ttlMs: 60_000 });
    const lease = await a.acquireLease!(victim, { holder: 'tenant-a', ttlMs: 1000 });
    await a.releaseLease!(lease);
    checks++;
  }

  // The session functions, as tenant B calls them.
  const functions = createSessionFunctions();
  const options = { sessionStore: b, dir: `/srv/${projectB}` };
  reveal('getSessionInfo', await functions.getSessionInfo(victim.sessionId, options));
  reveal('getSessionMessages', await functions.getSessionMessages(victim.sessionId, options));
  reveal('listSubagents', await functions.listSubagents(victim.sessionId, options));
  reveal('getSubagentMessages', await functions.getSubagentMessages(victim.sessionId, 'a1', options));
  reveal('listSessions', await functions.listSessions(options));
  checks++;
  await expect(functions.forkSession(victim.sessionId, options)).rejects.toBeInstanceOf(SessionStoreError);
  await functions.deleteSession(victim.sessionId, options);

  expect(leaks).toEqual([]);
  // A's session and sub-transcript are intact (B's expire of 1 ms did not reach it either).
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(await a.load(victim)).toEqual(before);
  expect(await a.load({ ...victim, subpath: 'subagents/agent-a1' })).toHaveLength(2);
  if (a.listSessions) expect((await a.listSessions(projectA)).map((listing) => listing.sessionId)).toContain(victim.sessionId);
}

describe('two tenants, one store, different project keys', () => {
  it('memory store', async () => {
    const store = new InMemorySessionStore();
    await expectIsolated(store, 'tenant-a', store, 'tenant-b');
  });

  it('file store', async () => {
    const store = new FileSessionStore({ root: join(scratch, 'shared-root'), durability: 'none' });
    await expectIsolated(store, 'tenant-a', store, 'tenant-b');
    await store.flush();
  });

  it('Redis store (one prefix)', async () => {
    const store = new RedisSessionStore({ url: redis.url }, { prefix: 'shared' });
    await expectIsolated(store, 'tenant-a', store, 'tenant-b');
    await store.close();
  });

  it('PostgreSQL store (one schema)', async () => {
    const schema = uniqueSchema('iso_shared');
    schemas.push(schema);
    await migrate(pool, { schema });
    const store = new PostgresSessionStore({ pool }, { schema });
    await expectIsolated(store, 'tenant-a', store, 'tenant-b');
    await store.close();
  });
});

describe('two tenants, separate store spaces, the same project key', () => {
  it('file stores on different roots', async () => {
    const a = new FileSessionStore({ root: join(scratch, 'root-a'), durability: 'none' });
    const b = new FileSessionStore({ root: join(scratch, 'root-b'), durability: 'none' });
    await expectIsolated(a, 'app', b, 'app');
    await a.flush();
    await b.flush();
  });

  it('Redis stores with different prefixes', async () => {
    const a = new RedisSessionStore({ url: redis.url }, { prefix: 'tenant-a' });
    const b = new RedisSessionStore({ url: redis.url }, { prefix: 'tenant-b' });
    await expectIsolated(a, 'app', b, 'app');
    await a.close();
    await b.close();
  });

  it('PostgreSQL stores on different schemas', async () => {
    const schemaA = uniqueSchema('iso_a');
    const schemaB = uniqueSchema('iso_b');
    schemas.push(schemaA, schemaB);
    await migrate(pool, { schema: schemaA });
    await migrate(pool, { schema: schemaB });
    const a = new PostgresSessionStore({ pool }, { schema: schemaA });
    const b = new PostgresSessionStore({ pool }, { schema: schemaB });
    await expectIsolated(a, 'app', b, 'app');
    await a.close();
    await b.close();
  });
});

describe('Redis ACL users limited to their key prefix', () => {
  // Session keys are `{<prefix>:<project>:<session>}:…` (hash tag first), project indexes
  // `<prefix>:<project>:sessions`: a tenant's ACL needs both patterns.
  const aclFor = (prefix: string) => [`~${prefix}:*`, `~{${prefix}:*`];

  beforeAll(async () => {
    for (const tenant of ['tenant-a', 'tenant-b']) {
      await redisCli(REDIS_PORT, 'ACL', 'SETUSER', tenant, 'reset', 'on', `>pw-${tenant}`, ...aclFor(tenant), '+@all', '-@dangerous');
    }
  });

  const urlOf = (user: string) => `redis://${user}:pw-${user}@127.0.0.1:${REDIS_PORT}`;

  it('each ACL user works in its own prefix and stays isolated from the other', async () => {
    const a = new RedisSessionStore({ url: urlOf('tenant-a') }, { prefix: 'tenant-a' });
    const b = new RedisSessionStore({ url: urlOf('tenant-b') }, { prefix: 'tenant-b' });
    try {
      await expectIsolated(a, 'acl', b, 'acl');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("tenant B's ACL user cannot read, list, fork, lease or delete through tenant A's prefix", async () => {
    const a = new RedisSessionStore({ url: urlOf('tenant-a') }, { prefix: 'tenant-a' });
    // A hostile (or misconfigured) tenant B that names A's prefix with its own credentials.
    const intruder = new RedisSessionStore({ url: urlOf('tenant-b') }, { prefix: 'tenant-a', commandTimeoutMs: 3000 });
    try {
      const victim: SessionRef = { projectKey: 'acl', sessionId: randomUUID() };
      await a.append(victim, transcript('tenant-a'));
      const before = await a.load(victim);
      const refused: string[] = [];
      const attempts: Array<[string, () => Promise<unknown>]> = [
        ['load', () => intruder.load(victim)],
        ['loadWindow', () => intruder.loadWindow(victim, { start: 0 })],
        ['listSessions', () => intruder.listSessions('acl')],
        ['listSessionSummaries', () => intruder.listSessionSummaries('acl')],
        ['listSubkeys', () => intruder.listSubkeys(victim)],
        ['fork', () => intruder.fork(victim, randomUUID())],
        ['append', () => intruder.append(victim, transcript('tenant-b'))],
        ['appendIf', () => intruder.appendIf(victim, transcript('tenant-b'), { expectedLength: 2 })],
        ['expire', () => intruder.expire(victim, 1)],
        ['acquireLease', () => intruder.acquireLease(victim, { holder: 'b', ttlMs: 60_000 })],
        ['delete', () => intruder.delete(victim)],
        ['getSessionMessages', () => createSessionFunctions().getSessionMessages(victim.sessionId, { sessionStore: intruder, dir: '/srv/acl' })],
      ];
      for (const [name, attempt] of attempts) {
        const outcome = await attempt().then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
        checks++;
        if ('error' in outcome) {
          refused.push(name);
          // A typed store error that says why.
          expect(outcome.error, name).toBeInstanceOf(SessionStoreError);
          expect(String((outcome.error as Error).message) + String((outcome.error as Error).cause), name).toMatch(/NOPERM|permission/i);
        } else {
          // Only an empty answer is acceptable (e.g. the session functions reading another project).
          expect(JSON.stringify(outcome.value ?? null), name).not.toContain('tenant-a');
        }
      }
      // Every call was refused by the server (NOPERM), the session function's read included.
      expect(refused).toEqual(attempts.map(([name]) => name));
      // A's session is unchanged and A still works with it.
      expect(await a.load(victim)).toEqual(before);
      const lease = await a.acquireLease(victim, { holder: 'a', ttlMs: 1000 });
      await a.releaseLease(lease);
    } finally {
      await a.close();
      await intruder.close();
    }
  });
});
