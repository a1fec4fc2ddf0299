import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { ToolDefinition, ToolOutcome } from '../../tool-runner.js';

/**
 * Real temporary directories for a test file: `create()` makes one (resolved through symlinks, as
 * tools print real paths); all are removed after each test.
 */
export function useTempDirs(): { create(): Promise<string> } {
  const created: string[] = [];
  afterEach(async () => {
    await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return {
    async create() {
      const dir = await realpath(await mkdtemp(join(tmpdir(), 'sdk-builtin-tool-')));
      created.push(dir);
      return dir;
    },
  };
}

/** Runs a tool as the tool runner would, normalising a string result to an outcome. */
export async function runTool(
  tool: ToolDefinition,
  input: Record<string, unknown>,
  cwd: string,
  signal: AbortSignal = new AbortController().signal,
): Promise<ToolOutcome> {
  const outcome = await tool.run(input, { cwd, signal, sessionId: '00000000-0000-4000-8000-000000000000' });
  return typeof outcome === 'string' ? { content: outcome } : outcome;
}

/** The text the model sees, for string content. */
export function textOf(outcome: ToolOutcome): string {
  if (typeof outcome.content !== 'string') throw new Error(`expected text content, got ${JSON.stringify(outcome.content).slice(0, 200)}`);
  return outcome.content;
}
