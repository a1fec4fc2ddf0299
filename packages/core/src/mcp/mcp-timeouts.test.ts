import { describe, expect, it } from 'vitest';
import { connectTimeoutMs, DEFAULT_MCP_CONNECT_TIMEOUT_MS, DEFAULT_MCP_TOOL_TIMEOUT_MS, toolTimeoutMs } from './mcp-timeouts.js';

describe('MCP timeouts', () => {
  it('take a server timeout of at least 1000 ms, else MCP_TOOL_TIMEOUT, else the default', () => {
    expect(toolTimeoutMs(1000, { MCP_TOOL_TIMEOUT: '5' })).toBe(1000);
    expect(toolTimeoutMs(999, { MCP_TOOL_TIMEOUT: '5' })).toBe(5);
    expect(toolTimeoutMs(undefined, {})).toBe(DEFAULT_MCP_TOOL_TIMEOUT_MS);
    expect(toolTimeoutMs(undefined, { MCP_TOOL_TIMEOUT: 'soon' })).toBe(DEFAULT_MCP_TOOL_TIMEOUT_MS);
    expect(toolTimeoutMs(undefined, { MCP_TOOL_TIMEOUT: '0' })).toBe(DEFAULT_MCP_TOOL_TIMEOUT_MS);
  });

  it('connect within the explicit limit, else MCP_TIMEOUT, else 30 s', () => {
    expect(connectTimeoutMs(250, { MCP_TIMEOUT: '9000' })).toBe(250);
    expect(connectTimeoutMs(undefined, { MCP_TIMEOUT: '9000' })).toBe(9000);
    expect(connectTimeoutMs(0, {})).toBe(DEFAULT_MCP_CONNECT_TIMEOUT_MS);
  });
});
