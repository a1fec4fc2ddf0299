import { runStoreConformance } from '@sdk/testing/conformance';
import { InMemorySessionStore } from '../src/index.js';

runStoreConformance({ name: 'InMemorySessionStore', create: () => new InMemorySessionStore() });
