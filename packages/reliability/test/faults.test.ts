import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, open, readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createToolRunner, SessionStoreError, StoreUnavailableError, type SDKAPIRetryMessage, type SDKMessage, type SessionRef } from '@sdk/core';
import { FileSessionStore } from '@sdk/store-file';
import { RedisSessionStore } from '@sdk/store-redis';
import { errorReply, startMessagesEmulator, textReply, toolUseReply, type EmulatorReply, type MessagesEmulator } from '@sdk/testing/emulator';
import { createClient } from 'redis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  acknowledging,
  executorFor,
  expectConsistent,
  newSession,
  privileged,
  redisCli,
  rejectedRequests,
  resultText,
  runTurn,
  startRedisServer,
  type RedisServer,
} from './support/harness.js';

let emulator: MessagesEmulator;
let scratch: string;
beforeAll(async () => {
  emulator = await startMessagesEmulator();
  scratch = await mkdtemp(join(tmpdir(), 'reliability-faults-'));
});
afterAll(async () => {
  await emulator.close();
  await rm(scratch, { recursive: true, force: true });
});
beforeEach(() => emulator.reset());

const retries = (messages: SDKMessage[]) => messages.filter((message): message is SDKAPIRetryMessage => message.type === 'system' && message.subtype === 'api_retry');
const FAST_RETRY = { maxRetries: 2, initialDelayMs: 1, maxDelayMs: 5 };

/** The next turn of the session works, and the emulator accepts the history it is sent. */
async function expectNextTurnWorks(store: FileSessionStore | RedisSessionStore, session: SessionRef, acknowledged: readonly string[] = []): Promise<void> {
  const from = emulator.requests.length;
  // A client that is still reconnecting fails fast with StoreUnavailableError: the caller retries,
  // within a bound.
  const until = Date.now() + 15_000;
  let outcome = await runTurn(executorFor(store, emulator), { session, prompt: 'after the fault', onConflict: 'retry' });
  while (outcome.error instanceof StoreUnavailableError && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    outcome = await runTurn(executorFor(store, emulator), { session, prompt: 'after the fault', onConflict: 'retry' });
  }
  const { result, error } = outcome;
  expect(error).toBeUndefined();
  expect(resultText(result)).toMatch(/^echo: after the fault/);
  expect(rejectedRequests(emulator, from)).toEqual([]);
  expectConsistent((await store.load(session)) ?? [], acknowledged);
}

// ---------------------------------------------------------------------------------------------
// Every emulator fault, through the executor, over the file store

