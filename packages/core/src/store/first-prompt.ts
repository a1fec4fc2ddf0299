
/**
 * The first prompt a user typed, as the official SDK derives it for `firstPrompt` and for the
 * default title of a fork: one line, at most 200 code units plus an ellipsis, pasted-content
 * blocks unwrapped, harness markup skipped, a slash command remembered as a fallback.
 */

const MARKUP_PROMPT = /^(?:\s*<[a-z][\w-]*[\s>]|\[Request interrupted by user[^\]]*\])/;
const COMMAND_NAME = /<command-name>(.*?)<\/command-name>/;
const BASH_INPUT = /<bash-input>([\s\S]*?)<\/bash-input>/;
const FIRST_PROMPT_MAX = 200;
const PASTED_OPEN = '<pasted_content id="';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Carries the first slash command seen, used when no typed prompt is found. */
export type PromptSearchState = { commandFallback: string };

/** The prompt of one transcript entry, or undefined when it has none (or is not a user prompt). */
export function promptOfEntry(entry: unknown, state: PromptSearchState): string | undefined {
  if (!isRecord(entry) || entry.type !== 'user') return undefined;
  if (entry.isMeta === true || entry.isCompactSummary === true) return undefined;
  const message = entry.message;
  if (!isRecord(message)) return undefined;
  const content = message.content;
  const texts: string[] = [];
  if (typeof content === 'string') texts.push(content);
  else if (Array.isArray(content)) {
    for (const block of content as unknown[]) {
      if (!isRecord(block)) continue;
      if (block.type === 'tool_result') return undefined;
      if (block.type === 'text' && typeof block.text === 'string') texts.push(block.text);
    }
  }
  for (const raw of texts) {
    let text = unwrapPastedContent(raw).replaceAll('\n', ' ').trim();
    if (!text) continue;
    const command = COMMAND_NAME.exec(text);
    if (command?.[1] !== undefined) {
      if (!state.commandFallback) state.commandFallback = command[1];
      continue;
    }
    const bash = BASH_INPUT.exec(text);
    if (bash?.[1] !== undefined) return `! ${bash[1].trim()}`;
    if (MARKUP_PROMPT.test(text)) continue;
    if (text.length > FIRST_PROMPT_MAX) text = truncateUtf16(text, FIRST_PROMPT_MAX).trim() + '…';
    return text;
  }
  return undefined;
}

/** The first prompt among `entries`, else the first slash command, else the empty string. */
export function firstPromptOfEntries(entries: readonly unknown[]): string {
  const state = { commandFallback: '' };
  for (const entry of entries) {
    const prompt = promptOfEntry(entry, state);
    if (prompt !== undefined) return prompt;
  }
  return state.commandFallback;
}

/** Cuts to `length` code units without splitting a surrogate pair. */
export function truncateUtf16(text: string, length: number): string {
  if (text.length <= length) return text;
  const cut = text.slice(0, length);
  const last = cut.charCodeAt(length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/**
 * Replaces each `<pasted_content id="abcd">\n…\n</pasted_content id="abcd">` block (a 4-hex-digit
 * id) by its body and drops up to two newlines around it, as the official reader does.
 */
export function unwrapPastedContent(text: string): string {
  const parts: string[] = [];
  let copied = 0;
  let searchFrom = 0;
  let unwrapped = false;
  for (;;) {
    const open = text.indexOf(PASTED_OPEN, searchFrom);
    if (open === -1) break;
    const idStart = open + PASTED_OPEN.length;
    const id = text.slice(idStart, idStart + 4);
    if (!/^[0-9a-f]{4}$/.test(id) || !text.startsWith('">\n', idStart + 4)) {
      searchFrom = idStart;
      continue;
    }
    const bodyStart = idStart + 4 + 3;
    const close = `</pasted_content id="${id}">`;
    const closeAt = text.indexOf(`\n${close}`, bodyStart - 1) + 1;
    if (closeAt === 0) break;
    let blockStart = open;
    for (let dropped = 0; dropped < 2 && blockStart > copied && text[blockStart - 1] === '\n'; dropped++) blockStart--;
    if (blockStart > copied) parts.push(text.slice(copied, blockStart));
    copied = closeAt + close.length;
    for (let dropped = 0; dropped < 2 && text[copied] === '\n'; dropped++) copied++;
    parts.push(text.slice(bodyStart, closeAt - 1));
    unwrapped = true;
    searchFrom = copied;
  }
  if (!unwrapped) return text;
  if (copied < text.length) parts.push(text.slice(copied));
  return parts.join('');
}
