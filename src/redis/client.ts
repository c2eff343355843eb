/**
 * The one file that loads the Redis client library (ioredis, an optional peer dependency: see
 * docs/dependencies.md). Everything else in wirekit/redis talks to Redis through {@link RedisLink}.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { MAX_RECONNECT_DELAY_MS, type RedisConnection } from './options.js';

/** A command connection and, for pub/sub, a subscriber connection (Redis puts one in subscriber mode). */
export type RedisLink = Redis;

/**
 * Options wirekit needs on every connection, whatever the user gave: reconnect forever with a
 * capped backoff (Redis down at start-up, or restarting, is a wait, not a crash); fail commands at
 * once while disconnected instead of queueing them without bound; re-subscribe after a reconnect.
 */
export function openRedis(connection: RedisConnection, commandTimeoutMs: number): RedisLink {
  const base: RedisOptions = {};
  if (typeof connection !== 'string') {
    const { connectTimeoutMs, ...rest } = connection;
    Object.assign(base, rest);
    if (connectTimeoutMs !== undefined) base.connectTimeout = connectTimeoutMs;
  }
  const options: RedisOptions = {
    ...base,
    lazyConnect: false,
    enableOfflineQueue: false,
    autoResubscribe: true,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 10), MAX_RECONNECT_DELAY_MS),
  };
  // ioredis's overloads refuse its own RedisOptions under exactOptionalPropertyTypes: one typed door.
  const Client = Redis as unknown as new (...args: [string, RedisOptions] | [RedisOptions]) => Redis;
  const redis = typeof connection === 'string' ? new Client(connection, options) : new Client(options);
  // Connection errors come back on every reconnection attempt: the state is what callers look at.
  redis.on('error', () => {});
  return redis;
}

/**
 * Resolves once `redis` is connected, at once if it is; rejects after `timeoutMs` (Redis down).
 * Commands fail at once while disconnected (no unbounded offline queue): this is the bounded wait
 * for the connection being made (at start-up, after a restart).
 */
export function whenReady(redis: RedisLink, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      redis.off('ready', onReady);
      reject(new Error(`Redis is not connected (${redis.status})`));
    }, timeoutMs);
    redis.once('ready', onReady);
  });
}
