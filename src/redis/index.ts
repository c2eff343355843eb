/**
 * `wirekit/redis`: what makes many nodes act as one through Redis. A pub/sub for topics
 * (`RedisPubSub`) and a rate limiter store (`RedisRateLimitStore`). Needs the `ioredis` package
 * (an optional peer dependency: `npm install ioredis`); nothing else in wirekit loads it.
 */
export * from '../errors.js';
export { MAX_RECONNECT_DELAY_MS, type RedisConnection } from './client.js';
export { RedisPubSub, type RedisPubSubOptions, type RedisPubSubStats, type TopicData } from './pubsub.js';
export { RedisRateLimitStore, type RedisRateLimitStoreOptions } from './rate-limit-store.js';
