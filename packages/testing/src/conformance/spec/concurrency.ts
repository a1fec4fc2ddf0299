import { expect } from 'vitest';
import { SessionConflictError } from '@sdk/core/store';
import type { ExtendedSessionStore, SessionKey, SessionStoreEntry } from '@sdk/core/store';
import type { SpecContext } from '../context.js';
import { jsonRoundTrip, messageEntries, messageEntry, newSessionKey } from '../fixtures.js';

const RACERS = 50;
const WORKERS = 8;
const ENTRIES_PER_WORKER = 10;
/** A worker that loses this many races in a row means the store livelocks or loses writes. */
const MAX_ATTEMPTS_PER_ENTRY = 200;

/** The multi-worker pattern the executor uses: load, append if nothing changed, else reload. */
async function appendWithRetry(store: ExtendedSessionStore, key: SessionKey, entry: SessionStoreEntry): Promise<number> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS_PER_ENTRY; attempt++) {
    const loaded = (await store.load(key)) ?? [];
    try {
      await store.appendIf!(key, [entry], { expectedLength: loaded.length });
      return attempt;
    } catch (error) {
      if (!(error instanceof SessionConflictError)) throw error;
    }
  }
  throw new Error(`appendIf kept conflicting after ${MAX_ATTEMPTS_PER_ENTRY} attempts`);
}

function uuidsOf(entries: SessionStoreEntry[] | null): string[] {
  return (entries ?? []).map((entry) => entry.uuid ?? '');
}

/** Racing writers on one session. */
export function registerConcurrency(context: SpecContext): void {
  context.test(`${RACERS} parallel appendIf with the same expected length: exactly one wins`, ['appendIf'], async (store) => {
    const key = newSessionKey();
    const base = messageEntries(2);
    await store.append(key, base);
    const batches = Array.from({ length: RACERS }, (_, index) => messageEntries(2, 100 + index * 2));
    const results = await Promise.allSettled(batches.map((batch) => store.appendIf!(key, batch, { expectedLength: 2 })));
    const winners = results.flatMap((result, index) => (result.status === 'fulfilled' ? [index] : []));
    expect(winners).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(SessionConflictError);
    }
    expect(await store.load(key)).toEqual(jsonRoundTrip([...base, ...batches[winners[0]!]!]));
  });

  context.test(`${WORKERS} workers looping load, appendIf, retry keep every entry exactly once`, ['appendIf'], async (store) => {
    const key = newSessionKey();
    const perWorker = Array.from({ length: WORKERS }, (_, worker) =>
      Array.from({ length: ENTRIES_PER_WORKER }, (_, index) => messageEntry(`worker ${worker} entry ${index}`)),
    );
    await Promise.all(
      perWorker.map(async (entries) => {
        for (const entry of entries) await appendWithRetry(store, key, entry);
      }),
    );
    const stored = await store.load(key);
    const storedUuids = uuidsOf(stored);
    expect(storedUuids).toHaveLength(WORKERS * ENTRIES_PER_WORKER);
    expect(new Set(storedUuids).size).toBe(WORKERS * ENTRIES_PER_WORKER);
    expect(new Set(storedUuids)).toEqual(new Set(perWorker.flat().map((entry) => entry.uuid)));
    // Each worker's own entries keep its order.
    for (const entries of perWorker) {
      const positions = entries.map((entry) => storedUuids.indexOf(entry.uuid!));
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    }
  });

  context.test('parallel retries of one batch never duplicate', ['idempotentAppend'], async (store) => {
    const key = newSessionKey();
    const batch = messageEntries(5);
    await Promise.all(Array.from({ length: 20 }, () => store.append(key, batch)));
    expect(await store.load(key)).toEqual(jsonRoundTrip(batch));
  });

  context.test('parallel appends of different entries to one key all land', [], async (store) => {
    const key = newSessionKey();
    const entries = messageEntries(30);
    await Promise.all(entries.map((entry) => store.append(key, [entry])));
    const storedUuids = uuidsOf(await store.load(key));
    expect(storedUuids).toHaveLength(entries.length);
    expect(new Set(storedUuids)).toEqual(new Set(entries.map((entry) => entry.uuid)));
  });

  context.test('parallel appends to different sessions stay apart', [], async (store) => {
    const keys = Array.from({ length: 20 }, () => newSessionKey());
    const batches = keys.map((_, index) => messageEntries(3, index * 3));
    await Promise.all(keys.map((key, index) => store.append(key, batches[index]!)));
    for (const [index, key] of keys.entries()) expect(await store.load(key)).toEqual(jsonRoundTrip(batches[index]));
  });
}
