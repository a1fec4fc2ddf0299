import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../errors.js';
import { createToolRunner } from '../tool-runner.js';
import { BUILTIN_TOOL_NAMES, builtinTools } from './builtin-tools.js';
import { WEB_SEARCH_SERVER_TOOL } from './web-search.js';

/**
 * The official input declarations, by hand from `sdk-tools.d.ts` of @anthropic-ai/claude-agent-sdk
 * 0.3.332: property names in declaration order, required ones, and enums.
 */
const OFFICIAL_INPUTS: Record<string, { type: string; properties: string[]; required: string[]; enums?: Record<string, string[]> }> = {
  Bash: { type: 'BashInput', properties: ['command', 'timeout', 'description', 'run_in_background', 'dangerouslyDisableSandbox'], required: ['command'] },
  Edit: { type: 'FileEditInput', properties: ['file_path', 'old_string', 'new_string', 'replace_all'], required: ['file_path', 'old_string', 'new_string'] },
  Glob: { type: 'GlobInput', properties: ['pattern', 'path'], required: ['pattern'] },
  Grep: {
    type: 'GrepInput',
    properties: ['pattern', 'path', 'glob', 'output_mode', '-B', '-A', '-C', 'context', '-n', '-i', '-o', 'type', 'head_limit', 'offset', 'multiline'],
    required: ['pattern'],
    enums: { output_mode: ['content', 'files_with_matches', 'count'] },
  },
  Read: { type: 'FileReadInput', properties: ['file_path', 'offset', 'limit', 'pages', 'allow_large'], required: ['file_path'] },
  TodoWrite: { type: 'TodoWriteInput', properties: ['todos'], required: ['todos'] },
  WebFetch: { type: 'WebFetchInput', properties: ['url', 'prompt', 'offset'], required: ['url', 'prompt'] },
  Write: { type: 'FileWriteInput', properties: ['file_path', 'content'], required: ['file_path', 'content'] },
};

type Schema = { type?: unknown; properties?: Record<string, { type?: string; enum?: string[]; description?: string }>; required?: string[] };

describe('builtinTools', () => {
  it('returns every built-in tool by its official name, in the CLI order', () => {
    expect(BUILTIN_TOOL_NAMES).toEqual(['Bash', 'Edit', 'Glob', 'Grep', 'Read', 'TodoWrite', 'WebFetch', 'Write']);
    expect(builtinTools().map((tool) => tool.name)).toEqual([...BUILTIN_TOOL_NAMES]);
  });

  it.each(Object.entries(OFFICIAL_INPUTS))('%s has the input schema of the official declaration', (name, official) => {
    const tool = builtinTools({ names: [name as (typeof BUILTIN_TOOL_NAMES)[number]] })[0]!;
    const schema = tool.inputSchema as Schema;
    expect(schema.type).toBe('object');
    expect(Object.keys(schema.properties ?? {})).toEqual(official.properties);
    expect(schema.required ?? []).toEqual(official.required);
    for (const [property, values] of Object.entries(official.enums ?? {})) expect(schema.properties?.[property]?.enum).toEqual(values);
    for (const property of Object.values(schema.properties ?? {})) expect(property.description ?? (property.type === 'array' ? 'items' : '')).not.toBe('');
    expect(tool.description.length).toBeGreaterThan(40);
    expect(tool.access).toBeTypeOf('function');
  });

  it('declares the todo item shape of TodoWriteInput', () => {
    const todos = (builtinTools({ names: ['TodoWrite'] })[0]!.inputSchema as { properties: { todos: { items: Schema } } }).properties.todos.items;
    expect(Object.keys(todos.properties ?? {})).toEqual(['content', 'status', 'activeForm']);
    expect(todos.required).toEqual(['content', 'status', 'activeForm']);
    expect(todos.properties?.status?.enum).toEqual(['pending', 'in_progress', 'completed']);
  });

  it('selects tools by name and keeps the official order', () => {
    expect(builtinTools({ names: ['Write', 'Read'] }).map((tool) => tool.name)).toEqual(['Read', 'Write']);
    expect(builtinTools({ names: [] })).toEqual([]);
  });

  it('throws InvalidArgumentError for a name that is not a local built-in tool', () => {
    expect(() => builtinTools({ names: ['WebSearch' as 'Read'] })).toThrow(InvalidArgumentError);
    expect(() => builtinTools({ names: ['WebSearch' as 'Read'] })).toThrow(/Unknown built-in tool: WebSearch/);
  });

  it('plugs into createToolRunner and runs through it', async () => {
    const runner = createToolRunner(builtinTools({ bash: { env: { PATH: process.env.PATH, MARK: 'from-options' } } }));
    expect(runner.definitions().map((definition) => definition.name)).toEqual([...BUILTIN_TOOL_NAMES]);
    const outcome = await runner.run(
      { type: 'tool_use', id: 'toolu_01', name: 'Bash', input: { command: 'echo $MARK' } },
      { cwd: process.cwd(), signal: new AbortController().signal, sessionId: 's' },
    );
    expect(outcome.content).toBe('from-options');
    expect(runner.access?.({ type: 'tool_use', id: 'toolu_02', name: 'WebFetch', input: { url: 'https://x.dev', prompt: 'p' } }, '/')).toEqual({
      kind: 'network',
      paths: [],
      url: 'https://x.dev',
    });
  });
});

describe('WEB_SEARCH_SERVER_TOOL', () => {
  it('is the API web search server tool', () => {
    expect(WEB_SEARCH_SERVER_TOOL).toEqual({ type: 'web_search_20250305', name: 'web_search', max_uses: 8 });
    expect(Object.isFrozen(WEB_SEARCH_SERVER_TOOL)).toBe(true);
  });
});
