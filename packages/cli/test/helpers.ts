import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SessionStoreEntry } from '@sdk/core';
import { PostgresSessionStore } from '@sdk/store-postgres';
import { createClient } from 'redis';
import { run } from '../src/main.js';

export const REDIS_URL = 'redis://127.0.0.1:6379';

/** What one in-process run printed and returned. */
export type CliResult = { code: number; stdout: string; stderr: string };

/** Runs the CLI in-process with collected output. */
export async function cli(argv: readonly string[], options: { signal?: AbortSignal; confirm?: (question: string) => Promise<boolean>; env?: Record<string, string> } = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: options.env ?? {},
    ...(options.signal && { signal: options.signal }),
    ...(options.confirm && { confirm: options.confirm }),
  });
  return { code, stdout, stderr };
}

/** A temporary Claude config folder and its `file://` URL; `remove()` deletes it. */
export async function tempFileStore(): Promise<{ root: string; url: string; remove(): Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'sdk-cli-'));
  return { root, url: pathToFileURL(root).href, remove: () => rm(root, { recursive: true, force: true }) };
}

/** A Redis URL with a prefix of its own; `remove()` deletes every key under the prefix. */
export function tempRedisStore(): { prefix: string; url: string; remove(): Promise<void> } {
  const prefix = `sdk-cli-test-${randomUUID().slice(0, 8)}`;
  return {
    prefix,
    url: `${REDIS_URL}/0?prefix=${prefix}`,
    async remove() {
      const client = await createClient({ url: REDIS_URL }).connect();
      try {
        for (const pattern of [`${prefix}:*`, `{${prefix}:*`]) {
          for await (const keys of client.scanIterator({ MATCH: pattern, COUNT: 1000 })) if (keys.length > 0) await client.del(keys);
        }
      } finally {
        await client.close();
      }
    },
  };
}

/** The shared PostgreSQL server; tests fail (never skip) when it is down. */
export const PG_URL = process.env.PG_URL ?? 'postgres://127.0.0.1:5432/test';

/**
 * A `postgres://` store URL with a schema of its own (created by the scheme when first opened);
 * `remove()` drops the schema. node-postgres takes the role from `USER`, which a CI shell may not
 * set, so the URL names one.
 */
export function tempPostgresStore(): { schema: string; url: string; remove(): Promise<void> } {
  const schema = `sdk_cli_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const url = new URL(PG_URL);
  if (url.username === '') url.username = process.env.PGUSER || process.env.USER || userInfo().username;
  const connectionString = url.href;
  url.searchParams.set('schema', schema);
  return {
    schema,
    url: url.href,
    async remove() {
      const store = new PostgresSessionStore({ connectionString, max: 1 });
      try {
        await store.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await store.close();
      }
    },
  };
}

/** Options of {@link conversation}. */
export type ConversationOptions = {
  sessionId?: string;
  cwd?: string;
  /** Prompts; each gets an assistant reply (the first also a tool call and its result). */
  prompts?: readonly string[];
  model?: string;
  start?: Date;
};

/**
 * A Claude Code transcript: user prompts, assistant replies split one entry per content block
 * (sharing `message.id` and usage, as Claude Code writes them), one tool call with its result.
 * Each API call used 100 input, 20 output, 1000 cache-read and 50 cache-write tokens.
 */
export function conversation(options: ConversationOptions = {}): { sessionId: string; entries: SessionStoreEntry[] } {
  const sessionId = options.sessionId ?? randomUUID();
  const cwd = options.cwd ?? '/work/project';
  const model = options.model ?? 'claude-sonnet-4-5-20250929';
  let time = (options.start ?? new Date('2026-11-01T10:00:00.000Z')).getTime();
  const entries: SessionStoreEntry[] = [];
  let parentUuid: string | null = null;
  const base = (): Record<string, unknown> => {
    time += 1000;
    return { parentUuid, isSidechain: false, userType: 'external', cwd, sessionId, version: '2.1.0', gitBranch: 'main', timestamp: new Date(time).toISOString() };
  };
  const push = (entry: Record<string, unknown>): void => {
    const uuid = randomUUID();
    entries.push({ ...entry, uuid } as SessionStoreEntry);
    parentUuid = uuid;
  };
  const usage = { input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 1000, cache_creation_input_tokens: 50 };
  (options.prompts ?? ['Read the README please']).forEach((prompt, index) => {
    push({ ...base(), type: 'user', message: { role: 'user', content: prompt } });
    const callId = `msg_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
    const assistant = (content: unknown[]): void =>
      push({ ...base(), type: 'assistant', requestId: `req_${index}`, message: { id: callId, type: 'message', role: 'assistant', model, content, stop_reason: null, usage } });
    if (index === 0) {
      assistant([{ type: 'text', text: 'I will read it.' }]);
      const toolUseId = `toolu_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
      assistant([{ type: 'tool_use', id: toolUseId, name: 'Read', input: { file_path: `${cwd}/README.md` } }]);
      push({ ...base(), type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUseId, content: '# Project\nHello from the README' }] } });
      const finalId = `msg_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
      push({ ...base(), type: 'assistant', message: { id: finalId, type: 'message', role: 'assistant', model, content: [{ type: 'text', text: 'The README says hello.' }], stop_reason: 'end_turn', usage } });
    } else {
      assistant([{ type: 'text', text: `Answer to: ${prompt}` }]);
    }
  });
  return { sessionId, entries };
}

/** The cost of `calls` API calls of {@link conversation} on Sonnet 4.5 list prices. */
export function conversationCost(calls: number): number {
  // 100 × $3 + 20 × $15 + 1000 × $0.30 + 50 × $3.75, per million tokens.
  return (calls * (100 * 3 + 20 * 15 + 1000 * 0.3 + 50 * 3.75)) / 1_000_000;
}
