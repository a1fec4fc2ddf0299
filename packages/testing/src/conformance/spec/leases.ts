import { expect } from 'vitest';
import { SessionLeaseError } from '@sdk/core/store';
import type { SpecContext } from '../context.js';
import { compactBoundaryEntry, jsonRoundTrip, messageEntries, newSessionKey, rejectionOf, sleep } from '../fixtures.js';

/** Long enough for a remote store's round trips, short enough to wait out in a test. */
const LEASE_MS = 1000;
/** Waited beyond a lease's end before treating it as expired (clock granularity, round trips). */
const PAST_EXPIRY_MS = LEASE_MS + 500;

function leaseReason(error: unknown): string | undefined {
  return error instanceof SessionLeaseError ? error.reason : undefined;
}

/** Fenced per-session leases: one writer per turn, and a stale writer cannot write. */
export function registerLeases(context: SpecContext): void {
  context.test('acquireLease returns a lease on the session', ['leases'], async (store) => {
    const key = newSessionKey();
    const before = Date.now();
    const lease = await store.acquireLease!(key, { holder: 'worker-1', ttlMs: 10_000 });
    expect(lease.key).toEqual(key);
    expect(lease.holder).toBe('worker-1');
    expect(typeof lease.token).toBe('number');
    expect(lease.expiresAt).toBeGreaterThanOrEqual(before + 9_000);
    expect(lease.expiresAt).toBeLessThanOrEqual(Date.now() + 11_000);
  });

  context.test('a second acquire while the lease is held rejects with reason held', ['leases'], async (store) => {
    const key = newSessionKey();
    await store.acquireLease!(key, { holder: 'worker-1', ttlMs: 10_000 });
    const error = await rejectionOf(() => store.acquireLease!(key, { holder: 'worker-2', ttlMs: 10_000 }));
    expect(error).toBeInstanceOf(SessionLeaseError);
    expect(leaseReason(error)).toBe('held');
  });

  context.test('leases are per session', ['leases'], async (store) => {
    const key = newSessionKey();
    await store.acquireLease!(key, { holder: 'worker-1', ttlMs: 10_000 });
    const other = await store.acquireLease!(newSessionKey(key.projectKey), { holder: 'worker-2', ttlMs: 10_000 });
    expect(other.holder).toBe('worker-2');
  });

  context.test('appendIf with the current lease appends', ['leases', 'appendIf'], async (store) => {
    const key = newSessionKey();
    const lease = await store.acquireLease!(key, { holder: 'worker-1', ttlMs: 10_000 });
    const result = await store.appendIf!(key, messageEntries(2), { lease, expectedLength: 0 });
    expect(result.length).toBe(2);
    expect(await store.load(key)).toHaveLength(2);
  });

  context.test(
    'appendIf with a lease taken over after expiry is refused as superseded',
    ['leases', 'appendIf'],
    async (store) => {
      const key = newSessionKey();
      const stale = await store.acquireLease!(key, { holder: 'worker-1', ttlMs: LEASE_MS });
      await sleep(PAST_EXPIRY_MS);
      const current = await store.acquireLease!(key, { holder: 'worker-2', ttlMs: 10_000 });
      expect(current.token).toBeGreaterThan(stale.token);
      const error = await rejectionOf(() => store.appendIf!(key, messageEntries(1), { lease: stale }));
      expect(error).toBeInstanceOf(SessionLeaseError);
      expect(leaseReason(error)).toBe('superseded');
      expect(await store.load(key)).toBeNull();
      expect((await store.appendIf!(key, messageEntries(1), { lease: current })).length).toBe(1);
    },
    { timeoutMs: PAST_EXPIRY_MS + 10_000 },
  );

  context.test(
    'appendIf with an expired lease nobody took over is refused as expired',
    ['leases', 'appendIf'],
    async (store) => {
      const key = newSessionKey();
      await store.append(key, messageEntries(1));
      const lease = await store.acquireLease!(key, { holder: 'worker-1', ttlMs: LEASE_MS });
      await sleep(PAST_EXPIRY_MS);
      const error = await rejectionOf(() => store.appendIf!(key, messageEntries(1, 1), { lease }));
      expect(error).toBeInstanceOf(SessionLeaseError);
      expect(leaseReason(error)).toBe('expired');
      expect(await store.load(key)).toHaveLength(1);
    },
    { timeoutMs: PAST_EXPIRY_MS + 10_000 },
  );

  context.test(
    'renewLease extends the lease',
    ['leases', 'appendIf'],
    async (store) => {
      const key = newSessionKey();
      const lease = await store.acquireLease!(key, { holder: 'worker-1', ttlMs: LEASE_MS });
      // Renewed at once, so a slow machine cannot let the lease lapse before the renewal.
      const renewed = await store.renewLease!(lease, LEASE_MS * 10);
      expect(renewed.token).toBe(lease.token);
      expect(renewed.expiresAt).toBeGreaterThan(lease.expiresAt);
      await sleep(PAST_EXPIRY_MS);
      // The original lease would have expired by now.
      expect((await store.appendIf!(key, messageEntries(1), { lease: renewed })).length).toBe(1);
      const error = await rejectionOf(() => store.acquireLease!(key, { holder: 'worker-2', ttlMs: 1000 }));
      expect(leaseReason(error)).toBe('held');
    },
    { timeoutMs: PAST_EXPIRY_MS + 10_000 },
  );

  context.test(
    'renewLease of a lease taken over rejects with SessionLeaseError',
    ['leases'],
    async (store) => {
      const key = newSessionKey();
      const stale = await store.acquireLease!(key, { holder: 'worker-1', ttlMs: LEASE_MS });
      await sleep(PAST_EXPIRY_MS);
      await store.acquireLease!(key, { holder: 'worker-2', ttlMs: 10_000 });
      const error = await rejectionOf(() => store.renewLease!(stale, 10_000));
      expect(error).toBeInstanceOf(SessionLeaseError);
      expect(leaseReason(error)).toBe('superseded');
    },
    { timeoutMs: PAST_EXPIRY_MS + 10_000 },
  );

  context.test('releaseLease frees the session for another holder', ['leases'], async (store) => {
    const key = newSessionKey();
    const first = await store.acquireLease!(key, { holder: 'worker-1', ttlMs: 10_000 });
    await store.releaseLease!(first);
    const second = await store.acquireLease!(key, { holder: 'worker-2', ttlMs: 10_000 });
    expect(second.token).toBeGreaterThan(first.token);
    // Releasing a lease that is no longer current is a no-op: it must not free the new holder's.
    await store.releaseLease!(first);
    const error = await rejectionOf(() => store.acquireLease!(key, { holder: 'worker-3', ttlMs: 10_000 }));
    expect(leaseReason(error)).toBe('held');
  });

  context.test('appendIf with releaseLease stores the entries, and the lease is free exactly when it says so', ['leases', 'appendIf'], async (store) => {
    const key = newSessionKey();
    const lease = await store.acquireLease!(key, { holder: 'worker-1', ttlMs: 10_000 });
    const entries = messageEntries(2);
    const result = await store.appendIf!(key, entries, { expectedLength: 0, lease, releaseLease: true });
    expect(result).toMatchObject({ appended: 2, length: 2 });
    expect(await store.load(key)).toHaveLength(2);
    if (result.released === true) {
      // Released with the write: the next holder gets the session at once, the old token writes nothing.
      const next = await store.acquireLease!(key, { holder: 'worker-2', ttlMs: 10_000 });
      expect(next.token).toBeGreaterThan(lease.token);
      expect(await rejectionOf(() => store.appendIf!(key, messageEntries(1, 2), { lease }))).toBeInstanceOf(SessionLeaseError);
    } else {
      // Not supported: the writer still holds the session until it releases it as usual.
      expect(leaseReason(await rejectionOf(() => store.acquireLease!(key, { holder: 'worker-2', ttlMs: 10_000 })))).toBe('held');
      await store.releaseLease!(lease);
      await store.acquireLease!(key, { holder: 'worker-2', ttlMs: 10_000 });
    }
  });

  context.test('appendIf with a released lease is refused', ['leases', 'appendIf'], async (store) => {
    const key = newSessionKey();
    const lease = await store.acquireLease!(key, { holder: 'worker-1', ttlMs: 10_000 });
    await store.releaseLease!(lease);
    expect(await rejectionOf(() => store.appendIf!(key, messageEntries(1), { lease }))).toBeInstanceOf(SessionLeaseError);
    expect(await store.load(key)).toBeNull();
  });

  context.test(
    "a crashed holder's lease expires and can be taken",
    ['leases'],
    async (store) => {
      const key = newSessionKey();
      const crashed = await store.acquireLease!(key, { holder: 'crashed-worker', ttlMs: LEASE_MS });
      expect(leaseReason(await rejectionOf(() => store.acquireLease!(key, { holder: 'worker-2', ttlMs: 10_000 })))).toBe('held');
      await sleep(PAST_EXPIRY_MS);
      const taken = await store.acquireLease!(key, { holder: 'worker-2', ttlMs: 10_000 });
      expect(taken.holder).toBe('worker-2');
      expect(taken.token).toBeGreaterThan(crashed.token);
    },
    { timeoutMs: PAST_EXPIRY_MS + 10_000 },
  );

  context.test('acquireLeaseAndLoad returns what acquireLease then loadWindow return, and its lease writes', ['leaseAndLoad', 'appendIf'], async (store) => {
    const key = newSessionKey();
    const entries = [...messageEntries(3), compactBoundaryEntry(), ...messageEntries(2, 3)];
    await store.append(key, entries);
    const before = Date.now();
    const { lease, loaded } = await store.acquireLeaseAndLoad!(key, { holder: 'worker-1', ttlMs: 10_000 }, { fromLastCompactBoundary: true }, { readOnly: true });
    expect(lease.key).toEqual(key);
    expect(lease.holder).toBe('worker-1');
    expect(typeof lease.token).toBe('number');
    expect(lease.expiresAt).toBeGreaterThanOrEqual(before + 9_000);
    expect(lease.expiresAt).toBeLessThanOrEqual(Date.now() + 11_000);
    expect(loaded).toEqual({ entries: jsonRoundTrip(entries.slice(3)), start: 3, length: entries.length });
    expect(loaded).toEqual(await store.loadWindow!(key, { fromLastCompactBoundary: true }));
    // The lease is the session's current one: it writes, and keeps others out.
    expect(leaseReason(await rejectionOf(() => store.acquireLease!(key, { holder: 'worker-2', ttlMs: 10_000 })))).toBe('held');
    expect((await store.appendIf!(key, messageEntries(1, 5), { lease, expectedLength: loaded!.length })).length).toBe(entries.length + 1);
    await store.releaseLease!(lease);
    // A range window, as loadWindow reads it.
    const ranged = await store.acquireLeaseAndLoad!(key, { holder: 'worker-2', ttlMs: 10_000 }, { start: 1, end: 4 });
    expect(ranged.loaded).toEqual(await store.loadWindow!(key, { start: 1, end: 4 }));
    expect(ranged.loaded?.entries).toHaveLength(3);
  });

  context.test('acquireLeaseAndLoad of a session never written takes the lease and loads null', ['leaseAndLoad', 'appendIf'], async (store) => {
    const key = newSessionKey();
    const { lease, loaded } = await store.acquireLeaseAndLoad!(key, { holder: 'worker-1', ttlMs: 10_000 }, { fromLastCompactBoundary: true });
    expect(loaded).toBeNull();
    expect(leaseReason(await rejectionOf(() => store.acquireLease!(key, { holder: 'worker-2', ttlMs: 10_000 })))).toBe('held');
    expect((await store.appendIf!(key, messageEntries(1), { lease, expectedLength: 0 })).length).toBe(1);
  });

  context.test('acquireLeaseAndLoad while the lease is held rejects with reason held and takes nothing', ['leaseAndLoad', 'appendIf'], async (store) => {
    const key = newSessionKey();
    await store.append(key, messageEntries(2));
    const holder = await store.acquireLease!(key, { holder: 'worker-1', ttlMs: 10_000 });
    const error = await rejectionOf(() => store.acquireLeaseAndLoad!(key, { holder: 'worker-2', ttlMs: 10_000 }, { fromLastCompactBoundary: true }));
    expect(error).toBeInstanceOf(SessionLeaseError);
    expect(leaseReason(error)).toBe('held');
    // The holder's lease is untouched: it still writes and renews.
    expect((await store.appendIf!(key, messageEntries(1, 2), { lease: holder, expectedLength: 2 })).length).toBe(3);
    expect((await store.renewLease!(holder, 10_000)).token).toBe(holder.token);
    // And a lease it took keeps acquireLease out the same way.
    await store.releaseLease!(holder);
    await store.acquireLeaseAndLoad!(key, { holder: 'worker-2', ttlMs: 10_000 }, { fromLastCompactBoundary: true });
    expect(leaseReason(await rejectionOf(() => store.acquireLease!(key, { holder: 'worker-3', ttlMs: 10_000 })))).toBe('held');
  });

  context.test('acquireLeaseAndLoad and acquireLease share one growing fencing token; a stale lease is superseded', ['leaseAndLoad', 'appendIf'], async (store) => {
    const key = newSessionKey();
    const first = await store.acquireLease!(key, { holder: 'worker-1', ttlMs: 10_000 });
    await store.releaseLease!(first);
    const second = (await store.acquireLeaseAndLoad!(key, { holder: 'worker-2', ttlMs: 10_000 }, { fromLastCompactBoundary: true })).lease;
    expect(second.token).toBeGreaterThan(first.token);
    await store.releaseLease!(second);
    const third = await store.acquireLease!(key, { holder: 'worker-3', ttlMs: 10_000 });
    expect(third.token).toBeGreaterThan(second.token);
    const stale = await rejectionOf(() => store.appendIf!(key, messageEntries(1), { lease: second }));
    expect(leaseReason(stale)).toBe('superseded');
    expect(await store.load(key)).toBeNull();
  });

  context.test(
    "acquireLeaseAndLoad takes a crashed holder's lease once it expired",
    ['leaseAndLoad'],
    async (store) => {
      const key = newSessionKey();
      await store.append(key, messageEntries(1));
      const crashed = await store.acquireLease!(key, { holder: 'crashed-worker', ttlMs: LEASE_MS });
      expect(leaseReason(await rejectionOf(() => store.acquireLeaseAndLoad!(key, { holder: 'worker-2', ttlMs: 10_000 }, { fromLastCompactBoundary: true })))).toBe('held');
      await sleep(PAST_EXPIRY_MS);
      const taken = await store.acquireLeaseAndLoad!(key, { holder: 'worker-2', ttlMs: 10_000 }, { fromLastCompactBoundary: true });
      expect(taken.lease.token).toBeGreaterThan(crashed.token);
      expect(taken.loaded?.entries).toHaveLength(1);
    },
    { timeoutMs: PAST_EXPIRY_MS + 10_000 },
  );

  context.test('waitForLeaseRelease returns soon after the holder releases', ['leases', 'leaseWait'], async (store) => {
    const key = newSessionKey();
    const lease = await store.acquireLease!(key, { holder: 'worker-1', ttlMs: 10_000 });
    let settled = false;
    const waiting = store.waitForLeaseRelease!(key, { timeoutMs: 8000 }).finally(() => (settled = true));
    await sleep(200);
    expect(settled).toBe(false);
    const released = Date.now();
    await store.releaseLease!(lease);
    await waiting;
    expect(Date.now() - released).toBeLessThan(2000);
  });

  context.test('waitForLeaseRelease returns at once when the lease is free', ['leases', 'leaseWait'], async (store) => {
    const started = Date.now();
    await store.waitForLeaseRelease!(newSessionKey(), { timeoutMs: 8000 });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  context.test('waitForLeaseRelease returns by its timeout while the lease stays held', ['leases', 'leaseWait'], async (store) => {
    const key = newSessionKey();
    await store.acquireLease!(key, { holder: 'worker-1', ttlMs: 10_000 });
    const started = Date.now();
    await store.waitForLeaseRelease!(key, { timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(3000);
    // The lease is still held: the wait only ended.
    expect(leaseReason(await rejectionOf(() => store.acquireLease!(key, { holder: 'worker-2', ttlMs: 10_000 })))).toBe('held');
  });

  context.test('waitForLeaseRelease rejects with the reason of an aborted signal', ['leases', 'leaseWait'], async (store) => {
    const key = newSessionKey();
    await store.acquireLease!(key, { holder: 'worker-1', ttlMs: 10_000 });
    const controller = new AbortController();
    const waiting = rejectionOf(() => store.waitForLeaseRelease!(key, { timeoutMs: 8000, signal: controller.signal }));
    controller.abort(new Error('turn cancelled'));
    expect(((await waiting) as Error).message).toBe('turn cancelled');
  });
}
