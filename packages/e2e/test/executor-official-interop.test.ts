import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query, type SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { createToolRunner, projectKeyForDirectory, type SessionRef } from '@sdk/core';
import { FileSessionStore } from '@sdk/store-file';
import { startMessagesEmulator, toolUseReply, type MessagesEmulator } from '@sdk/testing/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { executorFor, messageRequests, newSession, resultText, runTurn, transcriptOf } from './support/executor-harness.js';

/** Text of every text and tool block of a request, in order, without the CLI's system-reminder blocks. */
function conversationTexts(messages: Array<{ role: string; content: unknown }>): string[] {
  return messages
    .filter((message) => message.role !== 'system')
    .flatMap((message) =>
      (typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : (message.content as Array<Record<string, unknown>>))
        .filter((block) => !(block.type === 'text' && String(block.text).startsWith('<system-reminder>')))
        .map((block) => `${message.role}:${block.type === 'text' ? String(block.text) : String(block.type)}`),
    );
}

// A session written by the executor is resumed by the official SDK, and the other way round.
describe('AgentExecutor transcripts and the official Claude Agent SDK', () => {
  let emulator: MessagesEmulator;
  let home: string;
  let cwd: string;
  let store: FileSessionStore;

  beforeEach(async () => {
    emulator = await startMessagesEmulator();
    home = await mkdtemp(join(tmpdir(), 'executor-interop-home-'));
    cwd = await realpath(await mkdtemp(join(tmpdir(), 'executor-interop-cwd-')));
    store = new FileSessionStore({ root: join(home, '.claude'), durability: 'none' });
  });
  afterEach(async () => {
    await emulator.close();
    await rm(home, { recursive: true, force: true });
    await rm(cwd, { recursive: true, force: true });
  });

  async function official(prompt: string, options: { resume?: string; allowedTools?: string[] }): Promise<SDKResultMessage> {
    const stderr: string[] = [];
    let result: SDKResultMessage | undefined;
    for await (const message of query({
      prompt,
      options: {
        cwd,
        maxTurns: 3,
        allowedTools: options.allowedTools ?? [],
        ...(options.resume === undefined ? {} : { resume: options.resume }),
        env: {
          PATH: process.env.PATH ?? '',
          HOME: home,
          ANTHROPIC_BASE_URL: emulator.url,
          ANTHROPIC_API_KEY: 'x',
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
          DISABLE_TELEMETRY: '1',
          DISABLE_AUTOUPDATER: '1',
        },
        stderr: (data) => stderr.push(data),
      },
    })) {
      if (message.type === 'result') result = message;
    }
    if (result === undefined) throw new Error(`no result; CLI stderr:\n${stderr.join('')}`);
    return result;
  }

  it('the official SDK resumes a session the executor wrote, with its whole history (tool calls included)', async () => {
    const session: SessionRef = { projectKey: projectKeyForDirectory(cwd), sessionId: newSession().sessionId };
    const tools = createToolRunner([{ name: 'lookup', description: 'Looks up.', inputSchema: { type: 'object' }, run: () => 'found it' }]);
    emulator.enqueue(toolUseReply('lookup', { q: 'x' }, { text: 'Looking.' }));
    await runTurn(executorFor(store, emulator), { session, prompt: 'first question', tools, cwd });
    await runTurn(executorFor(store, emulator), { session, prompt: 'second question', cwd });
    const ours = messageRequests(emulator).at(-1)!;
    emulator.reset();

    const result = await official('third question', { resume: session.sessionId });
    expect(result.subtype).toBe('success');
    expect(emulator.requests.filter((request) => request.rejected !== undefined)).toEqual([]);
    const theirs = messageRequests(emulator)[0]!;
    const expected = [...conversationTexts(ours.messages), 'assistant:echo: second question [messages=5]'];
    expect(expected).toEqual(expect.arrayContaining(['assistant:tool_use', 'user:tool_result', 'user:second question']));
    expect(conversationTexts(theirs.messages).slice(0, expected.length)).toEqual(expected);
    expect(conversationTexts(theirs.messages).at(-1)).toBe('user:third question');
  });

  it('the executor resumes a session the official CLI wrote, tool calls included', async () => {
    const notePath = join(cwd, 'note.txt');
    await writeFile(notePath, 'the secret is 42\n');
    emulator.enqueue(toolUseReply('Read', { file_path: notePath }, { text: 'Reading.' }));
    const first = await official('read the note', { allowedTools: ['Read'] });
    expect(first.subtype).toBe('success');
    const theirs = messageRequests(emulator).at(-1)!;
    emulator.reset();

    const session = { projectKey: projectKeyForDirectory(cwd), sessionId: first.session_id };
    const { result } = await runTurn(executorFor(store, emulator), { session, prompt: 'and now?', cwd });
    expect(resultText(result)).toMatch(/^echo: and now\?/);
    expect(emulator.requests.filter((request) => request.rejected !== undefined)).toEqual([]);
    const ours = messageRequests(emulator)[0]!;
    const history = conversationTexts(theirs.messages);
    expect(history).toEqual(expect.arrayContaining(['user:read the note', 'assistant:tool_use', 'user:tool_result']));
    expect(conversationTexts(ours.messages).slice(0, history.length)).toEqual(history);
    expect(transcriptOf(ours).at(-1)).toBe('user: and now?');
  });
});
