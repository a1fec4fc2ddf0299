import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The committed corpus of transcripts written by the official SDK (packages/e2e/fixtures/official-corpus,
 * produced by scripts/generate-official-corpus.ts; docs/interop.md), and the normalisation used to
 * compare the conversations two implementations send to the Messages API.
 */

export const CORPUS_DIRECTORY = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'official-corpus');

/** A `query()` call of a case, as the generator made it. */
export type CorpusCall = {
  /** The prompt; a list for streaming input (one user message each). */
  prompt: string | string[];
  /** The options that choose the session (`resume`, `forkSession`, `resumeSessionAt`), as passed. */
  options: { resume?: string; forkSession?: boolean; resumeSessionAt?: string };
  /** The session id the call reported. */
  sessionId: string;
  /** For a call with `options.resume`: the file it resumed, as it was just before the call. */
  resumed?: {
    /** Lines of `projects/<key>/<resume>.jsonl` before the call (the CLI only appends). */
    lines: number;
    /** The first `POST /v1/messages` body of the call, with `tools` reduced to their names. */
    request: { model: string; system: unknown; messages: Array<{ role: string; content: unknown }>; toolNames: string[] };
  };
};

/** `case.json` of one corpus case. */
export type CorpusCase = {
  name: string;
  description: string;
  /** Official SDK version that produced the case. */
  sdkVersion: string;
  /** The cwd every call used (a fixed path, so regeneration is reproducible); keys derive from it. */
  cwd: string;
  /** The project directory name the CLI used under `projects/`. */
  projectKey: string;
  /** Every main session id the case created. */
  sessionIds: string[];
  calls: CorpusCall[];
};

/** Every case of the corpus, with the path of its folder (holding `case.json` and `projects/`). */
export async function loadCorpus(): Promise<Array<{ directory: string; spec: CorpusCase }>> {
  const names = (await readdir(CORPUS_DIRECTORY, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  const cases = [];
  for (const name of names.sort()) {
    const directory = join(CORPUS_DIRECTORY, name);
    cases.push({ directory, spec: JSON.parse(await readFile(join(directory, 'case.json'), 'utf8')) as CorpusCase });
  }
  return cases;
}

/** A content block after normalisation: only what both implementations must agree on. */
export type NormalBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; tool_use_id: string; content: string; is_error?: true }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: string };

export type NormalMessage = { role: 'user' | 'assistant'; content: NormalBlock[] };

const SYSTEM_REMINDER = /^\s*<system-reminder>/;

function blocksOf(content: unknown): Array<Record<string, unknown>> {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return Array.isArray(content) ? (content as Array<Record<string, unknown>>) : [];
}

/**
 * Tool result content as one string: a string as is, text blocks joined by a newline; without
 * `<system-reminder>` blocks and trailing whitespace (the CLI folds the system-rendered attachments
 * that follow a tool result into its content, after trimming it; docs/interop.md).
 */
function resultText(content: unknown): string {
  return blocksOf(content)
    .map((block) => (block.type === 'text' ? String(block.text) : `[${String(block.type)}]`))
    .join('\n')
    .replace(/\s*<system-reminder>[\s\S]*?<\/system-reminder>/g, '')
    .trimEnd();
}

function normalBlock(block: Record<string, unknown>): NormalBlock | undefined {
  switch (block.type) {
    case 'text':
      return SYSTEM_REMINDER.test(String(block.text)) ? undefined : { type: 'text', text: String(block.text) };
    case 'tool_use':
      return { type: 'tool_use', id: String(block.id), name: String(block.name), input: block.input };
    case 'tool_result':
      return {
        type: 'tool_result',
        tool_use_id: String(block.tool_use_id),
        content: resultText(block.content),
        ...(block.is_error === true ? { is_error: true as const } : {}),
      };
    case 'thinking':
      return { type: 'thinking', thinking: String(block.thinking), signature: String(block.signature) };
    default:
      return { type: String(block.type) };
  }
}

/**
 * The conversation of a Messages API request, normalised for comparing implementations:
 * - `role: "system"` entries (the CLI sends rendered attachments that way) are dropped;
 * - text blocks starting with `<system-reminder>` (attachments the CLI renders into user turns) are dropped;
 * - blocks keep only: text → `text`; tool_use → `id`, `name`, `input`; tool_result → `tool_use_id`,
 *   `content` as one string (a string, or text blocks joined by `\n`, `<system-reminder>` parts and
 *   trailing whitespace removed), `is_error` when true;
 *   thinking → `thinking`, `signature`; others → `type`. So `cache_control` and `citations` are gone;
 * - string content becomes one text block; messages left empty are dropped; adjacent messages of
 *   one role are merged (the drops above can make two user turns neighbours).
 */
export function normalizeConversation(messages: ReadonlyArray<{ role: string; content: unknown }>): NormalMessage[] {
  const normal: NormalMessage[] = [];
  for (const message of messages) {
    if (message.role !== 'user' && message.role !== 'assistant') continue;
    const content = blocksOf(message.content)
      .map(normalBlock)
      .filter((block): block is NormalBlock => block !== undefined);
    if (content.length === 0) continue;
    const previous = normal.at(-1);
    if (previous?.role === message.role) previous.content.push(...content);
    else normal.push({ role: message.role, content });
  }
  return normal;
}

/** Each line of a JSONL file, parsed (blank lines skipped). */
export function parseJsonl(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
