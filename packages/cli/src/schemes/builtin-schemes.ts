import { registeredStoreSchemes, registerStoreScheme } from '../store-url.js';
import type { StoreFactory } from '../store-url.js';
import { openFileStore } from './file-scheme.js';
import { openMemoryStore } from './memory-scheme.js';
import { openPostgresStore } from './postgres-scheme.js';
import { openRedisStore } from './redis-scheme.js';

const BUILTIN: Readonly<Record<string, StoreFactory>> = {
  file: openFileStore,
  redis: openRedisStore,
  rediss: openRedisStore,
  memory: openMemoryStore,
  postgres: openPostgresStore,
  postgresql: openPostgresStore,
};

/**
 * Registers the schemes of the stores this package depends on, except those already registered:
 * a scheme registered by the embedding program wins over the built-in one.
 */
export function registerBuiltinSchemes(): void {
  const registered = new Set(registeredStoreSchemes());
  for (const [scheme, factory] of Object.entries(BUILTIN)) if (!registered.has(scheme)) registerStoreScheme(scheme, factory);
}
