import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import {
  AbortError as OfficialAbortError,
  createSdkMcpServer as officialCreateSdkMcpServer,
  listSessions as officialListSessions,
  query as officialQuery,
  tool as officialTool,
} from '@anthropic-ai/claude-agent-sdk';
import {
  AbortError as CompatAbortError,
  createSdkMcpServer as compatCreateSdkMcpServer,
  listSessions as compatListSessions,
  query as compatQuery,
  tool as compatTool,
} from '@sdk/compat';
import { z } from 'zod';
import { startMessagesEmulator, textReply, toolUseReply, type MessagesEmulator, type RecordedRequest } from '@sdk/testing/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conversationOf, messageRequests, type Turn } from './support/query-harness.js';

/**
 * Swap tests: one program, written against the official API, run once with
 * `@anthropic-ai/claude-agent-sdk` (which spawns its bundled CLI) and once with `@sdk/compat`,
 * each against a fresh emulator and a fresh temporary HOME / CLAUDE_CONFIG_DIR. Compared:
 * - the messages' `type` / `type/subtype` sequence;
 * - the result fields every official result has (both must carry them, and ours must carry no
 *   field the official result lacks);
 * - the conversation each sent to the Messages API, as role + text per request
 *   (`conversationOf`: the CLI's `<system-reminder>` blocks and the system prompt are ignored).
 */

type AnyMessage = { type: string; subtype?: string; session_id: string; [field: string]: unknown };
type QueryLike = (params: { prompt: string | AsyncIterable<never>; options?: Record<string, unknown> }) => AsyncIterable<AnyMessage>;
/** A program under test: it gets a `query` and the options every call must pass. */
type Program = (query: QueryLike, base: Record<string, unknown>) => Promise<AnyMessage[]>;

type Run = { messages: AnyMessage[]; conversations: Turn[][]; requests: RecordedRequest[] };

const MODEL = 'claude-sonnet-4-6';
/** The fields the official `SDKResultSuccess` declares as required. */
const REQUIRED_RESULT_FIELDS = [
  'duration_api_ms',
  'duration_ms',
  'is_error',
  'modelUsage',
  'num_turns',
  'permission_denials',
  'result',
  'session_id',
  'stop_reason',
  'subtype',
  'total_cost_usd',
  'type',
  'usage',
  'uuid',
];

let emulator: MessagesEmulator;
const homes: string[] = [];

beforeAll(async () => {
  emulator = await startMessagesEmulator();
});
afterAll(async () => {
  await emulator.close();
  await Promise.all(homes.map((home) => rm(home, { recursive: true, force: true })));
});

async function runWith(query: QueryLike, program: Program): Promise<Run> {
  emulator.reset();
  const home = await mkdtemp(join(tmpdir(), 'swap-home-'));
  homes.push(home);
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    CLAUDE_CONFIG_DIR: join(home, '.claude'),
    ANTHROPIC_BASE_URL: emulator.url,
    ANTHROPIC_API_KEY: 'swap-test-key',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
  };
  const messages = await program(query, { env, cwd: home, model: MODEL });
  return { messages, conversations: messageRequests(emulator.requests).map(conversationOf), requests: [...emulator.requests] };
}

async function swap(program: Program): Promise<{ official: Run; ours: Run }> {
  const official = await runWith(officialQuery as unknown as QueryLike, program);
  const ours = await runWith(compatQuery as unknown as QueryLike, program);
  return { official, ours };
}

const kinds = (run: Run): string[] => run.messages.map((message) => (message.subtype === undefined ? message.type : `${message.type}/${message.subtype}`));

