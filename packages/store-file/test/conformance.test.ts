import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SessionStore } from '@sdk/core/store';
import { runStoreConformance } from '@sdk/testing/conformance';
import { FileSessionStore } from '../src/file-session-store.js';

/** Each store gets its own temporary root, removed after the test. */
const roots = new WeakMap<SessionStore, string>();

runStoreConformance({
  name: 'FileSessionStore',
  create: async () => {
    const root = await mkdtemp(join(tmpdir(), 'store-file-conformance-'));
    const store = new FileSessionStore({ root });
    roots.set(store, root);
    return store;
  },
  destroy: async (store) => {
    await (store as FileSessionStore).flush();
    const root = roots.get(store);
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  },
});
