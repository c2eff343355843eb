/**
 * WebSocket topics beyond this process: a {@link TopicBus} (what an App's or a `WebSocketServer`'s
 * hub publishes through) over any {@link TopicPubSub} — the cluster's relay through the primary
 * (`clusterTopics()`) or Redis across machines (`redisTopics()` of wirekit/redis). One piece of code
 * for both: the topic is subscribed upstream while this process has a subscriber to it, a publish
 * is framed once for the subscribers here and sent upstream once, and a message from another
 * process is framed once here for all of ours.
 */

import type { WebSocketConnection } from '../ws/connection.js';
import type { OutgoingMessage } from '../ws/handlers.js';
import type { PublishOptions, TopicBus } from '../ws/topics.js';
import { LocalTopicBus } from '../ws/topics.js';
import { ClusterPubSub, type TopicData, type TopicPubSub } from './pubsub.js';

/**
 * Options of a {@link PubSubTopicBus}.
 *
 * @example
 * ```ts
 * new PubSubTopicBus(new ClusterPubSub(), { closePubSub: true });
 * ```
 */
export interface PubSubTopicBusOptions {
  /** Whether `close()` also closes the pub/sub (true when the bus made it). Default false. */
  closePubSub?: boolean;
}

/**
 * WebSocket topics over a {@link TopicPubSub}: every process's subscribers hear every process's
 * publishes. `publish` returns how many subscribers *here* took the message (the others are in
 * other processes, counted nowhere); `except` (the sender, for `ws.publish`) applies here.
 *
 * @example
 * ```ts
 * import { App, PubSubTopicBus, ClusterPubSub } from 'wirekit';
 * const app = new App({ webSockets: { topics: new PubSubTopicBus(new ClusterPubSub()) } });
 * ```
 */
export class PubSubTopicBus<P extends TopicPubSub = TopicPubSub> implements TopicBus {
  /** The pub/sub underneath: other listeners (a server-sent events stream) may share it. */
  readonly pubsub: P;
  readonly #local = new LocalTopicBus({
    onFirstSubscriber: (topic) => this.#listen(topic),
    onLastUnsubscribed: (topic) => this.#unlisten(topic),
  });
  readonly #listening = new Map<string, () => void>();
  readonly #closePubSub: boolean;
  /** The topic this bus is publishing right now (its pub/sub hands our own publish back at once: ignored). */
  #publishing: string | undefined;
  #closed = false;

  constructor(pubsub: P, options: PubSubTopicBusOptions = {}) {
    this.pubsub = pubsub;
    this.#closePubSub = options.closePubSub ?? false;
  }

  subscribe(topic: string, ws: WebSocketConnection<unknown>): void {
    this.#local.subscribe(topic, ws);
  }

  unsubscribe(topic: string, ws: WebSocketConnection<unknown>): void {
    this.#local.unsubscribe(topic, ws);
  }

  /** Frames `data` once for the subscribers here, and sends it once to every other process. */
  publish(topic: string, data: OutgoingMessage, options: PublishOptions = {}): number {
    const delivered = this.#local.publish(topic, data, options);
    if (this.#closed) return delivered;
    // TopicPubSub.publish delivers to this process's listeners synchronously, ours included: that
    // copy is the one just framed above (and `except` must hold), so it is skipped. Saved and
    // restored, as a listener may publish again from inside.
    const outer = this.#publishing;
    this.#publishing = topic;
    try {
      this.pubsub.publish(topic, data);
    } finally {
      this.#publishing = outer;
    }
    return delivered;
  }

  /** Subscribers here. */
  subscriberCount(topic: string): number {
    return this.#local.subscriberCount(topic);
  }

  /**
   * Stops listening upstream (the bus is local from then on); closes the pub/sub too when it was
   * made for this bus (`clusterTopics()`, `redisTopics()`).
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const stop of this.#listening.values()) stop();
    this.#listening.clear();
    if (this.#closePubSub) await this.pubsub.close();
  }

  #listen(topic: string): void {
    if (this.#closed) return;
    const stop = this.pubsub.subscribe(topic, (data: TopicData) => {
      if (this.#publishing !== topic) this.#local.publish(topic, data);
    });
    this.#listening.set(topic, stop);
  }

  #unlisten(topic: string): void {
    this.#listening.get(topic)?.();
    this.#listening.delete(topic);
  }
}

/**
 * WebSocket topics shared by every worker of a cluster, relayed by the primary over IPC (no Redis
 * on one machine); in a process that is not a worker, local. `app.listen({ workers })` gives an
 * App these by default; a `WebSocketServer` takes them as its `topics`.
 *
 * @example
 * ```ts
 * import { App, clusterTopics } from 'wirekit';
 * const app = new App({ webSockets: { topics: clusterTopics() } });
 * app.ws('/live', { open: (ws) => ws.subscribe('news') });
 * app.post('/news', async (c) => c.json({ here: app.publish('news', await c.req.text()) })); // every worker's sockets
 * ```
 */
export function clusterTopics(): PubSubTopicBus<ClusterPubSub> {
  return new PubSubTopicBus(new ClusterPubSub(), { closePubSub: true });
}
