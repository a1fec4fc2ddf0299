/**
 * Errors thrown by `@sdk/core` and by stores written against it.
 *
 * Every class works with `instanceof`, also when two copies of `@sdk/core` are installed (a store
 * built against one copy, the executor loaded from another): `instanceof` checks a brand that each
 * class registers under a global symbol instead of the prototype chain.
 */

const BRANDS: unique symbol = Symbol.for('@sdk/core.error.brands') as never;

type Branded = { readonly [BRANDS]?: readonly string[] };

function brandsOf(constructor: unknown): string[] {
  const brands: string[] = [];
  let current: unknown = constructor;
  while (typeof current === 'function') {
    const brand = (current as { brand?: unknown }).brand;
    if (Object.prototype.hasOwnProperty.call(current, 'brand') && typeof brand === 'string') brands.push(brand);
    current = Object.getPrototypeOf(current);
  }
  return brands;
}

/** Base class of every error this SDK throws. */
export class SdkError extends Error {
  /** Identifies the class across duplicate installs; each subclass sets its own. */
  static readonly brand: string = '@sdk/core/SdkError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    Object.defineProperty(this, BRANDS, { value: brandsOf(new.target), enumerable: false });
  }

  /** `instanceof` by brand, so it also holds for errors from another installed copy of `@sdk/core`. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    const brands = (value as Branded)[BRANDS];
    return Array.isArray(brands) && brands.includes(this.brand);
  }
}

/** A store operation failed. Stores throw this class or a subclass; `cause` holds the backend error. */
export class SessionStoreError extends SdkError {
  static override readonly brand: string = '@sdk/core/SessionStoreError';
}

/**
 * A session key (project key, session id or subpath) is not acceptable: path traversal, separators,
 * control characters, pattern characters, a session id that is not a UUID, or an overlong value.
 */
export class InvalidSessionKeyError extends SessionStoreError {
  static override readonly brand: string = '@sdk/core/InvalidSessionKeyError';
  constructor(
    message: string,
    /** Which part of the key was rejected. */
    readonly field: 'projectKey' | 'sessionId' | 'subpath' | 'key',
  ) {
    super(message);
  }
}

/**
 * A conditional append found the session log at another length or last entry than the caller
 * loaded: another writer appended in between. Reload and retry, or give up.
 */
export class SessionConflictError extends SessionStoreError {
  static override readonly brand: string = '@sdk/core/SessionConflictError';
  constructor(
    message: string,
    readonly details: { expectedLength?: number; actualLength?: number; expectedLastUuid?: string | null; actualLastUuid?: string | null } = {},
  ) {
    super(message);
  }
}

/**
 * A session lease could not be acquired (another holder owns it) or a lease holder's write was
 * refused because its lease is no longer current (expired, or taken over with a newer token).
 */
export class SessionLeaseError extends SessionStoreError {
  static override readonly brand: string = '@sdk/core/SessionLeaseError';
  constructor(
    message: string,
    readonly reason: 'held' | 'expired' | 'superseded' | 'not-held',
  ) {
    super(message);
  }
}

/** The session (or the entry named in the request) does not exist. */
export class SessionNotFoundError extends SessionStoreError {
  static override readonly brand: string = '@sdk/core/SessionNotFoundError';
}

/** A stored transcript could not be read: a corrupt line, an entry that is not an object. */
export class TranscriptCorruptError extends SessionStoreError {
  static override readonly brand: string = '@sdk/core/TranscriptCorruptError';
  constructor(
    message: string,
    readonly location: { file?: string; line?: number; index?: number } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The backend cannot be reached, or an operation on it timed out. Usually transient. */
export class StoreUnavailableError extends SessionStoreError {
  static override readonly brand: string = '@sdk/core/StoreUnavailableError';
}

/** An entry (or a batch) is larger than the store accepts. */
export class EntryTooLargeError extends SessionStoreError {
  static override readonly brand: string = '@sdk/core/EntryTooLargeError';
}

/**
 * An argument of a public function is unusable: an empty title, a non-positive batch size, a
 * missing store. Nothing was read or written.
 */
export class InvalidArgumentError extends SdkError {
  static override readonly brand: string = '@sdk/core/InvalidArgumentError';
  constructor(
    message: string,
    /** The name of the rejected argument or option. */
    readonly argument: string,
  ) {
    super(message);
  }
}

/** The store lacks an optional method the operation needs (such as `listSessions`). */
export class StoreCapabilityError extends SessionStoreError {
  static override readonly brand: string = '@sdk/core/StoreCapabilityError';
  constructor(
    message: string,
    /** The missing method. */
    readonly method: string,
  ) {
    super(message);
  }
}

/**
 * The query was aborted through `options.abortController` (or closed): iteration of the query
 * throws this. Same name as the official SDK's `AbortError`.
 */
export class AbortError extends SdkError {
  static override readonly brand: string = '@sdk/core/AbortError';
}

/**
 * An option or method of the official API that this SDK does not implement (yet) was used. Thrown
 * synchronously by `query()` for options, rejected by the `Query` method otherwise.
 */
export class UnsupportedFeatureError extends SdkError {
  static override readonly brand: string = '@sdk/core/UnsupportedFeatureError';
  constructor(
    message: string,
    /** The option (`options.<name>`) or method (`Query.<name>`) that is not supported. */
    readonly feature: string,
  ) {
    super(message);
  }
}

/** A `ClaudeSDKClient` method that needs a connection was called before `connect()` or after `disconnect()`. */
export class NotConnectedError extends SdkError {
  static override readonly brand: string = '@sdk/core/NotConnectedError';
}
