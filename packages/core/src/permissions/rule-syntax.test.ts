import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { canonicalToolName, formatPermissionRule, parsePermissionRule } from './rule-syntax.js';

describe('parsePermissionRule', () => {
  it('reads bare tool names, MCP names and rules with content', () => {
    expect(parsePermissionRule('Bash')).toEqual({ toolName: 'Bash' });
    expect(parsePermissionRule(' mcp__github ')).toEqual({ toolName: 'mcp__github' });
    expect(parsePermissionRule('mcp__git-hub__*')).toEqual({ toolName: 'mcp__git-hub__*' });
    expect(parsePermissionRule('Bash(npm test:*)')).toEqual({ toolName: 'Bash', ruleContent: 'npm test:*' });
    expect(parsePermissionRule('Read(./src/**)')).toEqual({ toolName: 'Read', ruleContent: './src/**' });
    expect(parsePermissionRule('WebFetch(domain:example.com)')).toEqual({ toolName: 'WebFetch', ruleContent: 'domain:example.com' });
  });

  it('reads Tool() and Tool(*) as the whole tool and maps legacy names', () => {
    expect(parsePermissionRule('Bash()')).toEqual({ toolName: 'Bash' });
    expect(parsePermissionRule('Bash(*)')).toEqual({ toolName: 'Bash' });
    expect(parsePermissionRule('Task')).toEqual({ toolName: 'Agent' });
    expect(canonicalToolName('KillBash')).toBe('TaskStop');
  });

  it('keeps balanced and escaped parentheses in the content', () => {
    expect(parsePermissionRule('Bash(echo $(date))')).toEqual({ toolName: 'Bash', ruleContent: 'echo $(date)' });
    expect(parsePermissionRule('Bash(echo \\(x)')).toEqual({ toolName: 'Bash', ruleContent: 'echo (x' });
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['(npm test)', /no tool name/],
    ['Bash(npm test', /must end with/],
    ['Bash(a) b(c)', /after its closing/],
    ['Bash(a(b)', /unbalanced/],
    ['Bash)', /without "\("/],
    ['Ba sh(x)', /not a tool name/],
    ['mcp__server__tool(x)', /MCP rules take no content/],
  ])('refuses the malformed rule %j', (text, message) => {
    let caught: unknown;
    try {
      parsePermissionRule(text, 'allowedTools');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    expect((caught as InvalidArgumentError).argument).toBe('allowedTools');
    expect((caught as Error).message).toMatch(message);
  });
});

describe('formatPermissionRule', () => {
  it('writes rules back in the official syntax, escaping parentheses', () => {
    expect(formatPermissionRule({ toolName: 'Bash' })).toBe('Bash');
    expect(formatPermissionRule({ toolName: 'Bash', ruleContent: 'npm test:*' })).toBe('Bash(npm test:*)');
    expect(formatPermissionRule({ toolName: 'Bash', ruleContent: 'echo (x' })).toBe('Bash(echo \\(x)');
    for (const text of ['Bash(git diff)', 'Read(//etc/**)', 'mcp__s__*', 'Bash(echo \\(x)']) {
      expect(formatPermissionRule(parsePermissionRule(text))).toBe(text);
    }
  });
});
