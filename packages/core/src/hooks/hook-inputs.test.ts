import { describe, expect, it } from 'vitest';
import { buildHookInput } from './hook-inputs.js';

describe('buildHookInput', () => {
  const base = { session_id: 's-1', transcript_path: '/p/s-1.jsonl', cwd: '/w', permission_mode: 'default', agent_id: undefined };

  it('builds the official input of an event from the shared and the event fields', () => {
    expect(buildHookInput('PreToolUse', base, { tool_name: 'Bash', tool_input: { command: 'ls' }, tool_use_id: 'toolu_1' })).toEqual({
      session_id: 's-1',
      transcript_path: '/p/s-1.jsonl',
      cwd: '/w',
      permission_mode: 'default',
      hook_event_name: 'PreToolUse',
      tool_name: 'Bash',
      tool_input: { command: 'ls' },
      tool_use_id: 'toolu_1',
    });
  });

  it('leaves out shared fields that are undefined', () => {
    const input = buildHookInput('PreCompact', { ...base, permission_mode: undefined }, { trigger: 'manual', custom_instructions: null });
    expect(Object.keys(input).sort()).toEqual(['custom_instructions', 'cwd', 'hook_event_name', 'session_id', 'transcript_path', 'trigger']);
    const subagent = buildHookInput('SubagentStart', { ...base, agent_id: 'a-1', agent_type: 'Explore' }, { agent_id: 'a-1', agent_type: 'Explore' });
    expect(subagent).toMatchObject({ hook_event_name: 'SubagentStart', agent_id: 'a-1', agent_type: 'Explore' });
  });
});
