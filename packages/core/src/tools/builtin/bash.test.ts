import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runTool, textOf, useTempDirs } from './__fixtures__/tool-harness.js';
import { bashTool } from './bash.js';

/** Whether a process runs: exists and is not a zombie waiting for a parent that does not reap (a container's PID 1). */
async function isRunning(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return !/^\d+ \(.*\) Z/.test(stat);
}

async function waitForLines(path: string, count: number): Promise<number[]> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const pids = (await readFile(path, 'utf8').catch(() => ''))
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map(Number);
    if (pids.length >= count) return pids;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`${path} never had ${count} lines`);
}

async function expectAllGone(pids: readonly number[]): Promise<void> {
  // SIGKILLed processes disappear asynchronously; give the kernel a moment.
  for (let attempt = 0; attempt < 40; attempt += 1) {
    const running = await Promise.all(pids.map(isRunning));
    if (!running.includes(true)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const running = await Promise.all(pids.map(isRunning));
  const survivors = pids.filter((_, index) => running[index]);
  throw new Error(`processes still running: ${survivors.join(', ')}`);
}

// The shell records its own pid, a background sleep, a subshell, a sleep inside the subshell and a
// nested bash, then waits: the whole tree has to be gone after an abort or a timeout.
const PROCESS_TREE = [
  'echo $$ >> pids',
  'sleep 30 & echo $! >> pids',
  '( echo $BASHPID >> pids; sleep 30 & echo $! >> pids; wait ) &',
  "bash -c 'echo $$ >> pids; exec sleep 30' &",
  'sleep 30',
].join('\n');
const PROCESS_TREE_SIZE = 5;

describe('Bash', () => {
  const dirs = useTempDirs();
  let cwd: string;
  const bash = bashTool();

  beforeEach(async () => {
    cwd = await dirs.create();
  });

  it('runs a command in the working directory and returns its output', async () => {
    const outcome = await runTool(bash, { command: 'pwd; echo err >&2' }, cwd);
    expect(outcome).toEqual({ content: `${cwd}\nerr`, structured: { stdout: cwd, stderr: 'err', interrupted: false, isImage: false } });
  });

  it('says so when a command prints nothing', async () => {
    expect(await runTool(bash, { command: 'true' }, cwd)).toMatchObject({ content: '(Bash completed with no output)', structured: { stdout: '', stderr: '' } });
  });

  it('uses the environment from the options', async () => {
    const withEnv = bashTool({ env: { PATH: process.env.PATH, GREETING: 'hello from options' } });
    expect(textOf(await runTool(withEnv, { command: 'echo "$GREETING"; echo "${HOME:-no home}"' }, cwd))).toBe('hello from options\nno home');
  });

  it('reports a non-zero exit code as an error with the output', async () => {
    const outcome = await runTool(bash, { command: 'echo out; echo bad >&2; exit 3' }, cwd);
    expect(outcome).toEqual({ content: 'Exit code 3\nout\nbad', isError: true, structured: 'Error: Exit code 3\nout\nbad' });
    expect(await runTool(bash, { command: 'exit 1' }, cwd)).toMatchObject({ content: 'Exit code 1', isError: true });
  });

  it('truncates long output with a marker', async () => {
    const outcome = await runTool(bashTool({ maxOutputChars: 1000 }), { command: 'seq 1 20000' }, cwd);
    const text = textOf(outcome);
    expect(text.startsWith('1\n2\n3\n')).toBe(true);
    expect(text).toContain('... [output truncated: 1000 characters shown of 108894 bytes] ...');
    expect(text.length).toBeLessThan(1100);
  });

  it('keeps the default limit at 30000 characters', async () => {
    const text = textOf(await runTool(bash, { command: 'head -c 50000 /dev/zero | tr "\\0" a' }, cwd));
    expect(text).toMatch(/^a{30000}\n\n\.\.\. \[output truncated: 30000 characters shown of 50000 bytes\] \.\.\.$/);
  });

  it('rejects run_in_background and bad input with a clear error', async () => {
    expect(await runTool(bash, { command: 'sleep 1', run_in_background: true }, cwd)).toMatchObject({
      isError: true,
      content: expect.stringContaining('run_in_background is not supported'),
    });
    expect(await runTool(bash, {}, cwd)).toMatchObject({ isError: true, content: expect.stringContaining('command') });
    expect(await runTool(bash, { command: 'true', timeout: -5 }, cwd)).toMatchObject({ isError: true, content: expect.stringContaining('timeout') });
    expect(await runTool(bash, { command: 'true' }, join(cwd, 'missing'))).toMatchObject({ isError: true, content: expect.stringContaining('Working directory does not exist') });
  });

  it('kills the whole process tree on abort', async () => {
    const controller = new AbortController();
    const running = runTool(bash, { command: PROCESS_TREE }, cwd, controller.signal);
    const pids = await waitForLines(join(cwd, 'pids'), PROCESS_TREE_SIZE);
    expect(await Promise.all(pids.map(isRunning))).toEqual(pids.map(() => true));
    const abortedAt = Date.now();
    controller.abort();
    const outcome = await running;
    expect(Date.now() - abortedAt).toBeLessThan(5000);
    expect(outcome).toMatchObject({ isError: true, content: 'Command was aborted before completion', structured: { interrupted: true } });
    await expectAllGone(pids);
  });

  it('does not let a command run when the turn was aborted before the call', async () => {
    const controller = new AbortController();
    controller.abort();
    const started = Date.now();
    const outcome = await runTool(bash, { command: 'sleep 30' }, cwd, controller.signal);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(outcome).toMatchObject({ isError: true, structured: { interrupted: true } });
  });

  it('kills the whole process tree on timeout', async () => {
    const started = Date.now();
    const outcome = await runTool(bash, { command: PROCESS_TREE, timeout: 1000 }, cwd);
    expect(Date.now() - started).toBeLessThan(6000);
    expect(outcome).toMatchObject({ isError: true, content: 'Exit code 143\nCommand timed out after 1s' });
    await expectAllGone(await waitForLines(join(cwd, 'pids'), PROCESS_TREE_SIZE));
  });

  it('uses SIGKILL for processes that ignore SIGTERM', async () => {
    const stubborn = bashTool({ killGraceMs: 300 });
    const outcome = await runTool(stubborn, { command: "trap '' TERM; echo $$ >> pids; sleep 30 & echo $! >> pids; wait", timeout: 500 }, cwd);
    expect(outcome).toMatchObject({ isError: true, content: expect.stringMatching(/^Exit code 137\n/) });
    await expectAllGone(await waitForLines(join(cwd, 'pids'), 2));
  });

  it('ends background processes when the command finishes', async () => {
    const started = Date.now();
    const outcome = await runTool(bash, { command: 'sleep 30 & echo $! >> pids; echo started' }, cwd);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(outcome.content).toBe('started');
    await expectAllGone(await waitForLines(join(cwd, 'pids'), 1));
  });

  it('declares an execute access with the command', () => {
    expect(bash.access?.({ command: 'ls -la' }, cwd)).toEqual({ kind: 'execute', paths: [], command: 'ls -la' });
  });
});
