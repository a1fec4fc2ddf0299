import type { OpenedStore } from './opened-store.js';
import { registerBuiltinSchemes } from './schemes/builtin-schemes.js';
import { resolveStoreUrl } from './store-url.js';

/**
 * Opens the store a URL names: `file:`, `redis:`, `rediss:`, `memory:` or a registered scheme.
 * Rejects with `StoreUrlError` (exit code 2) for a malformed URL or an unknown scheme, and with
 * `StoreUnavailableError` (exit code 4) when the backend cannot be reached. Close it when done.
 */
export async function openStore(text: string): Promise<OpenedStore> {
  registerBuiltinSchemes();
  const { factory, url } = resolveStoreUrl(text);
  return factory(url, text);
}
