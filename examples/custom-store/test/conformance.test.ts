import { runStoreConformance } from '@sdk/testing/conformance';
import { KeyValueSessionStore } from '../src/index.js';

runStoreConformance({ name: 'KeyValueSessionStore (example)', create: () => new KeyValueSessionStore() });
