import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { query } from '@anthropic-ai/claude-agent-sdk';
import type { SDKMessage, SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { echoReply, startMessagesEmulator, toolUseReply } from '@sdk/testing/emulator';
import type { MessagesEmulator } from '@sdk/testing/emulator';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

// Proves the official Claude Code CLI accepts the emulator as its Messages API, and that the emulator's strict
// validation accepts everything the CLI legitimately sends (including `role: "system"` entries in `messages`).
describe('official @anthropic-ai/claude-agent-sdk against the emulator', () => {
  let emulator: MessagesEmulator;
  let home: string;
  let cwd: string;
  const stderr: string[] = [];

  beforeEach(async () => {
    emulator = await startMessagesEmulator();
    home = await mkdtemp(join(tmpdir(), 'e2e-emulator-home-'));
    cwd = await realpath(await mkdtemp(join(tmpdir(), 'e2e-emulator-cwd-')));
    stderr.length = 0;
  });
  afterEach(async () => {
    await emulator.close();
    await rm(home, { recursive: true, force: true });
    await rm(cwd, { recursive: true, force: true });
  });

  async function run(prompt: string, allowedTools: string[], maxTurns: number): Promise<SDKResultMessage> {
    const messages: SDKMessage[] = [];
    const conversation = query({
      prompt,
      options: {
        cwd,
        maxTurns,
        allowedTools,
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
    });
    for await (const message of conversation) messages.push(message);
    const result = messages.find((message): message is SDKResultMessage => message.type === 'result');
    if (result === undefined) throw new Error(`no result message; CLI stderr:\n${stderr.join('')}`);
    return result;
  }

  function messagesRequests(): MessagesEmulator['requests'] {
    return emulator.requests.filter((request) => request.method === 'POST' && request.path === '/v1/messages');
  }

  it('answers a prompt with the echo reply', async () => {
    const result = await run('hello', [], 1);
    const requests = messagesRequests();

    expect(requests.length).toBeGreaterThanOrEqual(1);
    expect(emulator.requests.filter((request) => request.rejected !== undefined)).toEqual([]);
    const last = requests.at(-1)!;
    expect(last.body.stream).toBe(true);
    expect(result.subtype).toBe('success');
    expect(result.is_error).toBe(false);
    expect(result.subtype === 'success' ? result.result : undefined).toBe((echoReply(last).content[0] as { text: string }).text);
    expect(result.subtype === 'success' ? result.result : undefined).toMatch(/^echo: hello \[messages=\d+\]$/);
  });

  it('runs a scripted tool call and sends back a tool_result that passes validation', async () => {
    const notePath = join(cwd, 'note.txt');
    await writeFile(notePath, 'the secret is 42\n');
    emulator.enqueue(toolUseReply('Read', { file_path: notePath }, { id: 'toolu_01EmulatorReadNote0000', text: 'Reading.' }));

    const result = await run('read the note', ['Read'], 3);
    const requests = messagesRequests();

    expect(emulator.requests.filter((request) => request.rejected !== undefined)).toEqual([]);
    expect(requests).toHaveLength(2);
    const followUp = requests[1]!;
    const toolResults = followUp.messages
      .flatMap((message) => (Array.isArray(message.content) ? (message.content as Array<Record<string, unknown>>) : []))
      .filter((block) => block.type === 'tool_result');
    expect(toolResults).toHaveLength(1);
    expect(toolResults[0]!.tool_use_id).toBe('toolu_01EmulatorReadNote0000');
    expect(JSON.stringify(toolResults[0]!.content)).toContain('the secret is 42');
    expect(result.subtype === 'success' ? result.result : undefined).toBe((echoReply(followUp).content[0] as { text: string }).text);
  });
});
