import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  createQuery,
  createSessionFunctions,
  EntryTooLargeError,
  InvalidSessionKeyError,
  SessionStoreError,
  type ExtendedSessionStore,
  type SDKResultMessage,
  type SessionKey,
  type SessionStoreEntry,
} from '@sdk/core';
import { FileSessionStore } from '@sdk/store-file';
import { InMemorySessionStore } from '@sdk/store-memory';
import { migrate, PostgresSessionStore } from '@sdk/store-postgres';
import { RedisSessionStore } from '@sdk/store-redis';
import { startMessagesEmulator, textReply, toolUseReply, type MessagesEmulator } from '@sdk/testing/emulator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgConnectionString, redisCli, startRedisServer, uniqueSchema, type RedisServer } from './support/harness.js';

// Hostile keys through every public method of every store and through the session functions; the
// file store with symbolic links planted below its root; oversized entries; built-in tools asked to
// write outside `cwd`. Everything must be refused with a typed, clear error, and nothing outside the
// store's own space (its root, its key prefix, its schema) may be touched.

const REDIS_PORT = 7262;
const VALID_PROJECT = 'tenant-a';
const VALID_ID = randomUUID();

const HOSTILE_PROJECT_KEYS = [
  '',
  '.',
  '..',
  '../escape',
  '../../etc',
  '/etc',
  '/tmp/abs',
  'a/b',
  'a\\b',
  'C:\\Windows',
  'nul\0byte',
  'new\nline',
  'carriage\rreturn',
  'tab\there',
  'space here',
  '*',
  'tenant-*',
  'tenant?',
  '[ab]',
  '{a,b}',
  'tenant:a',
  '.hidden',
  '~root',
  '%2e%2e',
  '\u202etxt.exe',
  'x'.repeat(256),
  'x'.repeat(100_000),
];

const HOSTILE_SESSION_IDS = [
  '',
  '../../etc/passwd',
  '/etc/passwd',
  'not-a-uuid',
  `${VALID_ID}\n`,
  `${VALID_ID}\0`,
  `${VALID_ID}/../x`,
  `../${VALID_ID}`,
  '*',
  `${VALID_ID.slice(0, -1)}*`,
  `${VALID_ID.slice(0, -1)}?`,
  `[${VALID_ID}]`,
  `${VALID_ID} `,
  VALID_ID.repeat(100),
];

const HOSTILE_SUBPATHS = ['', '..', '../x', 'a/../../b', '/abs', 'a//b', 'a/', '.x', 'a\0b', 'a\nb', 'a*', 'a?', '[a]', 'a b', Array(9).fill('a').join('/'), 'x'.repeat(256)];

type Named = { name: string; store: ExtendedSessionStore; cleanup(): Promise<void>; untouched(): Promise<void> };

/** Every public method of a store, called with `key` (and variants of it where a method takes a ref). */
function calls(store: ExtendedSessionStore, key: SessionKey): Array<[string, () => Promise<unknown>]> {
  const entry: SessionStoreEntry = { type: 'user', uuid: randomUUID(), message: { role: 'user', content: 'x' } };
  const ref = { projectKey: key.projectKey, sessionId: key.sessionId };
  const list: Array<[string, () => Promise<unknown>]> = [
    ['append', () => store.append(key, [entry])],
    ['load', () => store.load(key)],
  ];
  if (store.appendIf) list.push(['appendIf', () => store.appendIf!(key, [entry], { expectedLength: 0 })]);
  if (store.loadWindow) list.push(['loadWindow', () => store.loadWindow!(key, { start: 0 })]);
  if (store.delete) list.push(['delete', () => store.delete!(key)]);
  if (key.subpath === undefined) {
    if (store.listSessions && key.projectKey !== VALID_PROJECT) list.push(['listSessions', () => store.listSessions!(key.projectKey)]);
    if (store.listSessionSummaries && key.projectKey !== VALID_PROJECT) list.push(['listSessionSummaries', () => store.listSessionSummaries!(key.projectKey)]);
    if (store.listSubkeys) list.push(['listSubkeys', () => store.listSubkeys!(ref)]);
    if (store.fork) list.push(['fork (source)', () => store.fork!(ref, randomUUID())]);
    if (store.fork && key.projectKey === VALID_PROJECT) list.push(['fork (target)', () => store.fork!({ projectKey: VALID_PROJECT, sessionId: VALID_ID }, key.sessionId)]);
    if (store.expire) list.push(['expire', () => store.expire!(ref, 1000)]);
    if (store.acquireLease) list.push(['acquireLease', () => store.acquireLease!(ref, { holder: 'h', ttlMs: 1000 })]);
    if (store.renewLease) list.push(['renewLease', () => store.renewLease!({ key: ref, holder: 'h', token: 1, expiresAt: Date.now() + 1000 }, 1000)]);
    if (store.releaseLease) list.push(['releaseLease', () => store.releaseLease!({ key: ref, holder: 'h', token: 1, expiresAt: Date.now() + 1000 })]);
  }
  return list;
}

