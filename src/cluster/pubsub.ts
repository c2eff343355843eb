/**
 * Topics across the workers of one cluster, relayed by the primary over IPC (no Redis needed on
 * one machine): what a worker publishes reaches the listeners of that topic in every worker. In a
 * process that is not a cluster worker it is simply local. Same shape as wirekit/redis's
 * `RedisPubSub` ({@link TopicPubSub}), so code written for one machine moves to many unchanged.
 */
import { WirekitError } from '../errors.js';
import { processWarnings } from '../util/warning-limiter.js';
import { type ClusterMessage, isClusterMessage, workerIdentity } from './protocol.js';

/** A message of a topic: text or bytes, as published. */
export type TopicData = string | Uint8Array;

/**
 * Publish/subscribe of topics, in one cluster (`ClusterPubSub`) or across machines
 * (`RedisPubSub` of wirekit/redis).
 *
 * @example
 * ```ts
 * const bus: TopicPubSub = new ClusterPubSub();
 * const stop = bus.subscribe('news', (data) => console.log(data));
 * bus.publish('news', 'hello');
 * ```
 */
export interface TopicPubSub {
  /** Sends `data` to the listeners of `topic` everywhere, this process's included (once). Never throws. */
  publish(topic: string, data: TopicData): void;
  /** Listens to `topic`; returns the function that stops listening. */
  subscribe(topic: string, listener: (data: TopicData) => void): () => void;
  close(): Promise<void>;
}

/**
 * The cluster's topic relay, worker side.
 *
 * @example
 * ```ts
 * const topics = new ClusterPubSub();
 * app.post('/news', async (c) => { topics.publish('news', await c.req.text()); return c.body(null, 204); });
 * ```
 */
export class ClusterPubSub implements TopicPubSub {
  readonly #listeners = new Map<string, Set<(data: TopicData) => void>>();
  readonly #relayed = workerIdentity() !== undefined;
  #closed = false;

  constructor() {
    if (this.#relayed) process.on('message', this.#onMessage);
  }

  publish(topic: string, data: TopicData): void {
    if (this.#closed) return;
    this.#deliver(topic, data);
    if (!this.#relayed) return;
    const message: ClusterMessage =
      typeof data === 'string'
        ? { wirekit: 'topic', topic, text: data }
        : {
            wirekit: 'topic',
            topic,
            base64: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
          };
    send(message);
  }

  subscribe(topic: string, listener: (data: TopicData) => void): () => void {
    if (this.#closed) throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'this ClusterPubSub is closed');
    let set = this.#listeners.get(topic);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(topic, set);
      if (this.#relayed) send({ wirekit: 'subscribe', topic });
    }
    set.add(listener);
    return () => {
      const current = this.#listeners.get(topic);
      if (current === undefined || !current.delete(listener) || current.size > 0) return;
      this.#listeners.delete(topic);
      if (this.#relayed) send({ wirekit: 'unsubscribe', topic });
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    process.off('message', this.#onMessage);
    for (const topic of this.#listeners.keys()) if (this.#relayed) send({ wirekit: 'unsubscribe', topic });
    this.#listeners.clear();
  }

  readonly #onMessage = (message: unknown): void => {
    if (!isClusterMessage(message) || message.wirekit !== 'topic') return;
    const data = message.text ?? new Uint8Array(Buffer.from(message.base64 ?? '', 'base64'));
    this.#deliver(message.topic, data);
  };

  #deliver(topic: string, data: TopicData): void {
    for (const listener of this.#listeners.get(topic) ?? []) {
      try {
        listener(data);
      } catch (error) {
        processWarnings.warn(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }
}

function send(message: ClusterMessage): void {
  if (process.connected !== true || process.send === undefined) return;
  process.send(message, undefined, undefined, () => {});
}
