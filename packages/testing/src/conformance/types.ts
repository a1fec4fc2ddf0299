import type { SessionStore } from '@sdk/core/store';

/**
 * The areas the kit checks, one spec file each. A store that cannot meet one (or should not be
 * slowed by it in a quick run) names it in {@link StoreConformanceOptions.skip} with a reason.
 */
export type ConformanceGroup =
  | 'append-load'
  | 'empty-append'
  | 'listing'
  | 'delete'
  | 'subkeys'
  | 'summaries'
  | 'conditional-append'
  | 'idempotent-append'
  | 'fork'
  | 'windowed-load'
  | 'expiry'
  | 'leases'
  | 'concurrency'
  | 'large'
  | 'content'
  | 'defensive-copies'
  | 'hostile-keys';

/** How {@link runStoreConformance} gets and disposes of the store under test. */
export type StoreConformanceOptions = {
  /** Shown in the suite name: `SessionStore conformance: <name>`. */
  name: string;
  /**
   * A fresh, empty, isolated store per test (e.g. a unique key prefix / temp dir). Also called
   * once while vitest collects tests, before any `beforeAll` hook, to detect which optional
   * methods and extensions the store has: constructing a store must not need a connection that a
   * hook opens (connect lazily, or in `create` itself). That store is destroyed in `afterAll`.
   */
  create: () => SessionStore | Promise<SessionStore>;
  /** Called after each test with the store create() returned. */
  destroy?: (store: SessionStore) => void | Promise<void>;
  /** Per-test timeout for slow backends (ms). */
  timeoutMs?: number;
  /** Skip groups that cannot apply (e.g. 'large' for a remote store in a quick run); each skip is visible. */
  skip?: Partial<Record<ConformanceGroup, string>>;
};
