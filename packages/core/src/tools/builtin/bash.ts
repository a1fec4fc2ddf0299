import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { constants } from 'node:os';
import { InvalidArgumentError } from '../../errors.js';
import type { ToolDefinition, ToolOutcome } from '../tool-runner.js';
import { LimitedOutput } from './output-limit.js';
import { terminateProcessGroup } from './process-group.js';
import { optionalBoolean, optionalInteger, requiredString } from './tool-input.js';
import { errorMessage, toolFailure, toolRejection } from './tool-result.js';

/** How the Bash tool runs commands. */
export type BashToolOptions = {
  /** Timeout when the call gives none, in milliseconds (default 120000). */
  defaultTimeoutMs?: number;
  /** Longest timeout a call may ask for; larger values are lowered to it (default 600000). */
  maxTimeoutMs?: number;
  /** Environment of the commands (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
  /** The shell, run as `<shell> -c <command>` (default `/bin/bash`, else `bash` from `PATH`). */
  shell?: string;
  /** stdout and stderr are each cut beyond this many characters, with a marker (default 30000). */
  maxOutputChars?: number;
  /** Time between SIGTERM and SIGKILL when a command is stopped (default 2000 ms). */
  killGraceMs?: number;
};

const DEFAULT_TIMEOUT_MS = 120_000;
const MAX_TIMEOUT_MS = 600_000;
const DEFAULT_MAX_OUTPUT_CHARS = 30_000;
const DEFAULT_KILL_GRACE_MS = 2_000;
/** After the shell exits, how long output pipes may stay open (held by a process that escaped the group). */
const PIPE_DRAIN_MS = 500;

const INPUT_SCHEMA: ToolDefinition['inputSchema'] = {
  type: 'object',
  properties: {
    command: { type: 'string', description: 'The command to execute' },
    timeout: { type: 'number', description: 'Optional timeout in milliseconds (max 600000 for a foreground command)' },
    description: {
      type: 'string',
      description: 'Clear, concise description of what this command does in active voice, in 5-10 words (e.g. "List files in current directory").',
    },
    run_in_background: {
      type: 'boolean',
      description: 'Set to true to run this command in the background. Not supported by this executor: commands always run in the foreground.',
    },
    dangerouslyDisableSandbox: {
      type: 'boolean',
      description: 'Set this to true to dangerously override sandbox mode and run commands without sandboxing.',
    },
  },
  required: ['command'],
  additionalProperties: false,
};

type Completion = { code: number; timedOut: boolean; aborted: boolean; stdout: string; stderr: string };

function defaultShell(): string {
  return existsSync('/bin/bash') ? '/bin/bash' : 'bash';
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))}s`;
}

function exitCode(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  // A shell killed by a signal reports 128 + the signal number, as bash does for its children.
  return 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0));
}

/**
 * The built-in `Bash` tool: `bash -c <command>` in the working directory, in its own process group.
 * A timeout or an abort ends the whole group (SIGTERM, then SIGKILL), and processes the command
 * leaves running in the background are ended when it finishes: a stateless executor has no shell
 * session to keep them in.
 */
export function bashTool(options: BashToolOptions = {}): ToolDefinition {
  const defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxTimeoutMs = options.maxTimeoutMs ?? MAX_TIMEOUT_MS;
  const maxOutputChars = options.maxOutputChars ?? DEFAULT_MAX_OUTPUT_CHARS;
  const killGraceMs = options.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const shell = options.shell ?? defaultShell();

  function execute(command: string, cwd: string, timeoutMs: number, signal: AbortSignal): Promise<Completion> {
    return new Promise((resolve, reject) => {
      const child = spawn(shell, ['-c', command], {
        cwd,
        env: options.env ?? process.env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const stdout = new LimitedOutput(maxOutputChars);
      const stderr = new LimitedOutput(maxOutputChars);
      child.stdout.on('data', (chunk: Buffer) => stdout.append(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.append(chunk));
      let timedOut = false;
      let aborted = false;
      let stopping: Promise<void> | undefined;
      const stop = (): Promise<void> => (stopping ??= terminateProcessGroup(child, killGraceMs));
      const timer = setTimeout(() => {
        timedOut = true;
        void stop();
      }, timeoutMs);
      const onAbort = (): void => {
        aborted = true;
        void stop();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) onAbort();
      const cleanUp = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      };
      child.once('error', (error) => {
        cleanUp();
        reject(error);
      });
      child.once('exit', (code, exitSignal) => {
        cleanUp();
        const pipesClosed = Promise.all(
          [child.stdout, child.stderr].map((stream) => new Promise<void>((done) => (stream.closed ? done() : stream.once('close', () => done())))),
        );
        // The shell is gone; background processes it started would outlive the call, so end them too.
        void stop()
          .then(() => Promise.race([pipesClosed, new Promise((done) => setTimeout(done, PIPE_DRAIN_MS))]))
          .then(() => {
            child.stdout.destroy();
            child.stderr.destroy();
            resolve({ code: exitCode(code, exitSignal), timedOut, aborted, stdout: stdout.text(), stderr: stderr.text() });
          });
      });
    });
  }

  return {
    name: 'Bash',
    description:
      'Runs a bash command in the working directory and returns its output. Commands time out after 2 minutes by default (timeout in milliseconds, at most 10 minutes). Each call starts a fresh shell: directory changes and variables do not carry over, and background processes are ended when the command finishes. Long output is truncated. Prefer Read, Edit, Glob and Grep for file operations.',
    inputSchema: INPUT_SCHEMA,
    access: (input) => ({ kind: 'execute', paths: [], ...(typeof input.command === 'string' ? { command: input.command } : {}) }),
    async run(input, context): Promise<ToolOutcome> {
      let command: string;
      let timeoutMs: number;
      try {
        command = requiredString(input, 'command');
        timeoutMs = Math.min(optionalInteger(input, 'timeout', 1) ?? defaultTimeoutMs, maxTimeoutMs);
        if (optionalBoolean(input, 'run_in_background') === true) {
          return toolRejection(
            'run_in_background is not supported: this executor is stateless and keeps no background shells between calls. Run the command in the foreground with a timeout (at most 600000 ms).',
          );
        }
      } catch (error) {
        if (error instanceof InvalidArgumentError) return toolRejection(error.message);
        throw error;
      }
      if (command.trim() === '') return toolRejection('The command is empty.');
      const cwdExists = await stat(context.cwd).then((info) => info.isDirectory(), () => false);
      if (!cwdExists) return toolFailure(`Working directory does not exist: ${context.cwd}`);

      let completion: Completion;
      try {
        completion = await execute(command, context.cwd, timeoutMs, context.signal);
      } catch (error) {
        return toolFailure(`Could not start ${shell}: ${errorMessage(error)}`);
      }
      const { stdout, stderr, code } = completion;
      const output = [stdout, stderr].filter((text) => text !== '').join('\n');
      if (completion.aborted) {
        return {
          content: [output, 'Command was aborted before completion'].filter((text) => text !== '').join('\n'),
          isError: true,
          structured: { stdout, stderr, interrupted: true, isImage: false },
        };
      }
      if (completion.timedOut) {
        return toolFailure([`Exit code ${code}`, output, `Command timed out after ${seconds(timeoutMs)}`].filter((text) => text !== '').join('\n'));
      }
      if (code !== 0) return toolFailure([`Exit code ${code}`, output].filter((text) => text !== '').join('\n'));
      return {
        content: output === '' ? '(Bash completed with no output)' : output,
        structured: { stdout, stderr, interrupted: false, isImage: false },
      };
    },
  };
}
