import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../errors.js';
import { enabledToolNames, isToolEnabled } from './tool-availability.js';

describe('isToolEnabled', () => {
  it('removes tools named bare in disallowedTools, keeps tools with only scoped deny rules', () => {
    expect(isToolEnabled('Bash', { disallowedTools: ['Bash'] })).toBe(false);
    expect(isToolEnabled('Bash', { disallowedTools: ['Bash(rm:*)'] })).toBe(true);
    expect(isToolEnabled('Agent', { disallowedTools: ['Task'] })).toBe(false);
    expect(isToolEnabled('mcp__db__query', { disallowedTools: ['mcp__db'] })).toBe(false);
    expect(isToolEnabled('mcp__db__query', { disallowedTools: ['mcp__db__*'] })).toBe(false);
    expect(isToolEnabled('mcp__db__query', { disallowedTools: ['mcp__db__drop'] })).toBe(true);
  });

  it('limits built-in tools to the tools list but never hides MCP tools through it', () => {
    expect(isToolEnabled('Read', { tools: ['Read', 'Grep'] })).toBe(true);
    expect(isToolEnabled('Bash', { tools: ['Read', 'Grep'] })).toBe(false);
    expect(isToolEnabled('Bash', { tools: [] })).toBe(false);
    expect(isToolEnabled('mcp__db__query', { tools: [] })).toBe(true);
    expect(isToolEnabled('Bash', {})).toBe(true);
    expect(enabledToolNames(['Read', 'Bash', 'Edit'], { tools: ['Read', 'Bash'], disallowedTools: ['Bash'] })).toEqual(['Read']);
  });

  it('refuses a malformed disallowedTools entry', () => {
    expect(() => isToolEnabled('Bash', { disallowedTools: ['Bash(rm'] })).toThrow(InvalidArgumentError);
  });
});