function expectSameShape({ official, ours }: { official: Run; ours: Run }): void {
  expect(kinds(ours)).toEqual(kinds(official));
  const officialResults = official.messages.filter((message) => message.type === 'result');
  const ourResults = ours.messages.filter((message) => message.type === 'result');
  expect(ourResults).toHaveLength(officialResults.length);
  officialResults.forEach((officialResult, index) => {
    const ourResult = ourResults[index]!;
    for (const field of REQUIRED_RESULT_FIELDS) {
      expect(officialResult, `official result ${index}`).toHaveProperty(field);
      expect(ourResult, `our result ${index}`).toHaveProperty(field);
    }
    expect(Object.keys(ourResult).filter((field) => !(field in officialResult))).toEqual([]);
    expect(ourResult.subtype).toBe(officialResult.subtype);
    expect(ourResult.is_error).toBe(officialResult.is_error);
    expect(ourResult.num_turns).toBe(officialResult.num_turns);
    expect(ourResult.result).toBe(officialResult.result);
  });
  expect(ours.conversations).toEqual(official.conversations);
}

async function drain(iterable: AsyncIterable<AnyMessage>, into: AnyMessage[]): Promise<string> {
  let sessionId = '';
  for await (const message of iterable) {
    into.push(message);
    sessionId = message.session_id;
  }
  return sessionId;
}

async function* userTurns(...texts: string[]): AsyncGenerator<never> {
  for (const text of texts) yield { type: 'user', message: { role: 'user', content: text }, parent_tool_use_id: null } as never;
}

