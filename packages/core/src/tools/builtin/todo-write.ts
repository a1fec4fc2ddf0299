import type { ToolDefinition } from '../tool-runner.js';
import { toolRejection } from './tool-result.js';

/** One item of the todo list, as the official `TodoWriteInput` declares it. */
export type TodoItem = { content: string; status: 'pending' | 'in_progress' | 'completed'; activeForm: string };

const STATUSES: readonly TodoItem['status'][] = ['pending', 'in_progress', 'completed'];

const INPUT_SCHEMA: ToolDefinition['inputSchema'] = {
  type: 'object',
  properties: {
    todos: {
      type: 'array',
      description: 'The updated todo list',
      items: {
        type: 'object',
        properties: {
          content: { type: 'string', minLength: 1 },
          status: { type: 'string', enum: [...STATUSES] },
          activeForm: { type: 'string', minLength: 1 },
        },
        required: ['content', 'status', 'activeForm'],
        additionalProperties: false,
      },
    },
  },
  required: ['todos'],
  additionalProperties: false,
};

function parseTodos(value: unknown): TodoItem[] | string {
  if (!Array.isArray(value)) return 'The required parameter `todos` is missing or not an array';
  const todos: TodoItem[] = [];
  for (const [index, item] of value.entries()) {
    const candidate = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const { content, status, activeForm } = candidate;
    if (typeof content !== 'string' || content.trim() === '') return `todos[${index}].content must be a non-empty string`;
    if (typeof activeForm !== 'string' || activeForm.trim() === '') return `todos[${index}].activeForm must be a non-empty string`;
    if (!STATUSES.includes(status as TodoItem['status'])) return `todos[${index}].status must be one of ${STATUSES.join(', ')}`;
    todos.push({ content, status: status as TodoItem['status'], activeForm });
  }
  return todos;
}

/**
 * The built-in `TodoWrite` tool: validates the model's todo list and echoes it. The list lives in
 * the transcript (the tool's input and `toolUseResult`), not in the executor, which is stateless:
 * `oldTodos` is always empty.
 */
export function todoWriteTool(): ToolDefinition {
  return {
    name: 'TodoWrite',
    description:
      'Creates or replaces the structured task list for the current work: each item has content (imperative, e.g. "Run tests"), activeForm (e.g. "Running tests") and a status of pending, in_progress or completed. Send the whole list each time; keep one item in_progress while working.',
    inputSchema: INPUT_SCHEMA,
    access: () => ({ kind: 'other', paths: [] }),
    run(input) {
      const todos = parseTodos(input.todos);
      if (typeof todos === 'string') return toolRejection(todos);
      const count = (status: TodoItem['status']): number => todos.filter((todo) => todo.status === status).length;
      return {
        content: `Todo list updated: ${todos.length} items (${count('pending')} pending, ${count('in_progress')} in progress, ${count('completed')} completed). Keep it current as you work.`,
        structured: { oldTodos: [], newTodos: todos },
      };
    },
  };
}
