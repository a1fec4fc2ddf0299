import { conformanceGroups, runStoreConformance } from '../index.js';
import type { ConformanceGroup } from '../index.js';
import { mutants } from './mutant-stores.js';
import { ReferenceStore } from './reference-store.js';

/** Skips every group but `kept`, so each extra run costs only what it checks. */
function onlyGroup(kept: ConformanceGroup): Partial<Record<ConformanceGroup, string>> {
  return Object.fromEntries(conformanceGroups.filter((group) => group !== kept).map((group) => [group, 'not under test here']));
}

// Run by the kit's own test in a child vitest: the reference must pass, every mutant must fail.
runStoreConformance({ name: 'reference', create: () => new ReferenceStore() });
for (const mutant of mutants) {
  runStoreConformance({ name: `mutant: ${mutant.name}`, create: mutant.create, skip: onlyGroup(mutant.catchingGroup) });
}
runStoreConformance({ name: 'reference with a skipped group', create: () => new ReferenceStore(), skip: { ...onlyGroup('append-load'), large: 'quick run' } });
// A misspelt group must not silently skip nothing.
runStoreConformance({ name: 'reference with an unknown group', create: () => new ReferenceStore(), skip: { ...onlyGroup('append-load'), larg: 'typo' } as never });
