/**
 * A SessionStore on Redis and Redis Cluster. Explicit list, reviewed.
 *
 * @module @sdk/store-redis
 */
export { RedisSessionStore } from './redis-session-store.js';
export type { RedisSessionStoreOptions } from './redis-session-store.js';
export type { RedisClientLike, RedisClusterLike, RedisConnectionOptions } from './redis-connection.js';
export { DEFAULT_PREFIX } from './key-schema.js';
