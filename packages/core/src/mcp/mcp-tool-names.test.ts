import { describe, expect, it } from 'vitest';
import { mcpToolName, normalizeMcpName } from './mcp-tool-names.js';

describe('MCP tool names', () => {
  it('are mcp__<server>__<tool> with characters outside [a-zA-Z0-9_-] replaced by _', () => {
    expect(mcpToolName('calc', 'add')).toBe('mcp__calc__add');
    expect(mcpToolName('my.server v2', 'get/item-list')).toBe('mcp__my_server_v2__get_item-list');
    expect(normalizeMcpName('ünïcode')).toBe('_n_code');
  });

  it('collapse underscores of claude.ai connector names', () => {
    expect(normalizeMcpName('claude.ai Google  Drive!')).toBe('claude_ai_Google_Drive');
  });
});