describe('Messages API faults through the executor (file store)', () => {
  let store: FileSessionStore;
  beforeAll(() => {
    store = new FileSessionStore({ root: join(scratch, 'api-faults'), durability: 'none' });
  });
  afterAll(async () => {
    await store.flush();
  });

  const retryable: Array<[string, EmulatorReply, number | null]> = [
    ['connection-reset', { type: 'fault', fault: 'connection-reset' }, null],
    ['stream-cut mid text', { type: 'fault', fault: 'stream-cut', afterEvents: 4, reply: textReply('cut short') }, null],
    ['stream-cut mid tool_use', { type: 'fault', fault: 'stream-cut', afterEvents: 5, reply: toolUseReply('Lookup', { word: 'x' }, { text: 'calling' }) }, null],
    ['stream-error (overloaded)', { type: 'fault', fault: 'stream-error', afterEvents: 3 }, null],
    ['stream-error (api_error)', { type: 'fault', fault: 'stream-error', afterEvents: 5, errorType: 'api_error', message: 'Internal' }, null],
    ['429 rate_limit_error', errorReply(429, { retryAfter: 0 }), 429],
    ['500 api_error', errorReply(500), 500],
    ['529 overloaded_error', errorReply(529), 529],
  ];

  it.each(retryable)('%s: retried; nothing of the failed attempt is stored', async (_name, fault, status) => {
    const session = newSession();
    emulator.enqueue(fault);
    const { messages, result, error } = await runTurn(executorFor(store, emulator), { session, prompt: 'first', retry: FAST_RETRY });
    expect(error).toBeUndefined();
    expect(resultText(result)).toBe('echo: first [messages=1]');
    expect(retries(messages)).toEqual([expect.objectContaining({ attempt: 1, error_status: status })]);
    const entries = (await store.load(session))!;
    expect(entries.map((entry) => entry.type)).toEqual(['user', 'assistant', 'last-prompt']);
    expect(JSON.stringify(entries)).not.toContain('cut short');
    expectConsistent(entries);
    await expectNextTurnWorks(store, session);
  });

  it.each(retryable)('%s on every attempt: a typed error result, only the prompt stored', async (_name, fault) => {
    const session = newSession();
    for (let attempt = 0; attempt <= FAST_RETRY.maxRetries; attempt++) emulator.enqueue(fault);
    const { messages, result, error } = await runTurn(executorFor(store, emulator), { session, prompt: 'doomed', retry: FAST_RETRY });
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ type: 'result', subtype: 'error_during_execution', is_error: true });
    expect((result as { errors: string[] }).errors.join('\n')).toMatch(/gave up after 3 attempts/);
    expect(retries(messages)).toHaveLength(FAST_RETRY.maxRetries);
    const entries = (await store.load(session))!;
    expect(entries.map((entry) => entry.type)).toEqual(['user', 'last-prompt']);
    await expectNextTurnWorks(store, session);
  });

  const fatal: Array<[number, string]> = [
    [400, 'invalid_request_error'],
    [401, 'authentication_error'],
    [403, 'permission_error'],
    [404, 'not_found_error'],
    [413, 'request_too_large'],
  ];

  it.each(fatal)('HTTP %i: not retried; a typed error result naming %s; only the prompt stored', async (status, type) => {
    const session = newSession();
    emulator.enqueue(errorReply(status));
    const { messages, result, error } = await runTurn(executorFor(store, emulator), { session, prompt: 'refused', retry: FAST_RETRY });
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ subtype: 'error_during_execution', is_error: true, terminal_reason: 'api_error' });
    expect((result as { errors: string[] }).errors[0]).toContain(`API error ${status} ${type}`);
    expect(retries(messages)).toEqual([]);
    expect((await store.load(session))!.map((entry) => entry.type)).toEqual(['user', 'last-prompt']);
    await expectNextTurnWorks(store, session);
  });

  it('slow-first-byte: waited for, not retried', async () => {
    const session = newSession();
    emulator.enqueue({ type: 'fault', fault: 'slow-first-byte', delayMs: 300 });
    const { messages, result } = await runTurn(executorFor(store, emulator), { session, prompt: 'slow', retry: FAST_RETRY });
    expect(resultText(result)).toBe('echo: slow [messages=1]');
    expect(retries(messages)).toEqual([]);
  });

  it('a fault after a tool call: the tool result stays, the retried answer follows it', async () => {
    const session = newSession();
    const tools = createToolRunner([{ name: 'Lookup', description: 'd', inputSchema: { type: 'object' }, run: () => 'found' }]);
    emulator.enqueue(toolUseReply('Lookup', { word: 'x' }), { type: 'fault', fault: 'stream-cut', afterEvents: 4, reply: textReply('lost') }, textReply('final'));
    const { result } = await runTurn(executorFor(store, emulator), { session, prompt: 'tool then fault', tools, retry: FAST_RETRY });
    expect(resultText(result)).toBe('final');
    const entries = (await store.load(session))!;
    expect(entries.map((entry) => entry.type)).toEqual(['user', 'assistant', 'user', 'assistant', 'last-prompt']);
    expect(JSON.stringify(entries)).not.toContain('"lost"');
    expectConsistent(entries);
    await expectNextTurnWorks(store, session);
  });
});

// ---------------------------------------------------------------------------------------------
// The session lease across a long tool call

describe('a tool call that outlasts the session lease', () => {
  // Found by this suite, fixed in core: the turn used to renew its lease only when it appended, so a tool call (or a
  // stream) longer than `leaseTtlMs` (default 120 s) lets the lease expire with no other worker
  // around; the tool's result is then refused with SessionLeaseError, the turn rejects and the result
  // is lost. The executor renews the lease from a heartbeat while the tool runs (turn-writer.ts).
  it('keeps the lease while a tool runs longer than leaseTtlMs', async () => {
    const store = new FileSessionStore({ root: join(scratch, 'long-tool'), durability: 'none' });
    const session = newSession();
    const tools = createToolRunner([
      {
        name: 'Slow',
        description: 'Takes a while.',
        inputSchema: { type: 'object' },
        run: async () => {
          await new Promise((resolve) => setTimeout(resolve, 1200));
          return 'slow result';
        },
      },
    ]);
    emulator.enqueue(toolUseReply('Slow', {}), textReply('done'));
    const { error, result } = await runTurn(executorFor(store, emulator), { session, prompt: 'run the slow tool', tools, leaseTtlMs: 300 });
    await store.flush();
    expect(error).toBeUndefined();
    expect(resultText(result)).toBe('done');
  });
});

// ---------------------------------------------------------------------------------------------
// Redis: restart, CLIENT KILL and DEBUG SLEEP in the middle of a turn (a redis-server of our own)

