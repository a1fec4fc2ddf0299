import { it } from 'vitest';
import type { ExtendedSessionStore, SessionStore } from '@sdk/core/store';
import type { Capability } from './capabilities.js';
import { describeMissing } from './capabilities.js';
import type { StoreConformanceOptions } from './types.js';

/** The body of one conformance test: it gets a fresh store, created and destroyed around it. */
export type StoreTestBody<S extends SessionStore = ExtendedSessionStore> = (store: S) => Promise<void>;

/** What a spec file registers its tests with. */
export type SpecContext = {
  /**
   * Registers a test that runs on a fresh store. When the store lacks one of `requires`, the test
   * is registered as skipped with the reason in its name, so a report shows what was not checked.
   */
  test(name: string, requires: readonly Capability[], body: StoreTestBody, options?: { timeoutMs?: number }): void;
};

/** Builds the context the spec files use, for a store whose capabilities are `capabilities`. */
export function createSpecContext(
  options: StoreConformanceOptions,
  capabilities: ReadonlySet<Capability>,
): SpecContext {
  return {
    test(name, requires, body, testOptions) {
      const missing = requires.find((capability) => !capabilities.has(capability));
      const timeout = testOptions?.timeoutMs ?? options.timeoutMs;
      if (missing !== undefined) {
        it.skip(`${name} (skipped: ${describeMissing(missing)})`, () => undefined);
        return;
      }
      it(
        name,
        async () => {
          const store = await options.create();
          try {
            await body(store);
          } finally {
            await options.destroy?.(store);
          }
        },
        timeout,
      );
    },
  };
}
