import { StoreUrlError } from './cli-errors.js';
import type { OpenedStore } from './opened-store.js';

/**
 * Opens the store a URL names. Receives the parsed URL and the original text (which a factory may
 * need when `URL` normalizes something it cares about). Reject with `StoreUrlError` for a URL the
 * scheme cannot use and with `StoreUnavailableError` when the backend cannot be reached.
 */
export type StoreFactory = (url: URL, text: string) => Promise<OpenedStore>;

const SCHEME = /^[a-z][a-z0-9+.-]*$/;
const factories = new Map<string, StoreFactory>();

/**
 * Makes `scheme:` URLs open stores through `factory`, for every later command. A store package
 * registers its own scheme (for example `postgres`); registering a scheme again replaces it.
 *
 * @param scheme - lower case, without the colon: `postgres`, not `postgres:`.
 */
export function registerStoreScheme(scheme: string, factory: StoreFactory): void {
  if (!SCHEME.test(scheme)) throw new StoreUrlError(`invalid scheme name ${JSON.stringify(scheme)}: use lower-case letters, digits, '+', '-', '.'`);
  factories.set(scheme, factory);
}

/** The schemes that open stores, sorted. */
export function registeredStoreSchemes(): string[] {
  return [...factories.keys()].sort();
}

/** `url` without its password, for error messages and output. */
export function redactStoreUrl(text: string): string {
  try {
    const url = new URL(text);
    if (!url.password) return text;
    url.password = '***';
    return url.toString();
  } catch {
    return text;
  }
}

/**
 * Parses a store URL and finds the factory of its scheme. Throws `StoreUrlError` (exit code 2)
 * when the text is not a URL or its scheme is not registered.
 */
export function resolveStoreUrl(text: string): { factory: StoreFactory; url: URL } {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    throw new StoreUrlError(`invalid store URL ${JSON.stringify(redactStoreUrl(text))}: expected ${expected()}`);
  }
  const factory = factories.get(scheme);
  if (!factory) {
    throw new StoreUrlError(`unknown store scheme "${scheme}:" in ${JSON.stringify(redactStoreUrl(text))}: expected ${expected()}`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new StoreUrlError(`invalid store URL ${JSON.stringify(redactStoreUrl(text))}: expected ${expected()}`);
  }
  return { factory, url };
}

function expected(): string {
  return `one of ${registeredStoreSchemes().map((scheme) => `${scheme}:`).join(', ')} (file:///abs/path, redis://host:port/db?prefix=name, postgres://user@host:port/db?schema=name, memory:)`;
}