function hostileKeys(): Array<[string, SessionKey]> {
  return [
    ...HOSTILE_PROJECT_KEYS.map((projectKey): [string, SessionKey] => [`projectKey ${JSON.stringify(projectKey.slice(0, 20))}`, { projectKey, sessionId: VALID_ID }]),
    ...HOSTILE_SESSION_IDS.map((sessionId): [string, SessionKey] => [`sessionId ${JSON.stringify(sessionId.slice(0, 40))}`, { projectKey: VALID_PROJECT, sessionId }]),
    ...HOSTILE_SUBPATHS.map((subpath): [string, SessionKey] => [`subpath ${JSON.stringify(subpath.slice(0, 20))}`, { projectKey: VALID_PROJECT, sessionId: VALID_ID, subpath }]),
  ];
}

/** Every file below `dir`, relative, with symlinks listed (not followed). */
async function tree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (current: string): Promise<void> => {
    for (const name of await readdir(current)) {
      const path = join(current, name);
      out.push(relative(dir, path));
      if ((await lstat(path)).isDirectory()) await walk(path);
    }
  };
  await walk(dir);
  return out.sort();
}

let scratch: string;
let redis: RedisServer;
let pool: pg.Pool;
const schemas: string[] = [];
const counted = { hostileCalls: 0 };

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'reliability-hostile-'));
  redis = await startRedisServer(REDIS_PORT);
  pool = new pg.Pool({ connectionString: pgConnectionString(), max: 4 });
  pool.on('error', () => undefined);
});

afterAll(async () => {
  for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
  await redis?.stop();
  await rm(scratch, { recursive: true, force: true });
  console.log(`hostile key calls rejected: ${counted.hostileCalls}`);
});

async function stores(): Promise<Named[]> {
  const fileSandbox = await mkdtemp(join(scratch, 'file-'));
  const root = join(fileSandbox, 'root');
  await mkdir(root);
  await writeFile(join(fileSandbox, 'sentinel.txt'), 'outside the root');
  const file = new FileSessionStore({ root, durability: 'none' });
  const redisStore = new RedisSessionStore({ url: redis.url }, { prefix: 'hostile', commandTimeoutMs: 3000 });
  const schema = uniqueSchema('hostile');
  schemas.push(schema);
  await migrate(pool, { schema });
  const postgres = new PostgresSessionStore({ pool }, { schema });
  return [
    { name: 'memory', store: new InMemorySessionStore(), cleanup: async () => undefined, untouched: async () => undefined },
    {
      name: 'file',
      store: file,
      cleanup: () => file.flush(),
      untouched: async () => {
        // Nothing written anywhere: not in the root, not next to it.
        expect(await tree(fileSandbox)).toEqual(['root', 'sentinel.txt']);
      },
    },
    {
      name: 'redis',
      store: redisStore,
      cleanup: () => redisStore.close(),
      untouched: async () => {
        expect(await redisCli(REDIS_PORT, 'DBSIZE')).toBe('0');
      },
    },
    {
      name: 'postgres',
      store: postgres,
      cleanup: () => postgres.close(),
      untouched: async () => {
        const { rows } = await pool.query<{ n: string }>(`SELECT (SELECT count(*) FROM "${schema}".entries) + (SELECT count(*) FROM "${schema}".sessions) AS n`);
        expect(Number(rows[0]!.n)).toBe(0);
      },
    },
  ];
}

