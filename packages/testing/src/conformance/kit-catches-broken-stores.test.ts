import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mutants } from './__fixtures__/mutant-stores.js';

type AssertionResult = { ancestorTitles: string[]; title: string; status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo' };
type JsonReport = { testResults: Array<{ assertionResults: AssertionResult[] }> };

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__');
const vitestCli = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');

/** Runs the kit on the reference store and every mutant in a child vitest, and reads its report. */
async function runFixtureSuite(outputFile: string): Promise<AssertionResult[]> {
  await new Promise<void>((resolve) => {
    // The child exits non-zero because the mutants fail: that is the point, so only the report counts.
    execFile(
      process.execPath,
      [vitestCli, 'run', '--config', join(fixtures, 'vitest.config.ts'), '--reporter=json', `--outputFile=${outputFile}`],
      { timeout: 170_000, maxBuffer: 64 * 1024 * 1024 },
      () => resolve(),
    );
  });
  const report = JSON.parse(await readFile(outputFile, 'utf8')) as JsonReport;
  return report.testResults.flatMap((file) => file.assertionResults);
}

function resultsOf(results: AssertionResult[], suite: string): AssertionResult[] {
  return results.filter((result) => result.ancestorTitles[0] === `SessionStore conformance: ${suite}`);
}

// The kit is only worth something if it fails broken stores: each mutant breaks one contract.
describe('the conformance kit', () => {
  let directory: string;
  let results: AssertionResult[];
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'conformance-kit-'));
    results = await runFixtureSuite(join(directory, 'report.json'));
  }, 180_000);
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('passes a correct store', () => {
    const reference = resultsOf(results, 'reference');
    expect(reference.filter((result) => result.status === 'passed').length).toBeGreaterThan(60);
    expect(reference.filter((result) => result.status === 'failed').map((result) => result.title)).toEqual([]);
  });

  for (const mutant of mutants) {
    it(`fails a store where ${mutant.name}, in group ${mutant.catchingGroup}`, () => {
      const failedGroups = resultsOf(results, `mutant: ${mutant.name}`)
        .filter((result) => result.status === 'failed')
        .map((result) => result.ancestorTitles[1]);
      expect(failedGroups).toContain(mutant.catchingGroup);
    });
  }

  it('names the reason of every skipped test', () => {
    const skipped = resultsOf(results, 'reference').filter((result) => result.status === 'skipped');
    expect(skipped.length).toBeGreaterThan(0);
    for (const result of skipped) expect(result.title).toMatch(/\(skipped: store (has no|does not declare) .+\)$/);
    expect(skipped.map((result) => result.title)).toContain(
      're-appending the same uuids stores nothing (skipped: store does not declare capabilities.idempotentAppend)',
    );
  });

  it('shows a skipped group with its reason', () => {
    const large = resultsOf(results, 'reference with a skipped group').filter((result) => result.ancestorTitles[1] === 'large (skipped: quick run)');
    expect(large.length).toBeGreaterThan(0);
    expect(large.every((result) => result.status === 'skipped')).toBe(true);
  });

  it('fails on a skip of an unknown group', () => {
    const failed = resultsOf(results, 'reference with an unknown group').filter((result) => result.status === 'failed');
    expect(failed.map((result) => result.title)).toEqual(['skip names only known groups']);
  });
});
