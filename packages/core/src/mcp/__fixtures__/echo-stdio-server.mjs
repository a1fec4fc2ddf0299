// A small stdio MCP server for the tests. `--crash` writes to stderr and exits before speaking MCP.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

if (process.argv.includes('--crash')) {
  process.stderr.write('echo-stdio-server: refusing to start (--crash)\n');
  process.exit(3);
}

const server = new McpServer({ name: 'echo-stdio-server', version: '2.3.4' });

server.registerTool('echo', { description: 'Echoes the text back', inputSchema: { text: z.string() } }, async ({ text }) => ({
  content: [{ type: 'text', text: `echo: ${text}` }],
}));

server.registerTool('whoami', { description: 'Reports the process id and an environment variable', inputSchema: { variable: z.string() } }, async ({ variable }) => ({
  content: [{ type: 'text', text: JSON.stringify({ pid: process.pid, value: process.env[variable] ?? null, cwd: process.cwd() }) }],
}));

server.registerTool('slow', { description: 'Waits, then answers; reports a cancellation on stderr', inputSchema: { ms: z.number() } }, async ({ ms }, extra) => {
  await new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    extra.signal.addEventListener('abort', () => {
      clearTimeout(timer);
      process.stderr.write('slow: cancelled\n');
      reject(new Error('cancelled'));
    });
  });
  return { content: [{ type: 'text', text: `waited ${ms} ms` }] };
});

server.registerTool('exit', { description: 'Exits the server process' }, async () => {
  setTimeout(() => process.exit(0), 10);
  return { content: [{ type: 'text', text: 'bye' }] };
});

const transport = new StdioServerTransport();
await server.connect(transport);
process.stderr.write('echo-stdio-server: ready\n');
