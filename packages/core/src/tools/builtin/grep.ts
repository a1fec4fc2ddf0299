import { readFile, stat } from 'node:fs/promises';
import { InvalidArgumentError } from '../../errors.js';
import type { ToolDefinition, ToolOutcome } from '../tool-runner.js';
import { loadGlob, SKIPPED_DIRECTORIES } from './glob.js';
import { GREP_FILE_TYPES } from './grep-file-types.js';
import { optionalBoolean, optionalInteger, optionalString, requiredString } from './tool-input.js';
import { cwdNote, displayPath, resolveToolPath } from './tool-paths.js';
import { errorCode, errorMessage, toolFailure, toolRejection } from './tool-result.js';

/** Limits of the Grep tool. */
export type GrepToolOptions = {
  /** Files larger than this are not searched (default 20 MB). */
  maxFileBytes?: number;
};

type OutputMode = 'content' | 'files_with_matches' | 'count';

const OUTPUT_MODES: readonly OutputMode[] = ['content', 'files_with_matches', 'count'];
const DEFAULT_HEAD_LIMIT = 250;
const DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024;
/** Like the CLI's `rg --max-columns 500`: longer lines are omitted from content output. */
const MAX_COLUMNS = 500;
const BINARY_SCAN_BYTES = 8192;

const INPUT_SCHEMA: ToolDefinition['inputSchema'] = {
  type: 'object',
  properties: {
    pattern: { type: 'string', description: 'The regular expression pattern to search for in file contents' },
    path: { type: 'string', description: 'File or directory to search in (rg PATH). Defaults to current working directory.' },
    glob: { type: 'string', description: 'Glob pattern to filter files (e.g. "*.js", "*.{ts,tsx}") - maps to rg --glob' },
    output_mode: {
      type: 'string',
      enum: [...OUTPUT_MODES],
      description:
        'Output mode: "content" shows matching lines (supports -A/-B/-C context, -n line numbers, head_limit), "files_with_matches" shows file paths (supports head_limit), "count" shows match counts (supports head_limit). Defaults to "files_with_matches".',
    },
    '-B': { type: 'number', description: 'Number of lines to show before each match (rg -B). Requires output_mode: "content", ignored otherwise.' },
    '-A': { type: 'number', description: 'Number of lines to show after each match (rg -A). Requires output_mode: "content", ignored otherwise.' },
    '-C': { type: 'number', description: 'Alias for context.' },
    context: {
      type: 'number',
      description: 'Number of lines to show before and after each match (rg -C). Requires output_mode: "content", ignored otherwise.',
    },
    '-n': { type: 'boolean', description: 'Show line numbers in output (rg -n). Requires output_mode: "content", ignored otherwise. Defaults to true.' },
    '-i': { type: 'boolean', description: 'Case insensitive search (rg -i)' },
    '-o': {
      type: 'boolean',
      description:
        'Print only the matched (non-empty) parts of each matching line, one match per output line (rg -o / --only-matching). Requires output_mode: "content", ignored otherwise. Defaults to false.',
    },
    type: {
      type: 'string',
      description: 'File type to search (rg --type). Common types: js, py, rust, go, java, etc. More efficient than include for standard file types.',
    },
    head_limit: {
      type: 'number',
      description:
        'Limit output to first N lines/entries, equivalent to "| head -N". Works across all output modes: content (limits output lines), files_with_matches (limits file paths), count (limits count entries). Defaults to 250 when unspecified. Pass 0 for unlimited (use sparingly — large result sets waste context).',
    },
    offset: {
      type: 'number',
      description: 'Skip first N lines/entries before applying head_limit, equivalent to "| tail -n +N | head -N". Works across all output modes. Defaults to 0.',
    },
    multiline: {
      type: 'boolean',
      description: 'Enable multiline mode where . matches newlines and patterns can span lines (rg -U --multiline-dotall). Default: false.',
    },
  },
  required: ['pattern'],
  additionalProperties: false,
};

type GrepRequest = {
  regex: RegExp;
  root: string;
  globPattern: string | undefined;
  fileType: string | undefined;
  mode: OutputMode;
  before: number;
  after: number;
  lineNumbers: boolean;
  onlyMatching: boolean;
  multiline: boolean;
  headLimit: number;
  offset: number;
};