describe('hostile session keys through every store method', () => {
  it('memory, file, Redis and PostgreSQL reject every hostile key with InvalidSessionKeyError and touch nothing', async () => {
    for (const { name, store, cleanup, untouched } of await stores()) {
      try {
        for (const [label, key] of hostileKeys()) {
          for (const [method, call] of calls(store, key)) {
            const error = await call().then(
              () => undefined,
              (caught: unknown) => caught,
            );
            expect(error, `${name}.${method} with ${label}`).toBeInstanceOf(InvalidSessionKeyError);
            // A clear message naming the field (and never echoing an overlong value in full).
            expect((error as Error).message, `${name}.${method} with ${label}`).toMatch(/projectKey|sessionId|subpath|UUID/);
            expect((error as Error).message.length).toBeLessThan(400);
            counted.hostileCalls++;
          }
        }
        await untouched();
      } finally {
        await cleanup();
      }
    }
  });

  it('the session functions: reads of a hostile session id find nothing, mutations reject with InvalidSessionKeyError', async () => {
    const store = new InMemorySessionStore();
    const functions = createSessionFunctions();
    const session = { projectKey: 'whatever', sessionId: randomUUID() };
    await store.append(session, [{ type: 'user', uuid: randomUUID(), message: { role: 'user', content: 'hi' } }]);
    for (const sessionId of HOSTILE_SESSION_IDS) {
      const options = { sessionStore: store, dir: '/tmp' };
      const label = JSON.stringify(sessionId.slice(0, 40));
      // Reads behave as the official functions do: an id that cannot exist finds nothing.
      expect(await functions.getSessionInfo(sessionId, options), `getSessionInfo(${label})`).toBeUndefined();
      expect(await functions.getSessionMessages(sessionId, options), `getSessionMessages(${label})`).toEqual([]);
      expect(await functions.listSubagents(sessionId, options), `listSubagents(${label})`).toEqual([]);
      expect(await functions.getSubagentMessages(sessionId, 'a', options), `getSubagentMessages(${label})`).toEqual([]);
      counted.hostileCalls += 4;
      const mutations: Array<[string, () => Promise<unknown>]> = [
        ['renameSession', () => functions.renameSession(sessionId, 'title', options)],
        ['tagSession', () => functions.tagSession(sessionId, 'tag', options)],
        ['deleteSession', () => functions.deleteSession(sessionId, options)],
        ['forkSession', () => functions.forkSession(sessionId, options)],
        ['importSessionToStore', () => functions.importSessionToStore(sessionId, new InMemorySessionStore(), options)],
      ];
      for (const [name, attempt] of mutations) {
        const error = await attempt().then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error, `${name}(${label})`).toBeInstanceOf(InvalidSessionKeyError);
        expect((error as Error).message).toContain(name);
        counted.hostileCalls++;
      }
    }
    for (const agentId of ['../x', '/etc/passwd', 'a/b', 'a\0', '*']) {
      const error = await functions.getSubagentMessages(session.sessionId, agentId, { sessionStore: store, dir: '/tmp' }).then(
        (messages) => (messages.length === 0 ? undefined : new Error('returned messages')),
        (caught: unknown) => caught,
      );
      // Either refused with a typed error or nothing found; never another session's data.
      if (error !== undefined) expect(error).toBeInstanceOf(SessionStoreError);
    }
    // The existing session is intact.
    expect(await store.load(session)).toHaveLength(1);
  });
});

describe('hostile store options', () => {
  it('a Redis prefix or a PostgreSQL schema that could escape its space is refused at construction', () => {
    for (const prefix of ['', 'a*', 'a?', '[a]', '{a}', 'a}b', 'a b', 'a\nb', 'a\0', ':lead', 'x'.repeat(101)]) {
      expect(() => new RedisSessionStore({ url: redis.url }, { prefix }), JSON.stringify(prefix)).toThrow(SessionStoreError);
      counted.hostileCalls++;
    }
    for (const schema of ['', 'Public', 'a"b', 'a;drop table x', '1a', 'a-b', 'pg_catalog"."x', 'x'.repeat(64)]) {
      expect(() => new PostgresSessionStore({ pool }, { schema }), JSON.stringify(schema)).toThrow(SessionStoreError);
      counted.hostileCalls++;
    }
  });
});

