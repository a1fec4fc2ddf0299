import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// This file must not import ajv (or anything that does) at the top: it checks that `@sdk/core`
// leaves it unloaded until an `outputFormat` is compiled. Vitest runs each test file in its own process.
const moduleCache = createRequire(import.meta.url).cache;
const ajvLoaded = () => Object.keys(moduleCache).some((path) => /[\\/]ajv[\\/]/.test(path));

describe('lazy loading of ajv', () => {
  it('is not loaded by importing @sdk/core or building the built-in tools; the first outputFormat loads it', async () => {
    const core = await import('../index.js');
    core.builtinTools();
    expect(ajvLoaded()).toBe(false);
    const { compileOutputFormat } = await import('../executor/structured-output.js');
    const compiled = compileOutputFormat({ type: 'json_schema', schema: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] } });
    expect(ajvLoaded()).toBe(true);
    const tool = compiled.tool(() => undefined);
    expect(tool.run({ n: 'x' }, undefined as never)).toMatchObject({ isError: true });
    expect(() => compileOutputFormat({ type: 'json_schema', schema: { type: 'nonsense' } })).toThrow(/not a valid JSON Schema/);
  });
});
