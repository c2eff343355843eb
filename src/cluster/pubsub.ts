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
 * The listeners of each topic in this process, and delivery to them (a listener that throws is
 * reported as a warning and the others still get the message). `onFirst`/`onLast` tell a relay
 * when to start and stop receiving a topic.
 *
 * @example
 * ```ts
 * const listeners = new TopicListeners((t) => upstream.subscribe(t), (t) => upstream.unsubscribe(t));
 * ```
 */
export class TopicListeners {
  readonly #byTopic = new Map<string, Set<(data: TopicData) => void>>();
  readonly #onFirst: (topic: string) => void;
  readonly #onLast: (topic: string) => void;

  constructor(onFirst: (topic: string) => void, onLast: (topic: string) => void) {
    this.#onFirst = onFirst;
    this.#onLast = onLast;
  }

  /** The topics that have listeners. */
  get topics(): IterableIterator<string> {
    return this.#byTopic.keys();
  }

  add(topic: string, listener: (data: TopicData) => void): () => void {
    let set = this.#byTopic.get(topic);
    if (set === undefined) {
      set = new Set();
      this.#byTopic.set(topic, set);
      this.#onFirst(topic);
    }
    set.add(listener);
    return () => {
      const current = this.#byTopic.get(topic);
      if (current === undefined || !current.delete(listener) || current.size > 0) return;
      this.#byTopic.delete(topic);
      this.#onLast(topic);
    };
  }

  deliver(topic: string, data: TopicData): void {
    for (const listener of this.#byTopic.get(topic) ?? []) {
      try {
        listener(data);
      } catch (error) {
        processWarnings.warn(error instanceof Error ? error : new Error(String(error)));
      }
    }
  }

  clear(): void {
    this.#byTopic.clear();
  }
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
  readonly #relayed = workerIdentity() !== undefined;
  readonly #listeners = new TopicListeners(
    (topic) => this.#relay({ wirekit: 'subscribe', topic }),
    (topic) => this.#relay({ wirekit: 'unsubscribe', topic }),
  );
  #closed = false;

  constructor() {
    if (this.#relayed) process.on('message', this.#onMessage);
  }

  publish(topic: string, data: TopicData): void {
    if (this.#closed) return;
    this.#listeners.deliver(topic, data);
    if (typeof data === 'string') this.#relay({ wirekit: 'topic', topic, text: data });
    else {
      const base64 = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
      this.#relay({ wirekit: 'topic', topic, base64 });
    }
  }

  subscribe(topic: string, listener: (data: TopicData) => void): () => void {
    if (this.#closed) throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'this ClusterPubSub is closed');
    return this.#listeners.add(topic, listener);
  }

  async close(): Promise<void> {
    this.#closed = true;
    process.off('message', this.#onMessage);
    for (const topic of this.#listeners.topics) this.#relay({ wirekit: 'unsubscribe', topic });
    this.#listeners.clear();
  }

  readonly #onMessage = (message: unknown): void => {
    if (!isClusterMessage(message) || message.wirekit !== 'topic') return;
    this.#listeners.deliver(message.topic, message.text ?? new Uint8Array(Buffer.from(message.base64 ?? '', 'base64')));
  };

  /** To the primary, in a worker; nowhere in a process of its own. */
  #relay(message: ClusterMessage): void {
    if (this.#relayed) send(message);
  }
}

function send(message: ClusterMessage): void {
  if (process.connected !== true || process.send === undefined) return;
  process.send(message, undefined, undefined, () => {});
}
