import { createQuery, type HookInput, type Options } from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';
import { textReply, toolUseReply } from '@sdk/testing/emulator';
import { describe, expect, it } from 'vitest';
import { collect, emulatorEnvironment } from './support/query-harness.js';
import { emulatorForThisFile } from './support/file-emulator.js';

// The lifecycle hooks of query(): SessionStart, SubagentStart / SubagentStop around the Agent tool,
// PreCompact on /compact, SessionEnd when the query is over — with the official input fields.
const emulator = await emulatorForThisFile();

function recordingHooks(seen: HookInput[]): NonNullable<Options['hooks']> {
  const record = async (input: HookInput) => {
    seen.push(input);
    return {};
  };
  const events = ['SessionStart', 'SubagentStart', 'SubagentStop', 'PreCompact', 'SessionEnd'] as const;
  return Object.fromEntries(events.map((event) => [event, [{ hooks: [record] }]]));
}

describe('query() lifecycle hooks', () => {
  it('fire around the session, its subagents and a compaction', async () => {
    const store = new InMemorySessionStore();
    const query = createQuery({ defaultStore: () => store });
    const seen: HookInput[] = [];
    const options: Options = {
      env: emulatorEnvironment(emulator.url),
      cwd: '/work/hooks',
      hooks: recordingHooks(seen),
      agents: { helper: { description: 'Helps', prompt: 'You help.' } },
      allowedTools: ['Agent'],
    };
    emulator.enqueue(toolUseReply('Agent', { description: 'help', prompt: 'Do the thing', subagent_type: 'helper' }));
    emulator.enqueue(textReply('thing done'));
    emulator.enqueue(textReply('All done.'));
    const first = await collect(query({ prompt: 'Use the helper.', options }));
    const sessionId = first[0]!.session_id!;
    expect(first.at(-1)).toMatchObject({ type: 'result', subtype: 'success', result: 'All done.' });
    expect(seen.map((input) => input.hook_event_name)).toEqual(['SessionStart', 'SubagentStart', 'SubagentStop', 'SessionEnd']);
    expect(seen[0]).toMatchObject({ source: 'startup', session_id: sessionId, cwd: '/work/hooks' });
    expect(seen[1]).toMatchObject({ agent_type: 'helper', agent_id: expect.stringMatching(/^a[0-9a-f]{16}$/) });
    expect(seen[2]).toMatchObject({ agent_type: 'helper', agent_id: seen[1]!.agent_id, last_assistant_message: 'thing done' });
    expect(String(seen[2]!.agent_transcript_path)).toMatch(new RegExp(`${sessionId}/subagents/agent-${String(seen[1]!.agent_id)}\\.jsonl$`));
    expect(seen[3]).toMatchObject({ reason: 'other', session_id: sessionId });

    seen.length = 0;
    emulator.enqueue(textReply('<summary>helped</summary>'));
    await collect(query({ prompt: '/compact', options: { ...options, resume: sessionId } }));
    expect(seen.map((input) => input.hook_event_name)).toEqual(['SessionStart', 'PreCompact', 'SessionEnd']);
    expect(seen[0]).toMatchObject({ source: 'resume' });
    expect(seen[1]).toMatchObject({ trigger: 'manual', custom_instructions: null });
  });
});