describe('swap: the same program on the official SDK and on @sdk/compat', () => {
  it('one-shot string prompt', async () => {
    const runs = await swap(async (query, base) => {
      const messages: AnyMessage[] = [];
      await drain(query({ prompt: 'Hello, who are you?', options: base }), messages);
      return messages;
    });
    expect(kinds(runs.official)).toEqual(['system/init', 'assistant', 'result/success']);
    expectSameShape(runs);
  });

  it('resume of the previous session', async () => {
    const runs = await swap(async (query, base) => {
      const messages: AnyMessage[] = [];
      const sessionId = await drain(query({ prompt: 'Remember the word apple.', options: base }), messages);
      const resumedId = await drain(query({ prompt: 'Which word?', options: { ...base, resume: sessionId } }), messages);
      if (resumedId !== sessionId) throw new Error(`resume changed the session id: ${sessionId} → ${resumedId}`);
      return messages;
    });
    expect(runs.official.conversations[1]).toHaveLength(3);
    expectSameShape(runs);
  });

  it('streaming input with three messages, each sent after the previous result', async () => {
    const runs = await swap(async (query, base) => {
      const messages: AnyMessage[] = [];
      let resultSeen: () => void = () => undefined;
      async function* paced(): AsyncGenerator<never> {
        for (const text of ['one', 'two', 'three']) {
          const answered = new Promise<void>((resolve) => {
            resultSeen = resolve;
          });
          yield { type: 'user', message: { role: 'user', content: text }, parent_tool_use_id: null } as never;
          await answered;
        }
      }
      for await (const message of query({ prompt: paced(), options: base })) {
        messages.push(message);
        if (message.type === 'result') resultSeen();
      }
      return messages;
    });
    expect(runs.official.messages.filter((message) => message.type === 'result')).toHaveLength(3);
    expectSameShape(runs);
  });

  it('streaming input whose messages all arrive at once: documented difference', async () => {
    const runs = await swap(async (query, base) => {
      const messages: AnyMessage[] = [];
      await drain(query({ prompt: userTurns('one', 'two', 'three'), options: base }), messages);
      return messages;
    });
    // The CLI folds the messages queued while a turn runs into one next turn ("two" + "three");
    // @sdk/compat runs one turn per message (docs/compat.md, "Streaming input").
    expect(runs.official.conversations.at(-1)!.at(-1)).toEqual({ role: 'user', text: 'two\nthree' });
    expect(runs.ours.conversations.at(-1)!.at(-1)).toEqual({ role: 'user', text: 'three' });
    expect(runs.ours.messages.filter((message) => message.type === 'result')).toHaveLength(3);
  });

  it('continue picks the most recent session', async () => {
    const runs = await swap(async (query, base) => {
      const messages: AnyMessage[] = [];
      const first = await drain(query({ prompt: 'first session', options: base }), messages);
      await drain(query({ prompt: 'second session', options: base }), messages);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await drain(query({ prompt: 'touch the first', options: { ...base, resume: first } }), messages);
      const continued = await drain(query({ prompt: 'continued', options: { ...base, continue: true } }), messages);
      if (continued !== first) throw new Error('continue did not pick the most recently written session');
      return messages;
    });
    expectSameShape(runs);
  });

  it('includePartialMessages', async () => {
    const runs = await swap(async (query, base) => {
      const messages: AnyMessage[] = [];
      await drain(query({ prompt: 'Stream this.', options: { ...base, includePartialMessages: true } }), messages);
      return messages;
    });
    const events = (run: Run): unknown[] => run.messages.flatMap((message) => (message.type === 'stream_event' ? [(message.event as { type: string }).type] : []));
    expect(events(runs.official)).toContain('content_block_delta');
    expect(events(runs.ours)).toEqual(events(runs.official));
    // Two known differences (docs/compat.md): the CLI also emits a `system/status` message, and
    // yields each `assistant` block at its `content_block_stop` event; the executor yields it
    // after `message_stop`. Without both, the sequences are the same.
    const officialKinds = kinds(runs.official);
    expect(officialKinds).toContain('system/status');
    const withoutStatus = officialKinds.filter((kind) => kind !== 'system/status');
    const byKind = (list: string[]): string[] => list.filter((kind) => kind !== 'stream_event');
    expect(byKind(kinds(runs.ours))).toEqual(byKind(withoutStatus));
    expect(kinds(runs.ours).filter((kind) => kind === 'stream_event')).toHaveLength(withoutStatus.filter((kind) => kind === 'stream_event').length);
    expect(runs.ours.conversations).toEqual(runs.official.conversations);
  });

  it('resumeSessionAt branches from an earlier entry', async () => {
    const runs = await swap(async (query, base) => {
      const messages: AnyMessage[] = [];
      const session = await drain(query({ prompt: 'first', options: base }), messages);
      await drain(query({ prompt: 'second', options: { ...base, resume: session } }), messages);
      const firstAnswer = messages.find((message) => message.type === 'assistant')!;
      await drain(query({ prompt: 'instead of second', options: { ...base, resume: session, resumeSessionAt: firstAnswer.uuid } }), messages);
      return messages;
    });
    expect(runs.official.conversations.at(-1)!.map((turn) => turn.text)).toEqual(['first', 'echo: first [messages=1]', 'instead of second']);
    expectSameShape(runs);
  });

  it('abortController: iteration throws AbortError, and the session resumes afterwards', async () => {
    const outcome: Record<string, string> = {};
    const runs = await swap(async (query, base) => {
      const messages: AnyMessage[] = [];
      const session = await drain(query({ prompt: 'before the abort', options: base }), messages);
      const controller = new AbortController();
      try {
        for await (const message of query({ prompt: 'never answered', options: { ...base, resume: session, abortController: controller } })) {
          if (message.type === 'system') controller.abort();
        }
        outcome[query === (compatQuery as unknown) ? 'ours' : 'official'] = 'no error';
      } catch (error) {
        const AbortErrorClass = query === (compatQuery as unknown) ? CompatAbortError : OfficialAbortError;
        outcome[query === (compatQuery as unknown) ? 'ours' : 'official'] = error instanceof AbortErrorClass ? 'AbortError' : `other: ${String(error)}`;
      }
      await drain(query({ prompt: 'after the abort', options: { ...base, resume: session } }), messages);
      return messages;
    });
    expect(outcome).toEqual({ official: 'AbortError', ours: 'AbortError' });
    expect(runs.ours.conversations.at(-1)!.at(-1)).toEqual({ role: 'user', text: 'after the abort' });
    expect(runs.official.conversations.at(-1)!.at(-1)).toEqual({ role: 'user', text: 'after the abort' });
    expect(kinds(runs.ours)).toEqual(kinds(runs.official));
  });

  it('forkSession with a chosen id', async () => {
    const forkId = '4b7e2c9a-1d3f-4a6b-8c5d-9e0f1a2b3c4d';
    const runs = await swap(async (query, base) => {
      const messages: AnyMessage[] = [];
      const source = await drain(query({ prompt: 'the source', options: base }), messages);
      const forked = await drain(query({ prompt: 'in the fork', options: { ...base, resume: source, forkSession: true, sessionId: forkId } }), messages);
      if (forked !== forkId) throw new Error(`fork id ${forked}`);
      await drain(query({ prompt: 'back in the source', options: { ...base, resume: source } }), messages);
      return messages;
    });
    expectSameShape(runs);
  });
});

