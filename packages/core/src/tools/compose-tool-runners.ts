import { createToolRunner, type ToolRunner } from './tool-runner.js';

/**
 * One runner over several (built-in tools, MCP servers, the structured-output tool): definitions
 * in the given order, each call routed to the runner that defines its tool. Two runners defining
 * the same name is a configuration error, reported at once rather than shadowing a tool.
 */
export function composeToolRunners(runners: readonly (ToolRunner | undefined)[]): ToolRunner {
  const present = runners.filter((runner): runner is ToolRunner => runner !== undefined);
  if (present.length === 0) return createToolRunner([]);
  if (present.length === 1) return present[0]!;
  const owner = new Map<string, ToolRunner>();
  for (const runner of present) {
    for (const definition of runner.definitions()) {
      if (owner.has(definition.name)) throw new TypeError(`composeToolRunners: tool ${definition.name} is defined twice`);
      owner.set(definition.name, runner);
    }
  }
  return {
    definitions: () => present.flatMap((runner) => runner.definitions()),
    run(toolUse, context) {
      const runner = owner.get(toolUse.name);
      if (runner === undefined) return Promise.resolve({ content: `No such tool available: ${toolUse.name}`, isError: true });
      return runner.run(toolUse, context);
    },
    access(toolUse, cwd) {
      return owner.get(toolUse.name)?.access?.(toolUse, cwd);
    },
  };
}
