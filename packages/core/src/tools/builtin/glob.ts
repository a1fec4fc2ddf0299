import { stat } from 'node:fs/promises';
import type * as Tinyglobby from 'tinyglobby';
import { InvalidArgumentError } from '../../errors.js';
import type { ToolDefinition } from '../tool-runner.js';
import { optionalString, requiredString } from './tool-input.js';
import { cwdNote, displayPath, resolveToolPath } from './tool-paths.js';
import { errorCode, errorMessage, toolFailure, toolRejection } from './tool-result.js';

/**
 * tinyglobby (with fdir and picomatch) is loaded when a Glob or Grep call first runs: a query sends
 * the tools' schemas on every request but most never call them, and loading the module costs
 * every process memory and start-up time.
 */
export const loadGlob = (): Promise<typeof Tinyglobby> => import('tinyglobby');

/** Limits of the Glob tool. */
export type GlobToolOptions = {
  /** Paths returned at most; more set `truncated` (default 100, as in the CLI). */
  maxResults?: number;
};

const DEFAULT_MAX_RESULTS = 100;

/** Skipped like ripgrep skips them by default: VCS metadata and installed dependencies. */
export const SKIPPED_DIRECTORIES = ['**/.git/**', '**/node_modules/**'] as const;

const INPUT_SCHEMA: ToolDefinition['inputSchema'] = {
  type: 'object',
  properties: {
    pattern: { type: 'string', description: 'The glob pattern to match files against' },
    path: {
      type: 'string',
      description:
        'The directory to search in. If not specified, the current working directory will be used. IMPORTANT: Omit this field to use the default directory. DO NOT enter "undefined" or "null" - simply omit it for the default behavior. Must be a valid directory path if provided.',
    },
  },
  required: ['pattern'],
  additionalProperties: false,
};

/**
 * The built-in `Glob` tool: files matching a glob pattern, oldest modification first (the CLI's
 * order), at most 100. Paths under the working directory are printed relative to it.
 */
export function globTool(options: GlobToolOptions = {}): ToolDefinition {
  const maxResults = options.maxResults ?? DEFAULT_MAX_RESULTS;
  return {
    name: 'Glob',
    description:
      'Finds files by glob pattern (such as "**/*.ts" or "src/**/*.{js,jsx}") in a directory, the working directory by default. Returns matching file paths sorted by modification time, at most 100. Skips .git and node_modules.',
    inputSchema: INPUT_SCHEMA,
    access: (input, cwd) => ({ kind: 'read', paths: [resolveToolPath(typeof input.path === 'string' ? input.path : '.', cwd)] }),
    async run(input, context) {
      const started = performance.now();
      let pattern: string;
      let base: string;
      try {
        pattern = requiredString(input, 'pattern');
        base = resolveToolPath(optionalString(input, 'path') ?? '.', context.cwd);
      } catch (error) {
        if (error instanceof InvalidArgumentError) return toolRejection(error.message);
        throw error;
      }
      try {
        const info = await stat(base);
        if (!info.isDirectory()) return toolFailure(`Path is not a directory: ${base}`);
      } catch (error) {
        if (errorCode(error) === 'ENOENT') return toolFailure(`Directory does not exist: ${base}. ${cwdNote(context.cwd)}`);
        return toolFailure(errorMessage(error));
      }
      let matches: string[];
      try {
        const { glob } = await loadGlob();
        matches = await glob(pattern, {
          cwd: base,
          absolute: true,
          dot: true,
          onlyFiles: true,
          followSymbolicLinks: false,
          expandDirectories: false,
          ignore: [...SKIPPED_DIRECTORIES],
          signal: context.signal,
        });
      } catch (error) {
        if (context.signal.aborted) throw error;
        return toolFailure(`Glob failed: ${errorMessage(error)}`);
      }
      // tinyglobby ends an aborted walk with the matches so far instead of rejecting.
      context.signal.throwIfAborted();
      const timed = await Promise.all(
        matches.map(async (path) => ({ path, mtimeMs: await stat(path).then((entry) => entry.mtimeMs, () => 0) })),
      );
      timed.sort((a, b) => a.mtimeMs - b.mtimeMs || a.path.localeCompare(b.path));
      const truncated = timed.length > maxResults;
      const filenames = timed.slice(0, maxResults).map((entry) => displayPath(entry.path, context.cwd));
      const lines = filenames.length === 0 ? ['No files found'] : [...filenames];
      if (truncated) {
        lines.push(`(Showing ${filenames.length} of ${timed.length} matching files; ${timed.length - filenames.length} more are not listed. Narrow the pattern or path to see the rest.)`);
      }
      return {
        content: lines.join('\n'),
        structured: {
          filenames,
          durationMs: Math.round(performance.now() - started),
          numFiles: filenames.length,
          truncated,
          totalMatches: timed.length,
          countIsComplete: true,
        },
      };
    },
  };
}
