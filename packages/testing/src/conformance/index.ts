/**
 * The SessionStore conformance kit, for our stores and third-party ones.
 *
 * @module @sdk/testing/conformance
 */
export { conformanceGroups, runStoreConformance } from './run-store-conformance.js';
export type { ConformanceGroup, StoreConformanceOptions } from './types.js';
