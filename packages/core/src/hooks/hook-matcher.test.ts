import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { compileHookMatcher, matchValueOf } from './hook-matcher.js';

describe('compileHookMatcher', () => {
  it('matches everything when absent, empty or *', () => {
    for (const matcher of [undefined, '', '*']) {
      expect(compileHookMatcher(matcher)('Bash')).toBe(true);
      expect(compileHookMatcher(matcher)('mcp__x__y')).toBe(true);
    }
  });

  it('reads plain names as exact names or a |-list of them', () => {
    expect(compileHookMatcher('Bash')('Bash')).toBe(true);
    expect(compileHookMatcher('Bash')('BashOutput')).toBe(false);
    expect(compileHookMatcher('Edit|Write')('Write')).toBe(true);
    expect(compileHookMatcher('Edit|Write')('NotebookEdit')).toBe(false);
  });

  it('reads anything else as a regular expression', () => {
    expect(compileHookMatcher('mcp__github__.*')('mcp__github__create_issue')).toBe(true);
    expect(compileHookMatcher('mcp__github__.*')('mcp__gitlab__create_issue')).toBe(false);
    expect(compileHookMatcher('Notebook.*')('NotebookEdit')).toBe(true);
    expect(compileHookMatcher('^(Edit|Write)$')('Edit')).toBe(true);
  });

  it('lets every matcher select an event without a match value', () => {
    expect(compileHookMatcher('Bash')(undefined)).toBe(true);
  });

  it('refuses an invalid regular expression', () => {
    expect(() => compileHookMatcher('Bash(')).toThrow(InvalidArgumentError);
  });
});

describe('matchValueOf', () => {
  const base = { session_id: 's', transcript_path: '/t', cwd: '/w' };
  it('reads the official match field of each event', () => {
    expect(matchValueOf({ ...base, hook_event_name: 'PreToolUse', tool_name: 'Bash' })).toBe('Bash');
    expect(matchValueOf({ ...base, hook_event_name: 'PreCompact', trigger: 'auto' })).toBe('auto');
    expect(matchValueOf({ ...base, hook_event_name: 'SessionStart', source: 'resume' })).toBe('resume');
    expect(matchValueOf({ ...base, hook_event_name: 'SubagentStop', agent_type: 'Explore' })).toBe('Explore');
    expect(matchValueOf({ ...base, hook_event_name: 'Stop', stop_hook_active: false })).toBeUndefined();
    expect(matchValueOf({ ...base, hook_event_name: 'UserPromptSubmit', prompt: 'Bash' })).toBeUndefined();
  });
});
