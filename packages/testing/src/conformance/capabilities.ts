import type { SessionStore } from '@sdk/core/store';
import {
  supportsConditionalAppend,
  supportsExpiry,
  supportsFork,
  supportsIdempotentAppend,
  supportsLeaseAndLoad,
  supportsLeases,
  supportsLeaseWait,
  supportsWindowedLoad,
} from '@sdk/core/store';

/** What a test needs beyond `append` and `load`: an optional method or an extension. */
export type Capability =
  | 'listSessions'
  | 'listSessionSummaries'
  | 'delete'
  | 'listSubkeys'
  | 'appendIf'
  | 'idempotentAppend'
  | 'loadWindow'
  | 'fork'
  | 'expire'
  | 'leases'
  | 'leaseWait'
  | 'leaseAndLoad';

const optionalMethods = ['listSessions', 'listSessionSummaries', 'delete', 'listSubkeys'] as const;

/** The capabilities `store` offers, detected the way the executor detects them. */
export function detectCapabilities(store: SessionStore): ReadonlySet<Capability> {
  const found = new Set<Capability>();
  for (const method of optionalMethods) {
    if (typeof store[method] === 'function') found.add(method);
  }
  if (supportsConditionalAppend(store)) found.add('appendIf');
  if (supportsIdempotentAppend(store)) found.add('idempotentAppend');
  if (supportsWindowedLoad(store)) found.add('loadWindow');
  if (supportsFork(store)) found.add('fork');
  if (supportsExpiry(store)) found.add('expire');
  if (supportsLeases(store)) found.add('leases');
  if (supportsLeaseWait(store)) found.add('leaseWait');
  if (supportsLeaseAndLoad(store)) found.add('leaseAndLoad');
  return found;
}

/** How a missing capability reads in a skipped test's name. */
export function describeMissing(capability: Capability): string {
  switch (capability) {
    case 'idempotentAppend':
      return 'store does not declare capabilities.idempotentAppend';
    case 'leases':
      return 'store has no acquireLease/renewLease/releaseLease';
    case 'leaseWait':
      return 'store has no waitForLeaseRelease';
    case 'leaseAndLoad':
      return 'store has no acquireLeaseAndLoad';
    default:
      return `store has no ${capability}`;
  }
}