/** What one file contributed: the 0-based indexes of matching lines and, for `-o`, the matched texts per line. */
type FileMatches = { path: string; lines: string[]; matchingLines: number[]; matchedTexts: Map<number, string[]> };

function compile(pattern: string, caseInsensitive: boolean, multiline: boolean): RegExp {
  const flags = `g${caseInsensitive ? 'i' : ''}${multiline ? 'ms' : ''}`;
  try {
    // Unicode mode first (\p{...} works); without it for patterns that are valid only in legacy mode (`\-`).
    return new RegExp(pattern, `${flags}u`);
  } catch {
    return new RegExp(pattern, flags);
  }
}

function parseRequest(input: Record<string, unknown>, cwd: string): GrepRequest {
  const mode = optionalString(input, 'output_mode') ?? 'files_with_matches';
  if (!OUTPUT_MODES.includes(mode as OutputMode)) {
    throw new InvalidArgumentError(`output_mode must be one of ${OUTPUT_MODES.join(', ')}`, 'output_mode');
  }
  const context = optionalInteger(input, '-C', 0) ?? optionalInteger(input, 'context', 0) ?? 0;
  const pattern = requiredString(input, 'pattern');
  let regex: RegExp;
  try {
    regex = compile(pattern, optionalBoolean(input, '-i') ?? false, optionalBoolean(input, 'multiline') ?? false);
  } catch (error) {
    throw new InvalidArgumentError(`Invalid regular expression: ${errorMessage(error)}`, 'pattern');
  }
  const fileType = optionalString(input, 'type');
  if (fileType !== undefined && GREP_FILE_TYPES[fileType] === undefined) {
    throw new InvalidArgumentError(`unrecognized file type: ${fileType} (known: ${Object.keys(GREP_FILE_TYPES).join(', ')})`, 'type');
  }
  return {
    regex,
    root: resolveToolPath(optionalString(input, 'path') ?? '.', cwd),
    globPattern: optionalString(input, 'glob'),
    fileType,
    mode: mode as OutputMode,
    before: optionalInteger(input, '-B', 0) ?? context,
    after: optionalInteger(input, '-A', 0) ?? context,
    lineNumbers: optionalBoolean(input, '-n') ?? true,
    onlyMatching: optionalBoolean(input, '-o') ?? false,
    multiline: optionalBoolean(input, 'multiline') ?? false,
    headLimit: optionalInteger(input, 'head_limit', 0) ?? DEFAULT_HEAD_LIMIT,
    offset: optionalInteger(input, 'offset', 0) ?? 0,
  };
}

/** Like ripgrep's --glob: a pattern without a slash matches the file name at any depth. */
function anyDepth(pattern: string): string {
  return pattern.includes('/') ? pattern : `**/${pattern}`;
}

async function candidateFiles(request: GrepRequest, signal: AbortSignal): Promise<string[]> {
  const options = { cwd: request.root, absolute: true, dot: true, onlyFiles: true, followSymbolicLinks: false, expandDirectories: false, ignore: [...SKIPPED_DIRECTORIES], signal };
  const { glob } = await loadGlob();
  let files = await glob(request.globPattern === undefined ? '**/*' : anyDepth(request.globPattern), options);
  if (request.fileType !== undefined) {
    const ofType = new Set(await glob((GREP_FILE_TYPES[request.fileType] ?? []).map(anyDepth), options));
    files = files.filter((file) => ofType.has(file));
  }
  return files.sort();
}

function lineIndexAt(lineStarts: readonly number[], offset: number): number {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (lineStarts[middle]! <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}

function searchText(path: string, text: string, request: GrepRequest): FileMatches {
  const lines = text.split('\n');
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  const matchingLines: number[] = [];
  const matchedTexts = new Map<number, string[]>();
  const { regex } = request;
  const record = (line: number, matched: string): void => {
    if (!matchedTexts.has(line)) {
      matchedTexts.set(line, []);
      matchingLines.push(line);
    }
    if (matched !== '') matchedTexts.get(line)!.push(matched);
  };
  if (request.multiline) {
    const lineStarts = [0];
    for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) lineStarts.push(index + 1);
    regex.lastIndex = 0;
    for (const match of text.matchAll(regex)) {
      const first = lineIndexAt(lineStarts, match.index);
      const last = lineIndexAt(lineStarts, match.index + Math.max(0, match[0].length - 1));
      for (let line = first; line <= last && line < lines.length; line += 1) record(line, line === first ? match[0] : '');
    }
    matchingLines.sort((a, b) => a - b);
  } else {
    lines.forEach((raw, index) => {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      regex.lastIndex = 0;
      for (const match of line.matchAll(regex)) record(index, match[0]);
    });
  }
  return { path, lines: lines.map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line)), matchingLines, matchedTexts };
}

