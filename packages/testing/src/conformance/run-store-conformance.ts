import { afterAll, describe, it } from 'vitest';
import { detectCapabilities } from './capabilities.js';
import type { SpecContext } from './context.js';
import { createSpecContext } from './context.js';
import { registerAppendLoad } from './spec/append-load.js';
import { registerConcurrency } from './spec/concurrency.js';
import { registerConditionalAppend } from './spec/conditional-append.js';
import { registerContent } from './spec/content.js';
import { registerDefensiveCopies } from './spec/defensive-copies.js';
import { registerDelete } from './spec/delete.js';
import { registerEmptyAppend } from './spec/empty-append.js';
import { registerExpiry } from './spec/expiry.js';
import { registerFork } from './spec/fork.js';
import { registerHostileKeys } from './spec/hostile-keys.js';
import { registerIdempotentAppend } from './spec/idempotent-append.js';
import { registerLarge } from './spec/large.js';
import { registerLeases } from './spec/leases.js';
import { registerListing } from './spec/listing.js';
import { registerSubkeys } from './spec/subkeys.js';
import { registerSummaries } from './spec/summaries.js';
import { registerWindowedLoad } from './spec/windowed-load.js';
import type { ConformanceGroup, StoreConformanceOptions } from './types.js';

/** Groups whose tests mostly wait out TTLs: run concurrently so the waits overlap. */
const waitingGroups: ReadonlySet<ConformanceGroup> = new Set(['expiry', 'leases']);

const groups: ReadonlyArray<[ConformanceGroup, (context: SpecContext) => void]> = [
  ['append-load', registerAppendLoad],
  ['empty-append', registerEmptyAppend],
  ['listing', registerListing],
  ['delete', registerDelete],
  ['subkeys', registerSubkeys],
  ['summaries', registerSummaries],
  ['content', registerContent],
  ['defensive-copies', registerDefensiveCopies],
  ['hostile-keys', registerHostileKeys],
  ['conditional-append', registerConditionalAppend],
  ['idempotent-append', registerIdempotentAppend],
  ['fork', registerFork],
  ['windowed-load', registerWindowedLoad],
  ['concurrency', registerConcurrency],
  ['large', registerLarge],
  ['expiry', registerExpiry],
  ['leases', registerLeases],
];

/** Every group the kit knows, in the order it runs them. */
export const conformanceGroups: readonly ConformanceGroup[] = groups.map(([group]) => group);

/**
 * Registers the SessionStore conformance suite for one store with vitest: the official SDK's
 * contracts, then every extension the store offers. Call it at the top level of a test file.
 *
 * Optional methods and extensions the store lacks, and groups named in `options.skip`, are
 * registered as skipped tests whose names say why, so a report shows what was not checked.
 *
 * @example
 * ```ts
 * runStoreConformance({ name: 'my store', create: () => new MyStore() });
 * ```
 */
export function runStoreConformance(options: StoreConformanceOptions): void {
  describe(`SessionStore conformance: ${options.name}`, async () => {
    // Capabilities decide which tests are skipped, and vitest needs that when registering them,
    // so one store is created while tests are collected. It is destroyed in afterAll: the caller's
    // beforeAll (connecting a client, say) has not run yet, and destroy may need it.
    const probe = await options.create();
    const capabilities = detectCapabilities(probe);
    afterAll(async () => {
      await options.destroy?.(probe);
    });
    const context = createSpecContext(options, capabilities);
    for (const [group, register] of groups) {
      const reason = options.skip?.[group];
      if (reason === undefined) {
        const describeGroup = waitingGroups.has(group) ? describe.concurrent : describe;
        describeGroup(group, () => register(context));
      } else {
        describe.skip(`${group} (skipped: ${reason})`, () => register(context));
      }
    }
    const unknown = Object.keys(options.skip ?? {}).filter((group) => !conformanceGroups.includes(group as ConformanceGroup));
    if (unknown.length > 0) {
      it(`skip names only known groups`, () => {
        throw new Error(`unknown conformance groups in skip: ${unknown.join(', ')}; known: ${conformanceGroups.join(', ')}`);
      });
    }
  });
}
