/** WebSocket topics across machines: the WebSocket topic bus over {@link RedisPubSub}. */
import { PubSubTopicBus } from '../cluster/topic-bus.js';
import { RedisPubSub, type RedisPubSubOptions } from './pubsub.js';

/**
 * WebSocket topics shared by every node (and every worker) connected to one Redis: what any of
 * them publishes reaches the subscribers of all. Redis being away is the `RedisPubSub`'s policy
 * (publishes held in a bounded buffer, subscriptions renewed); `bus.pubsub` is that `RedisPubSub`
 * (its `stats`, or listeners of your own such as a server-sent events stream); `bus.close()` closes
 * its connections.
 *
 * @example
 * ```ts
 * import { App } from 'wirekit';
 * import { redisTopics } from 'wirekit/redis';
 * const topics = redisTopics({ redis: process.env.REDIS_URL });
 * const app = new App({ webSockets: { topics } });
 * app.ws('/live', { open: (ws) => ws.subscribe('news') });
 * app.post('/news', async (c) => c.json({ here: app.publish('news', await c.req.text()) })); // every node's sockets
 * ```
 */
export function redisTopics(options: RedisPubSubOptions = {}): PubSubTopicBus<RedisPubSub> {
  return new PubSubTopicBus(new RedisPubSub(options), { closePubSub: true });
}
