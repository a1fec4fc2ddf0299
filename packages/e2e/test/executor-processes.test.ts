import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { FileSessionStore } from '@sdk/store-file';
import { startMessagesEmulator, type MessagesEmulator } from '@sdk/testing/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageRequests, MODEL, transcriptOf } from './support/executor-harness.js';

type Worker = { child: ChildProcessWithoutNullStreams; lines: AsyncIterator<string>; reader: Interface };

const WORKER = fileURLToPath(new URL('./support/executor-worker.mjs', import.meta.url));

describe('AgentExecutor across processes', () => {
  let emulator: MessagesEmulator;
  let root: string;
  const workers: Worker[] = [];
  const projectKey = 'executor-processes';
  const sessionId = randomUUID();

  beforeAll(async () => {
    emulator = await startMessagesEmulator();
    root = await mkdtemp(join(tmpdir(), 'executor-processes-'));
    for (let index = 0; index < 2; index++) {
      const child = spawn(process.execPath, [WORKER], {
        env: { PATH: process.env.PATH ?? '', STORE_ROOT: root, EMULATOR_URL: emulator.url, PROJECT_KEY: projectKey, SESSION_ID: sessionId, MODEL },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const reader = createInterface({ input: child.stdout });
      workers.push({ child, reader, lines: reader[Symbol.asyncIterator]() });
    }
  });

  afterAll(async () => {
    for (const worker of workers) {
      worker.reader.close();
      worker.child.kill();
    }
    await emulator.close();
    await rm(root, { recursive: true, force: true });
  });

  async function turn(worker: Worker, prompt: string): Promise<{ pid: number; result: { subtype: string; result?: string } }> {
    worker.child.stdin.write(`${JSON.stringify({ prompt })}\n`);
    const line = await worker.lines.next();
    if (line.done === true) throw new Error('worker exited');
    return JSON.parse(line.value) as { pid: number; result: { subtype: string; result?: string } };
  }

  it('alternates turns of one session between two processes sharing a file store', async () => {
    const pids = new Set<number>();
    for (let index = 1; index <= 6; index++) {
      const { pid, result } = await turn(workers[index % 2]!, `turn ${index}`);
      pids.add(pid);
      expect(result).toMatchObject({ subtype: 'success', result: `echo: turn ${index} [messages=${2 * index - 1}]` });
    }
    expect(pids.size).toBe(2);
    expect(transcriptOf(messageRequests(emulator).at(-1)!)).toEqual([
      'user: turn 1',
      'assistant: echo: turn 1 [messages=1]',
      'user: turn 2',
      'assistant: echo: turn 2 [messages=3]',
      'user: turn 3',
      'assistant: echo: turn 3 [messages=5]',
      'user: turn 4',
      'assistant: echo: turn 4 [messages=7]',
      'user: turn 5',
      'assistant: echo: turn 5 [messages=9]',
      'user: turn 6',
    ]);
    const entries = (await new FileSessionStore({ root }).load({ projectKey, sessionId }))!;
    expect(entries.filter((entry) => entry.type === 'last-prompt')).toHaveLength(6);
  });
});