describe('oversized entries', () => {
  it('Redis and PostgreSQL refuse an entry over maxEntryBytes with EntryTooLargeError, storing nothing of the batch', async () => {
    const schema = uniqueSchema('oversize');
    schemas.push(schema);
    await migrate(pool, { schema });
    const redisStore = new RedisSessionStore({ url: redis.url }, { prefix: 'oversize', maxEntryBytes: 4096 });
    const postgres = new PostgresSessionStore({ pool }, { schema, maxEntryBytes: 4096 });
    try {
      for (const store of [redisStore, postgres] as ExtendedSessionStore[]) {
        const key = { projectKey: VALID_PROJECT, sessionId: randomUUID() };
        const small: SessionStoreEntry = { type: 'user', uuid: randomUUID(), message: { content: 'ok' } };
        const huge: SessionStoreEntry = { type: 'user', uuid: randomUUID(), message: { content: 'z'.repeat(10_000) } };
        await expect(store.append(key, [small, huge])).rejects.toBeInstanceOf(EntryTooLargeError);
        await expect(store.appendIf!(key, [small, huge], { expectedLength: 0 })).rejects.toBeInstanceOf(EntryTooLargeError);
        await expect(store.append(key, [small, huge])).rejects.toThrow(/over the limit of 4096/);
        expect(await store.load(key)).toBeNull();
        await store.append(key, [small]);
        expect(await store.load(key)).toEqual([small]);
      }
    } finally {
      await redisStore.close();
      await postgres.close();
    }
  });
});

describe('symbolic links below the file store root', () => {
  it('a project folder, a transcript and a session folder that link outside the root are never followed', async () => {
    const sandbox = await mkdtemp(join(scratch, 'links-'));
    const root = join(sandbox, 'root');
    const outside = join(sandbox, 'outside');
    await mkdir(join(root, 'projects', 'legit'), { recursive: true });
    await mkdir(outside);
    const secretId = randomUUID();
    const secretLine = `${JSON.stringify({ type: 'user', uuid: randomUUID(), message: { role: 'user', content: 'SECRET' } })}\n`;
    await writeFile(join(outside, `${secretId}.jsonl`), secretLine);
    // 1. A project folder that is a link to a folder outside the root.
    await symlink(outside, join(root, 'projects', 'evil'));
    // 2. A transcript that is a link to a file outside the root.
    const linkedId = randomUUID();
    await symlink(join(outside, `${secretId}.jsonl`), join(root, 'projects', 'legit', `${linkedId}.jsonl`));
    // 3. A session folder (sub-transcripts) that is a link outside.
    const folderId = randomUUID();
    await symlink(outside, join(root, 'projects', 'legit', folderId));
    const before = await tree(outside);

    const store = new FileSessionStore({ root, durability: 'none' });
    const entry = { type: 'user', uuid: randomUUID(), message: { role: 'user', content: 'write attempt' } };
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ['load via project link', () => store.load({ projectKey: 'evil', sessionId: secretId })],
      ['loadWindow via project link', () => store.loadWindow({ projectKey: 'evil', sessionId: secretId }, { start: 0 })],
      ['append via project link', () => store.append({ projectKey: 'evil', sessionId: randomUUID() }, [entry])],
      ['append to existing via project link', () => store.append({ projectKey: 'evil', sessionId: secretId }, [entry])],
      ['listSessions via project link', () => store.listSessions('evil')],
      ['listSessionSummaries via project link', () => store.listSessionSummaries('evil')],
      ['delete via project link', () => store.delete({ projectKey: 'evil', sessionId: secretId })],
      ['fork via project link', () => store.fork({ projectKey: 'evil', sessionId: secretId }, randomUUID())],
      ['load of a linked transcript', () => store.load({ projectKey: 'legit', sessionId: linkedId })],
      ['append to a linked transcript', () => store.append({ projectKey: 'legit', sessionId: linkedId }, [entry])],
      ['fork of a linked transcript', () => store.fork({ projectKey: 'legit', sessionId: linkedId }, randomUUID())],
      ['append under a linked session folder', () => store.append({ projectKey: 'legit', sessionId: folderId, subpath: 'subagents/agent-x' }, [entry])],
      ['load under a linked session folder', () => store.load({ projectKey: 'legit', sessionId: folderId, subpath: secretId })],
      ['listSubkeys of a linked session folder', () => store.listSubkeys({ projectKey: 'legit', sessionId: folderId })],
      ['delete of a linked session folder', () => store.delete({ projectKey: 'legit', sessionId: folderId })],
    ];
    for (const [name, attempt] of attempts) {
      const outcome = await attempt().then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      if ('error' in outcome) {
        expect(outcome.error, name).toBeInstanceOf(SessionStoreError);
      } else {
        // Allowed only when it reveals nothing from outside: null, empty, or no data.
        expect(JSON.stringify(outcome.value ?? null), name).not.toContain('SECRET');
        expect(JSON.stringify(outcome.value ?? null), name).not.toContain(secretId);
      }
    }
    // Nothing outside the root was created, changed or deleted.
    expect(await tree(outside)).toEqual(before);
    expect(await readFile(join(outside, `${secretId}.jsonl`), 'utf8')).toBe(secretLine);
    await store.flush();
  });
});

