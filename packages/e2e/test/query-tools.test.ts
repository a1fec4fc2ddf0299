import { createQuery } from '@sdk/core';
import { InMemorySessionStore } from '@sdk/store-memory';

import { describe, expect, it } from 'vitest';
import { collect, emulatorEnvironment, messageRequests } from './support/query-harness.js';
import { emulatorForThisFile } from './support/file-emulator.js';

// Which tools query() offers, as the official options select them.
const emulator = await emulatorForThisFile();

const query = createQuery({ defaultStore: () => new InMemorySessionStore() });
const sentTools = (): unknown[] => (messageRequests(emulator.requests).at(-1)!.body.tools as unknown[] | undefined) ?? [];
const initTools = async (options: Parameters<typeof query>[0]['options']): Promise<unknown> => {
  const messages = await collect(query({ prompt: 'hi', options: { env: emulatorEnvironment(emulator.url), cwd: '/tmp', ...options } }));
  return (messages[0] as { tools?: unknown }).tools;
};

describe('query() tool selection', () => {
  it('offers the built-in tools by default, WebSearch only when named', async () => {
    expect(await initTools({})).toEqual(['Bash', 'Edit', 'Glob', 'Grep', 'Read', 'TodoWrite', 'WebFetch', 'Write']);
    expect(sentTools().map((tool) => (tool as { name: string }).name)).not.toContain('web_search');
  });

  it('a tools list selects those tools; WebSearch goes to the API as its server tool', async () => {
    expect(await initTools({ tools: ['Read', 'WebSearch'] })).toEqual(['Read', 'WebSearch']);
    const sent = sentTools() as Array<{ name: string; type?: string }>;
    expect(sent.map((tool) => tool.name)).toEqual(['Read', 'web_search']);
    expect(sent[1]).toEqual({ type: 'web_search_20250305', name: 'web_search', max_uses: 8 });
  });

  it('a bare name in disallowedTools removes the tool; an empty list offers none', async () => {
    expect(await initTools({ disallowedTools: ['Bash', 'WebFetch'] })).toEqual(['Edit', 'Glob', 'Grep', 'Read', 'TodoWrite', 'Write']);
    expect(await initTools({ tools: ['WebSearch'], disallowedTools: ['WebSearch'] })).toEqual([]);
    expect(await initTools({ tools: [] })).toEqual([]);
    expect(sentTools()).toEqual([]);
  });
});