/** Output lines of one file in content mode, ripgrep style: `path:n:line` for matches, `path-n-line` for context. */
function contentLines(file: FileMatches, request: GrepRequest, prefix: string | undefined): string[][] {
  const label = (index: number, separator: ':' | '-'): string =>
    `${prefix === undefined ? '' : `${prefix}${separator}`}${request.lineNumbers ? `${index + 1}${separator}` : ''}`;
  if (request.onlyMatching) {
    return [file.matchingLines.flatMap((index) => (file.matchedTexts.get(index) ?? []).map((text) => `${label(index, ':')}${text}`))];
  }
  const matching = new Set(file.matchingLines);
  const shown = new Set<number>();
  for (const index of file.matchingLines) {
    for (let line = Math.max(0, index - request.before); line <= Math.min(file.lines.length - 1, index + request.after); line += 1) shown.add(line);
  }
  // Contiguous runs of shown lines; ripgrep separates runs with `--` when context is on.
  const groups: string[][] = [];
  let previous = -2;
  for (const index of [...shown].sort((a, b) => a - b)) {
    if (index !== previous + 1 || groups.length === 0) groups.push([]);
    previous = index;
    const isMatch = matching.has(index);
    const line = file.lines[index]!;
    const text =
      line.length > MAX_COLUMNS ? (isMatch ? `[Omitted long line with ${file.matchedTexts.get(index)?.length ?? 1} matches]` : '[Omitted long context line]') : line;
    groups.at(-1)!.push(`${label(index, isMatch ? ':' : '-')}${text}`);
  }
  return groups;
}

type Page<T> = { items: T[]; appliedLimit?: number; appliedOffset?: number };

function paginate<T>(items: readonly T[], headLimit: number, offset: number): Page<T> {
  const rest = items.slice(offset);
  const limited = headLimit > 0 && rest.length > headLimit;
  return {
    items: limited ? rest.slice(0, headLimit) : rest,
    ...(limited ? { appliedLimit: headLimit } : {}),
    ...(offset > 0 ? { appliedOffset: offset } : {}),
  };
}

function paginationText(page: Page<unknown>): string {
  return [
    ...(page.appliedLimit === undefined ? [] : [`limit: ${page.appliedLimit}`]),
    ...(page.appliedOffset === undefined ? [] : [`offset: ${page.appliedOffset}`]),
  ].join(', ');
}

function plural(count: number, word: string): string {
  return `${count} ${count === 1 ? word : `${word}s`}`;
}

async function newestFirst(paths: readonly string[]): Promise<string[]> {
  const timed = await Promise.all(paths.map(async (path) => ({ path, mtimeMs: await stat(path).then((info) => info.mtimeMs, () => 0) })));
  return timed.sort((a, b) => b.mtimeMs - a.mtimeMs || a.path.localeCompare(b.path)).map((entry) => entry.path);
}

/**
 * The built-in `Grep` tool: a regular-expression search over files, in pure Node (no ripgrep
 * needed), with ripgrep's output formats as the CLI prints them. JavaScript regular expressions stand
 * in for ripgrep's Rust syntax (the common subset is the same).
 */
