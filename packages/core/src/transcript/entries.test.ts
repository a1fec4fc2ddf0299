import { describe, expect, it } from 'vitest';
import type { BetaMessage } from '@anthropic-ai/sdk/resources/beta/messages/messages';
import {
  assistantEntries,
  interruptionEntry,
  lastPromptEntry,
  noResponseEntry,
  promptEntry,
  promptText,
  toolResultEntry,
} from './entries.js';
import { rebuildConversation } from './rebuild.js';

const context = { sessionId: '6f1c1a52-3c55-4d0e-9a55-0a4f2f1d2b10', cwd: '/work', version: '0.1.0', timestamp: '2026-11-26T00:00:00.000Z' };

const message = (content: BetaMessage['content']): BetaMessage =>
  ({
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-4-5',
    content,
    stop_reason: 'tool_use',
    stop_sequence: null,
    usage: { input_tokens: 3, output_tokens: 5 },
  }) as BetaMessage;

describe('transcript entries', () => {
  it('writes a prompt with the recommended chain fields and a string prompt as one text block', () => {
    const entry = promptEntry(context, { uuid: 'u1', parentUuid: null, content: 'hello', promptId: 'p1' });
    expect(entry).toEqual({
      parentUuid: null,
      isSidechain: false,
      userType: 'external',
      entrypoint: 'sdk-ts',
      cwd: '/work',
      sessionId: context.sessionId,
      version: '0.1.0',
      type: 'user',
      uuid: 'u1',
      timestamp: context.timestamp,
      message: { role: 'user', content: [{ type: 'text', text: 'hello' }] },
      promptId: 'p1',
      promptSource: 'sdk',
    });
  });

  it('writes one chained assistant entry per content block, sharing message.id', () => {
    const blocks = [
      { type: 'thinking', thinking: 'hm', signature: 'sig' },
      { type: 'tool_use', id: 'tu_1', name: 'Read', input: { path: 'a' } },
    ] as BetaMessage['content'];
    const entries = assistantEntries(context, { message: message(blocks), parentUuid: 'u1', uuids: ['a1', 'a2'], requestId: 'req_1' });
    expect(entries.map((entry) => [entry.uuid, entry.parentUuid, entry.apiBlockIndex, entry.requestId])).toEqual([
      ['a1', 'u1', 0, 'req_1'],
      ['a2', 'a1', 1, 'req_1'],
    ]);
    expect(entries.map((entry) => (entry.message as BetaMessage).content)).toEqual([[blocks[0]], [blocks[1]]]);
    expect(entries.every((entry) => (entry.message as BetaMessage).id === 'msg_1' && (entry.message as BetaMessage).stop_reason === 'tool_use')).toBe(true);
    expect(() => assistantEntries(context, { message: message(blocks), parentUuid: 'u1', uuids: ['a1'], requestId: null })).toThrow(RangeError);
  });

  it('parents a tool result to its tool_use entry and round-trips through the rebuild', () => {
    const prompt = promptEntry(context, { uuid: 'u1', parentUuid: null, content: 'go', promptId: 'p1' });
    const blocks = [{ type: 'tool_use', id: 'tu_1', name: 'Read', input: {} }] as BetaMessage['content'];
    const [toolUse] = assistantEntries(context, { message: message(blocks), parentUuid: 'u1', uuids: ['a1'], requestId: null });
    const result = toolResultEntry(context, { uuid: 'r1', toolUseEntryUuid: 'a1', toolUseId: 'tu_1', content: 'file', isError: true, structured: { bytes: 4 } });
    expect(result).toMatchObject({ parentUuid: 'a1', sourceToolAssistantUUID: 'a1', toolUseResult: { bytes: 4 } });
    expect(result.message).toEqual({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu_1', content: 'file', is_error: true }] });
    const rebuilt = rebuildConversation([prompt, toolUse!, result]);
    expect(rebuilt.messages.map((entry) => entry.role)).toEqual(['user', 'assistant', 'user']);
    expect(rebuilt.unansweredToolUses).toEqual([]);
  });

  it('writes the interruption, the no-response repair and the last-prompt line', () => {
    expect(interruptionEntry(context, { uuid: 'i', parentUuid: 'u1' }).message).toEqual({
      role: 'user',
      content: [{ type: 'text', text: '[Request interrupted by user]' }],
    });
    const repair = noResponseEntry(context, { uuid: 'n', parentUuid: 'i', messageId: 'm' });
    expect(repair).toMatchObject({ type: 'assistant', isApiErrorMessage: true, message: { model: '<synthetic>', content: [{ type: 'text', text: 'No response requested.' }] } });
    expect(lastPromptEntry({ sessionId: 's', lastPrompt: 'go', leafUuid: 'n' })).toEqual({ type: 'last-prompt', lastPrompt: 'go', leafUuid: 'n', sessionId: 's' });
  });

  it('extracts prompt text from blocks', () => {
    expect(promptText([{ type: 'text', text: 'a' }, { type: 'image', source: { type: 'url', url: 'http://x' } }, { type: 'text', text: 'b' }])).toBe('a\nb');
  });
});