describe('Redis faults in the middle of a turn', () => {
  const PORT = 7261;
  const TIMEOUT_MS = 700;
  let server: RedisServer;

  beforeAll(async () => {
    server = await startRedisServer(PORT, ['--appendonly', 'yes', '--appendfsync', 'always', '--enable-debug-command', 'yes']);
  });
  afterAll(async () => {
    await server?.stop();
  });

  /**
   * One turn whose tool causes `fault` while it runs (between the store writes of the assistant's
   * tool_use and of its result), then the next turn after the fault cleared.
   */
  async function turnWithFault(fault: () => Promise<void>, label: string): Promise<{ error: unknown; acknowledged: string[] }> {
    const base = new RedisSessionStore({ url: server.url }, { prefix: `fault-${label}`, commandTimeoutMs: TIMEOUT_MS });
    const { store, acknowledged } = acknowledging(base);
    const session = newSession();
    const tools = createToolRunner([
      {
        name: 'Fault',
        description: 'Breaks the store.',
        inputSchema: { type: 'object' },
        async run() {
          await fault();
          return 'fault injected';
        },
      },
    ]);
    emulator.enqueue(toolUseReply('Fault', {}), textReply('after the tool'));
    const from = emulator.requests.length;
    const { error, result } = await runTurn(executorFor(store, emulator), { session, prompt: 'break it', tools, leaseTtlMs: 1500, retry: FAST_RETRY });
    // The turn either rode the fault out, or rejected with a typed store error; nothing else.
    if (error === undefined) expect(resultText(result)).toBe('after the tool');
    else expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(rejectedRequests(emulator, from)).toEqual([]);
    // Once the fault has cleared, the same store object works again and the session resumes.
    const until = Date.now() + 15_000;
    while ((await redisCli(PORT, 'PING').catch(() => '')) !== 'PONG' && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
    emulator.reset();
    await expectNextTurnWorks(base, session, acknowledged);
    await base.close();
    return { error, acknowledged };
  }

  it('CLIENT KILL of the store connection mid-turn: typed error or transparent reconnect; the session resumes', async () => {
    const admin = createClient({ url: server.url });
    await admin.connect();
    try {
      await turnWithFault(async () => {
        const killed = await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']);
        expect(Number(killed)).toBeGreaterThanOrEqual(1);
      }, 'kill');
    } finally {
      await admin.close();
    }
  });

  it('DEBUG SLEEP mid-turn: the write times out with StoreUnavailableError; nothing corrupt; the session resumes', async () => {
    const admin = createClient({ url: server.url });
    await admin.connect();
    let sleeping: Promise<unknown> | undefined;
    try {
      const { error } = await turnWithFault(async () => {
        // Blocks the server for 2 s; the store's next command times out after 700 ms.
        sleeping = admin.sendCommand(['DEBUG', 'SLEEP', '2']);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }, 'sleep');
      expect(error).toBeInstanceOf(StoreUnavailableError);
      await sleeping;
    } finally {
      await admin.close();
    }
  });

  it('a Redis restart mid-turn (SIGKILL, fsync-always AOF): typed error, nothing acknowledged lost, the session resumes', async () => {
    let restarted: Promise<void> | undefined;
    const { error, acknowledged } = await turnWithFault(async () => {
      await server.kill();
      restarted = new Promise<void>((resolve, reject) => {
        setTimeout(() => {
          server.start().then(resolve, reject);
        }, 1500);
      });
    }, 'restart');
    await restarted;
    expect(error).toBeInstanceOf(StoreUnavailableError);
    // Prompt and the assistant's tool_use were acknowledged before the kill.
    expect(acknowledged.length).toBeGreaterThanOrEqual(2);
  });
});

// ---------------------------------------------------------------------------------------------
// The file store on a full file system and on a read-only one (a 1 MiB tmpfs we mount)

describe('file store on a full and on a read-only file system', () => {
  let mountPoint: string;

  beforeAll(async () => {
    mountPoint = join(scratch, 'tmpfs');
    await mkdir(mountPoint, { recursive: true });
    await privileged('mount', ['-t', 'tmpfs', '-o', 'size=1m,mode=0755', 'tmpfs', mountPoint]);
  });
  afterAll(async () => {
    await privileged('umount', [mountPoint]).catch(() => undefined);
    await rmdir(mountPoint).catch(() => undefined);
  });

  async function fill(path: string): Promise<void> {
    const handle = await open(path, 'w');
    try {
      for (const size of [64 * 1024, 4096, 1]) {
        for (;;) {
          try {
            await handle.write(Buffer.alloc(size, 120));
          } catch (error) {
            if ((error as { code?: string }).code === 'ENOSPC') break;
            throw error;
          }
        }
      }
    } finally {
      await handle.close();
    }
  }

  /** Every transcript file under the root: newline-terminated JSON objects only. */
  async function expectNoCorruptFile(root: string): Promise<void> {
    const project = join(root, 'projects', 'reliability');
    for (const name of await readdir(project)) {
      if (!name.endsWith('.jsonl')) continue;
      const text = await readFile(join(project, name), 'utf8');
      const lines = text.split('\n');
      // A torn tail (a short write) is allowed: load ignores it and the next append truncates it.
      lines.pop();
      for (const line of lines) expect(() => JSON.parse(line) as unknown, `${name}: ${line.slice(0, 80)}`).not.toThrow();
    }
  }

  it('ENOSPC: a typed error saying nothing was acknowledged; no corrupt line; turns work again once space is freed', async () => {
    const root = join(mountPoint, 'full');
    const { store, acknowledged } = acknowledging(new FileSessionStore({ root, lockLingerMs: 0 }));
    const session = newSession();
    const first = await runTurn(executorFor(store, emulator), { session, prompt: 'before the disk fills' });
    expect(first.error).toBeUndefined();
    const filler = join(mountPoint, 'filler');
    await fill(filler);
    // A prompt far larger than whatever bytes are left.
    const { error } = await runTurn(executorFor(store, emulator), { session, prompt: `big ${'z'.repeat(200_000)}`, leaseTtlMs: 1000 });
    expect(error).toBeInstanceOf(SessionStoreError);
    expect((error as Error).message).toMatch(/No space left on the device \(ENOSPC\)|ENOSPC/);
    await expectNoCorruptFile(root);
    // Strict load still reads the transcript; everything acknowledged is there.
    expectConsistent((await store.load(session))!, acknowledged);
    await rm(filler);
    await expectNextTurnWorks(store, session, acknowledged);
    await expectNoCorruptFile(root);
  });

  it('ENOSPC in the middle of a turn: the tool result is refused with a typed error; the next turn repairs the call', async () => {
    const root = join(mountPoint, 'full-mid-turn');
    const { store, acknowledged } = acknowledging(new FileSessionStore({ root, lockLingerMs: 0 }));
    const session = newSession();
    const filler = join(mountPoint, 'filler-mid-turn');
    const tools = createToolRunner([
      {
        name: 'Fill',
        description: 'Fills the disk, returns a large result.',
        inputSchema: { type: 'object' },
        run: async () => {
          await fill(filler);
          return 'r'.repeat(200_000);
        },
      },
    ]);
    emulator.enqueue(toolUseReply('Fill', {}));
    const { error } = await runTurn(executorFor(store, emulator), { session, prompt: 'fill the disk', tools, leaseTtlMs: 1000 });
    expect(error).toBeInstanceOf(SessionStoreError);
    expect((error as Error).message).toMatch(/ENOSPC/);
    await expectNoCorruptFile(root);
    // The prompt and the tool_use were acknowledged before the disk filled; they are there, the result is not.
    const entries = (await store.load(session))!;
    expect(entries.map((entry) => entry.type)).toEqual(['user', 'assistant']);
    expect(acknowledged).toEqual(entries.map((entry) => entry.uuid));
    await rm(filler);
    await expectNextTurnWorks(store, session, acknowledged);
    // The interrupted call was answered by the repair.
    expect(JSON.stringify(await store.load(session))).toContain('Tool call interrupted');
  });

  it('EROFS: reads work, writes fail with a typed error, turns work again once the mount is writable', async () => {
    const root = join(mountPoint, 'readonly');
    const { store, acknowledged } = acknowledging(new FileSessionStore({ root, lockLingerMs: 0 }));
    const session = newSession();
    expect((await runTurn(executorFor(store, emulator), { session, prompt: 'while writable' })).error).toBeUndefined();
    await (store).flush();
    // Root ignores mode bits, so a read-only mount stands in for a read-only directory.
    await privileged('mount', ['-o', 'remount,ro', mountPoint]);
    try {
      const before = (await store.load(session))!;
      const { error } = await runTurn(executorFor(store, emulator), { session, prompt: 'while read-only', leaseTtlMs: 1000 });
      expect(error).toBeInstanceOf(SessionStoreError);
      expect((error as Error).message).toMatch(/read-only \(EROFS\)/);
      await expect(store.append({ ...session }, [{ type: 'user', uuid: randomUUID(), message: { content: 'x' } }])).rejects.toThrow(/EROFS/);
      // Reads still work and see exactly what was there.
      expect(await store.load(session)).toEqual(before);
      expect((await (store).listSessions('reliability')).map((listing) => listing.sessionId)).toContain(session.sessionId);
    } finally {
      await privileged('mount', ['-o', 'remount,rw', mountPoint]);
    }
    await expectNextTurnWorks(store, session, acknowledged);
    await expectNoCorruptFile(root);
  });
});
