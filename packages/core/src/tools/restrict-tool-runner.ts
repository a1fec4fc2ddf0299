import type { ToolRunner } from './tool-runner.js';

/**
 * A view of `runner` offering only some of its tools: `allow` (names; omitted = all) minus `deny`.
 * A call of a hidden tool gets the same answer as an unknown tool, so a model cannot reach a tool
 * it was not offered.
 */
export function restrictToolRunner(runner: ToolRunner, allow: readonly string[] | undefined, deny: readonly string[] = []): ToolRunner {
  const allowed = allow === undefined ? undefined : new Set(allow);
  const denied = new Set(deny);
  const visible = (name: string): boolean => (allowed === undefined || allowed.has(name)) && !denied.has(name);
  return {
    definitions: () => runner.definitions().filter((definition) => visible(definition.name)),
    run(toolUse, context) {
      if (!visible(toolUse.name)) return Promise.resolve({ content: `No such tool available: ${toolUse.name}`, isError: true });
      return runner.run(toolUse, context);
    },
    access(toolUse, cwd) {
      return visible(toolUse.name) ? runner.access?.(toolUse, cwd) : undefined;
    },
  };
}
