import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { promisify } from 'node:util';
import {
  AgentExecutor,
  type SDKMessage,
  type SDKResultMessage,
  type SessionKey,
  type SessionRef,
  type SessionStore,
  type SessionStoreEntry,
  type TurnRequest,
} from '@sdk/core';
import type { MessagesEmulator } from '@sdk/testing/emulator';
import { expect } from 'vitest';

const run = promisify(execFile);

export const MODEL = 'claude-sonnet-4-6';

export function newSession(projectKey = 'reliability'): SessionRef {
  return { projectKey, sessionId: randomUUID() };
}

export function executorFor(store: SessionStore, emulator: MessagesEmulator): AgentExecutor {
  return new AgentExecutor({ store, clientOptions: { apiKey: 'x', baseURL: emulator.url } });
}

export type TurnOutcome = { messages: SDKMessage[]; result: SDKResultMessage | undefined; error: unknown };

/** Runs a turn to its end; a rejection is returned as `error`, with the messages yielded before it. */
export async function runTurn(executor: AgentExecutor, request: Omit<TurnRequest, 'model'> & { model?: string }): Promise<TurnOutcome> {
  const messages: SDKMessage[] = [];
  let result: SDKResultMessage | undefined;
  try {
    for await (const message of executor.runTurn({ model: MODEL, ...request })) {
      messages.push(message);
      if (message.type === 'result') result = message;
    }
    return { messages, result, error: undefined };
  } catch (error) {
    return { messages, result, error };
  }
}

export function resultText(result: SDKResultMessage | undefined): string | undefined {
  return result !== undefined && 'result' in result ? result.result : undefined;
}

/** The store, recording the uuids of every write that returned (what the caller saw acknowledged). */
export function acknowledging<S extends SessionStore>(store: S): { store: S; acknowledged: string[] } {
  const acknowledged: string[] = [];
  const wrapped = new Proxy(store, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (property !== 'append' && property !== 'appendIf') return method.bind(target);
      return async (key: SessionKey, entries: SessionStoreEntry[], ...rest: unknown[]) => {
        const result = await method.call(target, key, entries, ...rest);
        for (const entry of entries) if (entry.uuid !== undefined) acknowledged.push(entry.uuid);
        return result;
      };
    },
  });
  return { store: wrapped, acknowledged };
}

/** No uuid twice, every acknowledged uuid present, every tool_use answered, every assistant message whole. */
export function expectConsistent(entries: SessionStoreEntry[], acknowledged: readonly string[] = []): void {
  const counts = new Map<string, number>();
  for (const entry of entries) if (entry.uuid !== undefined) counts.set(entry.uuid, (counts.get(entry.uuid) ?? 0) + 1);
  expect([...counts].filter(([, count]) => count > 1)).toEqual([]);
  expect(acknowledged.filter((uuid) => !counts.has(uuid))).toEqual([]);
  const toolUses = new Set<string>();
  const results = new Set<string>();
  for (const entry of entries) {
    const content = (entry.message as { content?: unknown } | undefined)?.content;
    if (entry.type === 'assistant') expect((entry.message as { stop_reason?: unknown }).stop_reason ?? 'missing').not.toBeNull();
    if (!Array.isArray(content)) continue;
    for (const block of content as Array<{ type: string; id?: string; tool_use_id?: string }>) {
      if (block.type === 'tool_use') toolUses.add(block.id!);
      if (block.type === 'tool_result') results.add(block.tool_use_id!);
    }
  }
  expect([...toolUses].filter((id) => !results.has(id))).toEqual([]);
}

export function rejectedRequests(emulator: MessagesEmulator, from = 0): string[] {
  return emulator.requests.slice(from).flatMap((request) => (request.rejected === undefined ? [] : [request.rejected]));
}

// ---------------------------------------------------------------------------------------------
// redis-server processes of our own (ports 7261-7269)

export { redisCli, startRedisServer, type RedisServer } from '@sdk/testing/redis-server';

// ---------------------------------------------------------------------------------------------
// Mounts (the file store's full and read-only file systems)

/** Runs `mount`/`umount` directly (root), else through `sudo -n`; throws a clear error when neither may. */
export async function privileged(command: string, args: string[]): Promise<void> {
  try {
    await run(command, args, { timeout: 10_000 });
  } catch (direct) {
    try {
      await run('sudo', ['-n', command, ...args], { timeout: 10_000 });
    } catch {
      throw new Error(`cannot run ${command} ${args.join(' ')} (needs root or passwordless sudo): ${String(direct)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL (the shared server; every test file works in schemas of its own)

export const PG_URL = process.env.PG_URL ?? 'postgres://127.0.0.1:5432/test';

/** {@link PG_URL} with a role: node-postgres takes the role from `USER`, which a CI shell may not set. */
export function pgConnectionString(): string {
  const url = new URL(PG_URL);
  if (url.username === '') url.username = process.env.PGUSER || process.env.USER || userInfo().username;
  return url.href;
}

export function uniqueSchema(label: string): string {
  return `rel_${label}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}