describe('built-in tools asked to write outside cwd', () => {
  let emulator: MessagesEmulator;
  let cwd: string;
  let outside: string;
  beforeAll(async () => {
    emulator = await startMessagesEmulator();
    cwd = await mkdtemp(join(scratch, 'cwd-'));
    outside = await mkdtemp(join(tmpdir(), 'outside-'));
    await writeFile(join(outside, 'existing.txt'), 'original');
    await symlink(outside, join(cwd, 'link-out'));
  });
  afterAll(async () => {
    await emulator.close();
    await rm(outside, { recursive: true, force: true });
  });

  async function run(toolName: string, input: Record<string, unknown>, permissionMode: 'default' | 'acceptEdits'): Promise<SDKResultMessage> {
    const store = new InMemorySessionStore();
    const query = createQuery({ defaultStore: () => store });
    emulator.enqueue(toolUseReply(toolName, input), textReply('done'));
    let result: SDKResultMessage | undefined;
    for await (const message of query({
      prompt: 'Please do it.',
      options: { env: { ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'x', PATH: process.env.PATH ?? '' }, cwd, model: 'claude-sonnet-4-6', permissionMode },
    })) {
      if (message.type === 'result') result = message;
    }
    expect(emulator.requests.filter((request) => request.rejected !== undefined)).toEqual([]);
    return result!;
  }

  const target = () => join(tmpdir(), `outside-${randomUUID()}`);

  it.each(['default', 'acceptEdits'] as const)('%s mode: Write, Edit and Bash outside cwd are refused and nothing outside changes', async (mode) => {
    const writes = [target(), join(cwd, '..', `outside-${randomUUID()}`), join(outside, 'new.txt')];
    for (const file of writes) {
      const result = await run('Write', { file_path: file, content: 'pwned' }, mode);
      expect(result.permission_denials.map((denial) => denial.tool_name)).toEqual(['Write']);
      expect(existsSync(file), file).toBe(false);
    }
    const edit = await run('Edit', { file_path: join(outside, 'existing.txt'), old_string: 'original', new_string: 'pwned' }, mode);
    expect(edit.permission_denials.map((denial) => denial.tool_name)).toEqual(['Edit']);
    const bashTarget = target();
    const bash = await run('Bash', { command: `echo pwned > ${bashTarget}` }, mode);
    expect(bash.permission_denials.map((denial) => denial.tool_name)).toEqual(['Bash']);
    expect(existsSync(bashTarget)).toBe(false);
    expect(await readFile(join(outside, 'existing.txt'), 'utf8')).toBe('original');
  });

  it('acceptEdits mode: a Write inside cwd goes through (the control case)', async () => {
    const file = join(cwd, `inside-${randomUUID()}.txt`);
    const result = await run('Write', { file_path: file, content: 'fine' }, 'acceptEdits');
    expect(result.permission_denials).toEqual([]);
    expect(await readFile(file, 'utf8')).toBe('fine');
  });

  // Found by this suite, fixed in core: the working-directory check compared paths without
  // resolving symbolic links, so in acceptEdits mode a Write to `<cwd>/link-out/x` where `link-out`
  // points outside cwd must not count as inside: the permission check follows links (path-pattern.ts).
  it('acceptEdits mode: a Write through a symbolic link inside cwd that points outside is refused', async () => {
    const name = `via-link-${randomUUID()}.txt`;
    try {
      const result = await run('Write', { file_path: join(cwd, 'link-out', name), content: 'pwned' }, 'acceptEdits');
      expect(existsSync(join(outside, name))).toBe(false);
      expect(result.permission_denials.map((denial) => denial.tool_name)).toEqual(['Write']);
    } finally {
      await rm(join(outside, name), { force: true });
    }
  });
});
