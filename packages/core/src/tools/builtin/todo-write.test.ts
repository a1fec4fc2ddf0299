import { describe, expect, it } from 'vitest';
import { runTool } from './__fixtures__/tool-harness.js';
import { todoWriteTool } from './todo-write.js';

describe('TodoWrite', () => {
  const todoWrite = todoWriteTool();
  const todos = [
    { content: 'Run tests', status: 'completed', activeForm: 'Running tests' },
    { content: 'Fix the bug', status: 'in_progress', activeForm: 'Fixing the bug' },
    { content: 'Write docs', status: 'pending', activeForm: 'Writing docs' },
  ];

  it('echoes the list as the official output, with no previous list (stateless)', async () => {
    const outcome = await runTool(todoWrite, { todos }, '/');
    expect(outcome).toEqual({
      content: 'Todo list updated: 3 items (1 pending, 1 in progress, 1 completed). Keep it current as you work.',
      structured: { oldTodos: [], newTodos: todos },
    });
  });

  it('drops unknown item fields', async () => {
    const outcome = await runTool(todoWrite, { todos: [{ ...todos[0], id: '1', priority: 'high' }] }, '/');
    expect(outcome.structured).toEqual({ oldTodos: [], newTodos: [todos[0]] });
  });

  it('accepts an empty list', async () => {
    expect(await runTool(todoWrite, { todos: [] }, '/')).toMatchObject({ structured: { oldTodos: [], newTodos: [] } });
  });

  it('rejects malformed lists with a clear error', async () => {
    expect(await runTool(todoWrite, {}, '/')).toMatchObject({ isError: true, content: expect.stringContaining('`todos`') });
    expect(await runTool(todoWrite, { todos: [{ content: 'x', status: 'done', activeForm: 'y' }] }, '/')).toMatchObject({
      isError: true,
      content: '<tool_use_error>todos[0].status must be one of pending, in_progress, completed</tool_use_error>',
    });
    expect(await runTool(todoWrite, { todos: [todos[0], { content: '', status: 'pending', activeForm: 'y' }] }, '/')).toMatchObject({
      isError: true,
      content: expect.stringContaining('todos[1].content'),
    });
    expect(await runTool(todoWrite, { todos: ['Run tests'] }, '/')).toMatchObject({ isError: true });
  });

  it('declares no file or network access', () => {
    expect(todoWrite.access?.({ todos }, '/')).toEqual({ kind: 'other', paths: [] });
  });
});
