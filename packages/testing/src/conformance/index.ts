// `@sdk/testing/conformance`: the SessionStore conformance kit, for our stores and third-party ones.
export { conformanceGroups, runStoreConformance } from './run-store-conformance.js';
export type { ConformanceGroup, StoreConformanceOptions } from './types.js';
