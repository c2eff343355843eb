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
  /**
   * Sends `data` to the listeners of `topic` everywhere, this process's included: once, and
   * synchronously, before it returns (a `PubSubTopicBus` relies on it). Never throws.
   */
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
 * This process's end of the relay, shared by every `ClusterPubSub` in it: the topics are one
 * namespace across the cluster, so two instances in one worker hear each other as they hear other
 * workers, and the primary's interest in a topic lasts while any instance here listens to it (an
 * instance that stops listening must not unsubscribe another's topic). Installed with the first
 * open instance, removed with the last.
 */
class WorkerEnd {
  readonly #relayed = workerIdentity() !== undefined;
  readonly listeners = new TopicListeners(
    (topic) => this.relay({ wirekit: 'subscribe', topic }),
    (topic) => this.relay({ wirekit: 'unsubscribe', topic }),
  );
  #users = 0;

  open(): void {
    if (this.#users++ === 0 && this.#relayed) process.on('message', this.#onMessage);
  }

  close(): void {
    if (--this.#users === 0) process.off('message', this.#onMessage);
  }

  readonly #onMessage = (message: unknown): void => {
    if (!isClusterMessage(message) || message.wirekit !== 'topic') return;
    this.listeners.deliver(message.topic, message.text ?? new Uint8Array(Buffer.from(message.base64 ?? '', 'base64')));
  };

  /** To the primary, in a worker; nowhere in a process of its own. */
  relay(message: ClusterMessage): void {
    if (this.#relayed) send(message);
  }
}

let workerEnd: WorkerEnd | undefined;

/**
 * The cluster's topic relay, worker side. Every instance in a cluster shares one namespace of
 * topics (as `RedisPubSub`s sharing a prefix do): a publish reaches the listeners of every
 * instance, in this worker and the others.
 *
 * @example
 * ```ts
 * const topics = new ClusterPubSub();
 * app.post('/news', async (c) => { topics.publish('news', await c.req.text()); return c.body(null, 204); });
 * ```
 */
export class ClusterPubSub implements TopicPubSub {
  readonly #end: WorkerEnd;
  /** This instance's listeners (the shared registry holds everyone's), removed on close. */
  readonly #stops = new Set<() => void>();
  #closed = false;

  constructor() {
    workerEnd ??= new WorkerEnd();
    this.#end = workerEnd;
    this.#end.open();
  }

  publish(topic: string, data: TopicData): void {
    if (this.#closed) return;
    this.#end.listeners.deliver(topic, data);
    if (typeof data === 'string') this.#end.relay({ wirekit: 'topic', topic, text: data });
    else {
      const base64 = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
      this.#end.relay({ wirekit: 'topic', topic, base64 });
    }
  }

  subscribe(topic: string, listener: (data: TopicData) => void): () => void {
    if (this.#closed) throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'this ClusterPubSub is closed');
    // A wrapper of our own: the same function given to two instances is two listeners.
    const remove = this.#end.listeners.add(topic, (data) => listener(data));
    const stop = (): void => {
      this.#stops.delete(stop);
      remove();
    };
    this.#stops.add(stop);
    return stop;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const stop of [...this.#stops]) stop();
    this.#end.close();
  }
}

function send(message: ClusterMessage): void {
  if (process.connected !== true || process.send === undefined) return;
  process.send(message, undefined, undefined, () => {});
}
