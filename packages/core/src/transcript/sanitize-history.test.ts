import type { BetaMessageParam } from '@anthropic-ai/sdk/resources/beta/messages/messages';
import { describe, expect, it } from 'vitest';
import { TOOL_CALL_INTERRUPTED_MESSAGE } from './entries.js';
import { sanitizeHistory } from './sanitize-history.js';

const toolUse = (id: string) => ({ type: 'tool_use' as const, id, name: 'Read', input: {} });
const toolResult = (id: string) => ({ type: 'tool_result' as const, tool_use_id: id, content: 'ok' });

describe('sanitizeHistory', () => {
  it('leaves a valid history as it is (same objects)', () => {
    const history: BetaMessageParam[] = [
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: [{ type: 'text', text: 'reading' }, toolUse('t1')] },
      { role: 'user', content: [toolResult('t1'), { type: 'text', text: 'more' }] },
      { role: 'assistant', content: [toolUse('t2')] },
    ];
    const sanitized = sanitizeHistory(history);
    expect(sanitized).toEqual(history);
    expect(sanitized).toBe(history);
  });

  it('drops leading assistant messages and empty text, and joins what that leaves adjacent', () => {
    expect(
      sanitizeHistory([
        { role: 'assistant', content: [{ type: 'text', text: 'orphan' }] },
        { role: 'user', content: 'one' },
        { role: 'assistant', content: [{ type: 'text', text: '  ' }] },
        { role: 'user', content: 'two' },
      ]),
    ).toEqual([{ role: 'user', content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }] }]);
  });

  it('drops results of unknown calls and answers calls whose result is missing, except in the last message', () => {
    expect(
      sanitizeHistory([
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [toolUse('a'), toolUse('b')] },
        { role: 'user', content: [{ type: 'text', text: 'note' }, toolResult('b'), toolResult('ghost'), toolResult('b')] },
        { role: 'assistant', content: [toolUse('c')] },
        { role: 'assistant', content: [toolUse('d')] },
      ]),
    ).toEqual([
      { role: 'user', content: 'go' },
      { role: 'assistant', content: [toolUse('a'), toolUse('b')] },
      { role: 'user', content: [toolResult('b'), { type: 'tool_result', tool_use_id: 'a', content: TOOL_CALL_INTERRUPTED_MESSAGE, is_error: true }, { type: 'text', text: 'note' }] },
      // Two assistant messages in a row join into one, whose calls stay open for the executor's repair.
      { role: 'assistant', content: [toolUse('c'), toolUse('d')] },
    ]);
  });

  it('keeps repairing while each repair exposes the next damage, however far down the history', () => {
    // Each dropped first message orphans the results after it; the history has more of these links
    // than a fixed number of passes would repair.
    const history: BetaMessageParam[] = [{ role: 'user', content: [toolResult('a')] }];
    for (const id of ['b', 'c', 'd', 'e', 'f']) history.push({ role: 'assistant', content: [toolUse(id)] }, { role: 'user', content: [toolResult(id)] });
    history.push({ role: 'assistant', content: [{ type: 'text', text: 'end' }] }, { role: 'user', content: 'next' });
    expect(sanitizeHistory(history)).toEqual([{ role: 'user', content: 'next' }]);
  });
});