describe('swap: structured output', () => {
  const outputFormat = { type: 'json_schema', schema: { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'] } };

  it('a valid StructuredOutput call ends the turn with structured_output', async () => {
    const runs = await swap(async (query, base) => {
      emulator.enqueue(toolUseReply('StructuredOutput', { answer: 42 }));
      const messages: AnyMessage[] = [];
      await drain(query({ prompt: 'What is 6*7?', options: { ...base, outputFormat } }), messages);
      return messages;
    });
    expect(kinds(runs.official)).toEqual(['system/init', 'assistant', 'user', 'result/success']);
    expectSameShape(runs);
    for (const run of [runs.official, runs.ours]) expect(run.messages.at(-1)).toMatchObject({ structured_output: { answer: 42 }, result: '{"answer":42}' });
  });

  it('a turn without the call is re-prompted; an invalid call gets the schema errors', async () => {
    const runs = await swap(async (query, base) => {
      emulator.enqueue(textReply('The answer is 42'));
      emulator.enqueue(toolUseReply('StructuredOutput', { answer: 'x' }));
      emulator.enqueue(toolUseReply('StructuredOutput', { answer: 42 }));
      const messages: AnyMessage[] = [];
      await drain(query({ prompt: 'What is 6*7?', options: { ...base, outputFormat } }), messages);
      return messages;
    });
    expectSameShape(runs);
    const rejection = (run: Run): unknown => (run.messages.filter((message) => message.type === 'user')[1]!.message as { content: unknown[] }).content[0];
    expect(rejection(runs.ours)).toMatchObject({ is_error: true, content: (rejection(runs.official) as { content: string }).content });
  });
});

describe('swap: tools, hooks and permissions', () => {
  const toolResults = (run: Run, requestIndex: number): Array<{ content: unknown; is_error?: boolean }> => {
    const request = messageRequests(run.requests)[requestIndex]!;
    const last = request.messages.at(-1)!;
    return (Array.isArray(last.content) ? last.content : []).filter((block: { type: string }) => block.type === 'tool_result') as Array<{ content: unknown; is_error?: boolean }>;
  };
  // The CLI appends <system-reminder> blocks to tool results; they are not the tool's output.
  const text = (content: unknown): string =>
    (typeof content === 'string' ? content : (content as Array<{ type: string; text?: string }>).map((block) => block.text ?? '').join(''))
      .replace(/<system-reminder>[\s\S]*?<\/system-reminder>/g, '')
      .trim();

  it('custom tools through createSdkMcpServer, pre-approved with allowedTools', async () => {
    const runs = await swap(async (query, base) => {
      const sdk = query === (compatQuery as unknown) ? { tool: compatTool, createSdkMcpServer: compatCreateSdkMcpServer } : { tool: officialTool, createSdkMcpServer: officialCreateSdkMcpServer };
      const add = sdk.tool('add', 'Adds two numbers', { a: z.number(), b: z.number() }, async ({ a, b }) => ({ content: [{ type: 'text' as const, text: String(a + b) }] }));
      const calc = sdk.createSdkMcpServer({ name: 'calc', version: '1.0.0', tools: [add] });
      emulator.enqueue(toolUseReply('mcp__calc__add', { a: 2, b: 3 }));
      const messages: AnyMessage[] = [];
      await drain(query({ prompt: 'Add 2 and 3.', options: { ...base, mcpServers: { calc }, allowedTools: ['mcp__calc__add'] } }), messages);
      return messages;
    });
    expectSameShape(runs);
    for (const run of [runs.official, runs.ours]) {
      const init = run.messages[0]!;
      expect(init.tools).toContain('mcp__calc__add');
      expect(init.mcp_servers).toEqual([{ name: 'calc', status: 'connected', source: 'sdk' }]);
      expect(toolResults(run, 1).map((block) => text(block.content))).toEqual(['5']);
    }
  });

  it('a PreToolUse hook denies a call; the model sees the reason', async () => {
    const runs = await swap(async (query, base) => {
      emulator.enqueue(toolUseReply('Bash', { command: 'rm -rf build', description: 'Clean' }));
      const hooks = {
        PreToolUse: [
          {
            matcher: 'Bash',
            hooks: [async () => ({ hookSpecificOutput: { hookEventName: 'PreToolUse' as const, permissionDecision: 'deny' as const, permissionDecisionReason: 'No deleting in CI.' } })],
          },
        ],
      };
      const messages: AnyMessage[] = [];
      await drain(query({ prompt: 'Clean the build.', options: { ...base, hooks } }), messages);
      return messages;
    });
    expectSameShape(runs);
    const official = toolResults(runs.official, 1);
    const ours = toolResults(runs.ours, 1);
    expect(ours.map((block) => block.is_error)).toEqual(official.map((block) => block.is_error));
    expect(text(official[0]!.content)).toContain('No deleting in CI.');
    expect(text(ours[0]!.content)).toContain('No deleting in CI.');
    for (const run of [runs.official, runs.ours]) expect((run.messages.at(-1)!.permission_denials as unknown[]).length).toBe(1);
  });

  it('canUseTool allows a Write with an updated input', async () => {
    const written: Record<string, string> = {};
    const runs = await swap(async (query, base) => {
      const file = join(base.cwd as string, 'note.txt');
      emulator.enqueue(toolUseReply('Write', { file_path: file, content: 'draft' }));
      const asked: string[] = [];
      const canUseTool = async (toolName: string, input: Record<string, unknown>) => {
        asked.push(toolName);
        return { behavior: 'allow' as const, updatedInput: { ...input, content: 'reviewed' } };
      };
      const messages: AnyMessage[] = [];
      await drain(query({ prompt: 'Write a note.', options: { ...base, canUseTool } }), messages);
      written[query === (compatQuery as unknown) ? 'ours' : 'official'] = `${asked.join(',')}:${await readFile(file, 'utf8')}`;
      return messages;
    });
    expectSameShape(runs);
    expect(written).toEqual({ official: 'Write:reviewed', ours: 'Write:reviewed' });
  });

  it('listSessions after two queries', async () => {
    const listings: Record<string, unknown> = {};
    await swap(async (query, base) => {
      const messages: AnyMessage[] = [];
      await drain(query({ prompt: 'first session', options: base }), messages);
      await drain(query({ prompt: 'second session', options: base }), messages);
      const env = base.env as Record<string, string>;
      const list = query === (compatQuery as unknown) ? compatListSessions : officialListSessions;
      const previous = { CLAUDE_CONFIG_DIR: process.env.CLAUDE_CONFIG_DIR };
      process.env.CLAUDE_CONFIG_DIR = env.CLAUDE_CONFIG_DIR;
      try {
        const sessions = await list({ dir: base.cwd as string });
        listings[query === (compatQuery as unknown) ? 'ours' : 'official'] = sessions.map((session) => ({ summary: session.summary, firstPrompt: session.firstPrompt })).sort((a, b) => String(a.firstPrompt).localeCompare(String(b.firstPrompt)));
      } finally {
        if (previous.CLAUDE_CONFIG_DIR === undefined) delete process.env.CLAUDE_CONFIG_DIR;
        else process.env.CLAUDE_CONFIG_DIR = previous.CLAUDE_CONFIG_DIR;
      }
      return messages;
    });
    expect(listings.official).toHaveLength(2);
    expect(listings.ours).toEqual(listings.official);
  });
});

describe('sessions move between the official SDK and @sdk/compat', () => {
  async function interop(writer: QueryLike, reader: QueryLike): Promise<Turn[]> {
    emulator.reset();
    const home = await mkdtemp(join(tmpdir(), 'interop-home-'));
    homes.push(home);
    const base = {
      cwd: home,
      model: MODEL,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        CLAUDE_CONFIG_DIR: join(home, '.claude'),
        ANTHROPIC_BASE_URL: emulator.url,
        ANTHROPIC_API_KEY: 'swap-test-key',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        DISABLE_TELEMETRY: '1',
        DISABLE_AUTOUPDATER: '1',
      },
    };
    const session = await drain(writer({ prompt: 'written by one SDK', options: base }), []);
    const resumed: AnyMessage[] = [];
    expect(await drain(reader({ prompt: 'read by the other', options: { ...base, resume: session } }), resumed)).toBe(session);
    expect(resumed.at(-1)).toMatchObject({ type: 'result', subtype: 'success' });
    return conversationOf(messageRequests(emulator.requests).at(-1)!);
  }

  const expected = [
    { role: 'user', text: 'written by one SDK' },
    { role: 'assistant', text: 'echo: written by one SDK [messages=1]' },
    { role: 'user', text: 'read by the other' },
  ];

  it('the official SDK writes, @sdk/compat resumes', async () => {
    expect(await interop(officialQuery as unknown as QueryLike, compatQuery as unknown as QueryLike)).toEqual(expected);
  });

  it('@sdk/compat writes, the official SDK resumes', async () => {
    expect(await interop(compatQuery as unknown as QueryLike, officialQuery as unknown as QueryLike)).toEqual(expected);
  });

  /**
   * One SDK runs two turns and `/compact`s the session; the other resumes it. The reader must send
   * the summary, the kept last answer, then the command record with the new prompt — whichever SDK
   * wrote the summary (its wording differs: ours is our own text).
   */
  async function compactedInterop(writer: QueryLike, reader: QueryLike): Promise<Turn[]> {
    emulator.reset();
    const home = await mkdtemp(join(tmpdir(), 'compact-interop-'));
    homes.push(home);
    const env = { PATH: process.env.PATH, HOME: home, CLAUDE_CONFIG_DIR: join(home, '.claude'), ANTHROPIC_BASE_URL: emulator.url, ANTHROPIC_API_KEY: 'k', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', DISABLE_TELEMETRY: '1', DISABLE_AUTOUPDATER: '1' };
    const base = { cwd: home, model: MODEL, env };
    const session = await drain(writer({ prompt: 'one', options: base }), []);
    await drain(writer({ prompt: 'two', options: { ...base, resume: session } }), []);
    emulator.enqueue(textReply('<summary>The user counted one and two.</summary>'));
    const compacted: AnyMessage[] = [];
    await drain(writer({ prompt: '/compact', options: { ...base, resume: session } }), compacted);
    expect(compacted.filter((message) => message.subtype === 'compact_boundary')).toHaveLength(1);
    expect(compacted.at(-1)).toMatchObject({ type: 'result', subtype: 'success', result: '' });
    const resumed: AnyMessage[] = [];
    await drain(reader({ prompt: 'three', options: { ...base, resume: session } }), resumed);
    expect(resumed.at(-1)).toMatchObject({ type: 'result', subtype: 'success' });
    expect(emulator.requests.filter((request) => request.rejected !== undefined)).toEqual([]);
    return conversationOf(messageRequests(emulator.requests).at(-1)!);
  }

  function expectCompactedHistory(conversation: Turn[]): void {
    expect(conversation.map((turn) => turn.role)).toEqual(['user', 'assistant', 'user']);
    expect(conversation[0]!.text).toContain('The user counted one and two.');
    expect(conversation[1]!.text).toBe('echo: two [messages=3]');
    expect(conversation[2]!.text).toMatch(/<command-name>\/compact<\/command-name>[\s\S]*<local-command-stdout>Compacted <\/local-command-stdout>\nthree$/);
  }

  it('a session the official SDK compacted with /compact resumes on @sdk/compat', async () => {
    expectCompactedHistory(await compactedInterop(officialQuery as unknown as QueryLike, compatQuery as unknown as QueryLike));
  });

  it('a session @sdk/compat compacted with /compact resumes on the official SDK', async () => {
    expectCompactedHistory(await compactedInterop(compatQuery as unknown as QueryLike, officialQuery as unknown as QueryLike));
  });
});
