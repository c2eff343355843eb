/**
 * Where Redis is and the defaults of wirekit/redis. No type of the Redis client library appears in
 * wirekit's declarations, so a TypeScript project type-checks `wirekit/redis` with no settings of
 * its own (ioredis's declarations need `skipLibCheck`).
 */
import type { ConnectionOptions } from 'node:tls';

/**
 * A Redis server to connect to.
 *
 * @example
 * ```ts
 * const where: RedisConnectionOptions = { host: '10.0.0.5', port: 6379, password: process.env.REDIS_PASSWORD };
 * ```
 */
export interface RedisConnectionOptions {
  host?: string;
  port?: number;
  /** A Unix socket path instead of host and port. */
  path?: string;
  username?: string;
  password?: string;
  /** The database number (`SELECT`). */
  db?: number;
  /** TLS (`rediss://`): `node:tls` connect options. */
  tls?: ConnectionOptions;
  /** How long a connection attempt may take. Default 10 s. */
  connectTimeoutMs?: number;
}

/**
 * Where Redis is: a `redis://` or `rediss://` URL, or {@link RedisConnectionOptions}.
 *
 * @example
 * ```ts
 * const where: RedisConnection = 'redis://127.0.0.1:6379/0';
 * ```
 */
export type RedisConnection = string | RedisConnectionOptions;

/**
 * Default Redis: `redis://127.0.0.1:6379`.
 *
 * @example
 * ```ts
 * new RedisPubSub({ redis: process.env.REDIS_URL ?? DEFAULT_REDIS_URL });
 * ```
 */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * Longest wait between reconnection attempts: 2 s (doubling from 100 ms).
 *
 * @example
 * ```ts
 * assert.equal(MAX_RECONNECT_DELAY_MS, 2_000);
 * ```
 */
export const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * Default of `RedisPubSubOptions.maxPendingMessages`: 1,000 publishes held while Redis is away.
 *
 * @example
 * ```ts
 * new RedisPubSub({ maxPendingMessages: DEFAULT_MAX_PENDING_MESSAGES * 10 });
 * ```
 */
export const DEFAULT_MAX_PENDING_MESSAGES = 1_000;

/**
 * Default of `RedisPubSubOptions.maxPendingBytes`: 1 MiB held while Redis is away.
 *
 * @example
 * ```ts
 * new RedisPubSub({ maxPendingBytes: DEFAULT_MAX_PENDING_BYTES * 8 });
 * ```
 */
export const DEFAULT_MAX_PENDING_BYTES = 1024 * 1024;

/**
 * Default of `RedisRateLimitStoreOptions.commandTimeoutMs`: 500 ms per count.
 *
 * @example
 * ```ts
 * new RedisRateLimitStore({ commandTimeoutMs: DEFAULT_COUNT_TIMEOUT_MS * 2 });
 * ```
 */
export const DEFAULT_COUNT_TIMEOUT_MS = 500;
