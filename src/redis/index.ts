/**
 * `wirekit/redis`: what makes many nodes act as one through Redis. A pub/sub for topics
 * (`RedisPubSub`; `redisTopics()` puts WebSocket topics on it) and a rate limiter store
 * (`RedisRateLimitStore`). Needs the `ioredis` package (an optional peer dependency:
 * `npm install ioredis`); nothing else in wirekit loads it.
 */

export type { TopicData, TopicPubSub } from '../cluster/pubsub.js';
export type { PubSubTopicBus } from '../cluster/topic-bus.js';
export * from '../errors.js';
export {
  DEFAULT_COUNT_TIMEOUT_MS,
  DEFAULT_MAX_PENDING_BYTES,
  DEFAULT_MAX_PENDING_MESSAGES,
  DEFAULT_REDIS_URL,
  MAX_RECONNECT_DELAY_MS,
  type RedisConnection,
  type RedisConnectionOptions,
} from './options.js';
export { RedisPubSub, type RedisPubSubOptions, type RedisPubSubStats } from './pubsub.js';
export { RedisRateLimitStore, type RedisRateLimitStoreOptions } from './rate-limit-store.js';
export { redisTopics } from './topics.js';
