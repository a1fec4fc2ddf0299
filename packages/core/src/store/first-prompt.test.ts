import { describe, expect, it } from 'vitest';
import { firstPromptOfEntries, promptOfEntry, truncateUtf16, unwrapPastedContent } from './first-prompt.js';

const user = (content: unknown, extra: Record<string, unknown> = {}) => ({ type: 'user', message: { role: 'user', content }, ...extra });

describe('promptOfEntry', () => {
  it('reads string and text-block prompts as one trimmed line', () => {
    expect(promptOfEntry(user('  hello\nworld '), { commandFallback: '' })).toBe('hello world');
    expect(promptOfEntry(user([{ type: 'image' }, { type: 'text', text: 'look' }]), { commandFallback: '' })).toBe('look');
  });

  it('skips tool results, meta and compaction summaries', () => {
    const state = { commandFallback: '' };
    expect(promptOfEntry(user([{ type: 'tool_result', tool_use_id: 't' }, { type: 'text', text: 'x' }]), state)).toBeUndefined();
    expect(promptOfEntry(user('x', { isMeta: true }), state)).toBeUndefined();
    expect(promptOfEntry(user('x', { isCompactSummary: true }), state)).toBeUndefined();
    expect(promptOfEntry({ type: 'assistant', message: { content: 'x' } }, state)).toBeUndefined();
  });

  it('remembers the first slash command and reads bash input', () => {
    const state = { commandFallback: '' };
    expect(promptOfEntry(user('<command-name>/compact</command-name>'), state)).toBeUndefined();
    expect(promptOfEntry(user('<command-name>/other</command-name>'), state)).toBeUndefined();
    expect(state.commandFallback).toBe('/compact');
    expect(promptOfEntry(user('<bash-input> ls -la </bash-input>'), state)).toBe('! ls -la');
    expect(promptOfEntry(user('<system-reminder>x</system-reminder>'), state)).toBeUndefined();
  });

  it('truncates to 200 code units plus an ellipsis', () => {
    const prompt = promptOfEntry(user('a'.repeat(250)), { commandFallback: '' });
    expect(prompt).toBe('a'.repeat(200) + '…');
  });

  it('falls back to the command when no prompt was typed', () => {
    expect(firstPromptOfEntries([user('<command-name>/init</command-name>')])).toBe('/init');
    expect(firstPromptOfEntries([{ type: 'tag' }, 'garbage', null])).toBe('');
  });
});

describe('truncateUtf16', () => {
  it('never splits a surrogate pair', () => {
    expect(truncateUtf16('ab\u{1F600}', 3)).toBe('ab');
    expect(truncateUtf16('abc', 5)).toBe('abc');
  });
});

describe('unwrapPastedContent', () => {
  it('replaces a pasted block by its body and drops the newlines around it', () => {
    const text = 'see\n\n<pasted_content id="0a1f">\nBODY\n</pasted_content id="0a1f">\n\nafter';
    expect(unwrapPastedContent(text)).toBe('seeBODYafter');
  });

  it('leaves malformed blocks alone', () => {
    const text = 'x <pasted_content id="zzzz">\nBODY\n</pasted_content id="zzzz">';
    expect(unwrapPastedContent(text)).toBe(text);
    expect(unwrapPastedContent('<pasted_content id="0a1f">\nnever closed')).toBe('<pasted_content id="0a1f">\nnever closed');
  });
});
