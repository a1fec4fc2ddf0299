import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { SDKResultMessage } from '@sdk/core';
import { FileSessionStore } from '@sdk/store-file';
import { textReply, toolUseReply } from '@sdk/testing/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageRequests, MODEL } from './support/executor-harness.js';
import { emulatorForThisFile } from './support/file-emulator.js';

// Human in the loop across workers: one process asks (its hook defers the call), the turn ends
// with the call pending in the transcript; another process, later, supplies the decision and the
// turn goes on from that call without asking the model again.
const WORKER = fileURLToPath(new URL('./support/deferring-worker.mjs', import.meta.url));
const run = promisify(execFile);

const emulator = await emulatorForThisFile();
let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'deferred-approval-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function worker(sessionId: string, decision: string, prompt: string): Promise<{ pid: number; results: SDKResultMessage[] }> {
  const env = { PATH: process.env.PATH ?? '', STORE_ROOT: root, EMULATOR_URL: emulator.url, PROJECT_KEY: 'approvals', SESSION_ID: sessionId, MODEL, DECISION: decision, PROMPT: prompt, DEPLOY_MARKER: join(root, `${sessionId}.deployed`) };
  const { stdout } = await run(process.execPath, [WORKER], { env, timeout: 30_000 });
  return JSON.parse(stdout) as { pid: number; results: SDKResultMessage[] };
}

describe('a tool call deferred on one process and decided on another', () => {
  it('approve: the second process runs the call and the model continues from its result', async () => {
    const sessionId = randomUUID();
    emulator.enqueue(toolUseReply('deploy', { service: 'api' }, { id: 'toolu_deploy_1' }));
    const asked = await worker(sessionId, 'defer', 'Deploy the api.');
    expect(asked.results).toHaveLength(1);
    expect(asked.results[0]).toMatchObject({
      subtype: 'success',
      result: '',
      stop_reason: 'tool_deferred',
      terminal_reason: 'tool_deferred',
      deferred_tool_use: { id: 'toolu_deploy_1', name: 'deploy', input: { service: 'api' } },
    });
    const store = new FileSessionStore({ root });
    const stored = (await store.load({ projectKey: 'approvals', sessionId }))!;
    expect(stored.filter((entry) => entry.type === 'attachment').map((entry) => (entry.attachment as { type: string }).type)).toEqual(['hook_deferred_tool']);

    emulator.enqueue(textReply('The api is deployed.'));
    const approved = await worker(sessionId, 'allow', '');
    expect(approved.pid).not.toBe(asked.pid);
    expect(approved.results.map((result) => result.subtype)).toEqual(['success']);
    expect(approved.results[0]).toMatchObject({ result: 'The api is deployed.', terminal_reason: 'completed' });
    expect(await readFile(join(root, `${sessionId}.deployed`), 'utf8')).toBe(String(approved.pid));

    const requests = messageRequests(emulator);
    // Two API calls in all: the model was not asked again for the call.
    expect(requests).toHaveLength(2);
    const last = requests[1]!.messages.at(-1)!;
    expect(last.role).toBe('user');
    expect(last.content).toEqual([
      { type: 'tool_result', tool_use_id: 'toolu_deploy_1', content: 'deployed api' },
      { type: 'text', text: 'Continue from where you left off.' },
    ]);
    expect(emulator.requests.filter((request) => request.rejected !== undefined)).toEqual([]);
  });

  it('deny, with a new prompt: the denial is recorded, then the prompt runs as its own turn', async () => {
    const sessionId = randomUUID();
    emulator.enqueue(toolUseReply('deploy', { service: 'db' }, { id: 'toolu_deploy_2' }));
    await worker(sessionId, 'defer', 'Deploy the db.');
    emulator.enqueue(textReply('Understood, not deploying.'));
    emulator.enqueue(textReply('Here is the status.'));
    const decided = await worker(sessionId, 'deny', 'What is the status?');
    expect(decided.results.map((result) => [result.subtype, result.terminal_reason])).toEqual([
      ['success', 'completed'],
      ['success', 'completed'],
    ]);
    expect(decided.results[0]!.permission_denials).toEqual([{ tool_name: 'deploy', tool_use_id: 'toolu_deploy_2', tool_input: { service: 'db' } }]);
    expect(decided.results[1]!.permission_denials).toEqual([]);
    const requests = messageRequests(emulator);
    expect(requests).toHaveLength(3);
    expect(requests[1]!.messages.at(-1)!.content).toEqual([
      { type: 'tool_result', tool_use_id: 'toolu_deploy_2', content: 'A human said no.', is_error: true },
      { type: 'text', text: 'Continue from where you left off.' },
    ]);
    expect(requests[2]!.messages.at(-1)!.content).toEqual([{ type: 'text', text: 'What is the status?' }]);
    expect(emulator.requests.filter((request) => request.rejected !== undefined)).toEqual([]);
  });
});