export function grepTool(options: GrepToolOptions = {}): ToolDefinition {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;

  async function search(request: GrepRequest, cwd: string, signal: AbortSignal): Promise<ToolOutcome> {
    let singleFile: boolean;
    try {
      singleFile = !(await stat(request.root)).isDirectory();
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return toolFailure(`Path does not exist: ${request.root}. ${cwdNote(cwd)}`);
      throw error;
    }
    const files = singleFile ? [request.root] : await candidateFiles(request, signal);
    // tinyglobby ends an aborted walk with the files so far instead of rejecting.
    signal.throwIfAborted();
    const results: FileMatches[] = [];
    for (const path of files) {
      signal.throwIfAborted();
      let bytes: Buffer;
      try {
        if ((await stat(path)).size > maxFileBytes) continue;
        bytes = await readFile(path);
      } catch {
        continue; // Vanished or unreadable since listing: ripgrep skips these too.
      }
      if (bytes.subarray(0, BINARY_SCAN_BYTES).includes(0)) continue;
      const matches = searchText(path, bytes.toString('utf8'), request);
      if (matches.matchingLines.length > 0) results.push(matches);
    }

    if (request.mode === 'files_with_matches') {
      const all = (await newestFirst(results.map((result) => result.path))).map((path) => displayPath(path, cwd));
      const page = paginate(all, request.headLimit, request.offset);
      const suffix = paginationText(page);
      return {
        content: page.items.length === 0 ? 'No files found' : `Found ${plural(page.items.length, 'file')}${suffix === '' ? '' : ` ${suffix}`}\n${page.items.join('\n')}`,
        structured: { mode: 'files_with_matches', filenames: page.items, numFiles: page.items.length, totalFiles: all.length, ...pageFields(page) },
      };
    }
    if (request.mode === 'count') {
      const entries = results.map((result) => `${displayPath(result.path, cwd)}:${result.matchingLines.length}`);
      const total = results.reduce((sum, result) => sum + result.matchingLines.length, 0);
      const page = paginate(entries, request.headLimit, request.offset);
      const suffix = paginationText(page);
      const summary = `Found ${plural(total, 'total occurrence')} across ${plural(results.length, 'file')}.${suffix === '' ? '' : ` with pagination = ${suffix}`}`;
      const listing = page.items.join('\n');
      return {
        content: `${listing === '' ? 'No matches found' : listing}\n\n${summary}`,
        structured: { mode: 'count', numFiles: results.length, filenames: [], content: listing, numMatches: total, ...pageFields(page) },
      };
    }
    const contextOn = !request.onlyMatching && (request.before > 0 || request.after > 0);
    const groups = results.flatMap((result) => contentLines(result, request, singleFile ? undefined : displayPath(result.path, cwd)));
    const lines = contextOn ? groups.flatMap((group, index) => (index === 0 ? group : ['--', ...group])) : groups.flat();
    const page = paginate(lines, request.headLimit, request.offset);
    const suffix = paginationText(page);
    const text = page.items.join('\n');
    return {
      content: text === '' ? 'No matches found' : `${text}${suffix === '' ? '' : `\n\n[Showing results with pagination = ${suffix}]`}`,
      structured: { mode: 'content', numFiles: 0, filenames: [], content: text, numLines: page.items.length, totalLines: lines.length, ...pageFields(page) },
    };
  }

  return {
    name: 'Grep',
    description:
      'Searches file contents with a regular expression (JavaScript syntax, close to ripgrep\'s). Filter files with glob (e.g. "*.ts") or type (e.g. "py"). output_mode "files_with_matches" (default) lists files, newest first; "content" shows matching lines with optional -A/-B/-C context; "count" counts matching lines per file. Results are capped by head_limit (default 250). Skips .git, node_modules and binary files.',
    inputSchema: INPUT_SCHEMA,
    access: (input, cwd) => ({ kind: 'read', paths: [resolveToolPath(typeof input.path === 'string' ? input.path : '.', cwd)] }),
    async run(input, context) {
      let request: GrepRequest;
      try {
        request = parseRequest(input, context.cwd);
      } catch (error) {
        if (error instanceof InvalidArgumentError) return toolRejection(error.message);
        throw error;
      }
      try {
        return await search(request, context.cwd, context.signal);
      } catch (error) {
        if (context.signal.aborted) throw error;
        return toolFailure(`Search failed: ${errorMessage(error)}`);
      }
    },
  };
}

function pageFields(page: Page<unknown>): { appliedLimit?: number; appliedOffset?: number } {
  return {
    ...(page.appliedLimit === undefined ? {} : { appliedLimit: page.appliedLimit }),
    ...(page.appliedOffset === undefined ? {} : { appliedOffset: page.appliedOffset }),
  };
}
