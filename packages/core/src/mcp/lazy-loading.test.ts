import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// This file must not import the MCP SDK (or anything that does) at the top: it checks that
// `@sdk/core` leaves it unloaded until MCP is used. Vitest runs each test file in its own process.
const moduleCache = createRequire(import.meta.url).cache;
const mcpSdkLoaded = () => Object.keys(moduleCache).some((path) => path.includes('@modelcontextprotocol'));

describe('lazy loading of @modelcontextprotocol/sdk', () => {
  it('is not loaded by importing @sdk/core or by a query without MCP servers; createSdkMcpServer() loads it', async () => {
    const core = await import('../index.js');
    expect(typeof core.connectMcpServers).toBe('function');
    expect(mcpSdkLoaded()).toBe(false);
    const none = await core.connectMcpServers({});
    await none.close();
    expect(mcpSdkLoaded()).toBe(false);
    core.createSdkMcpServer({ name: 'x' });
    expect(mcpSdkLoaded()).toBe(true);
  });
});
