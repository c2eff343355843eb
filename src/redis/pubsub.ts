/**
 * Topics across processes and machines through Redis pub/sub: what one node publishes reaches the
 * listeners of that topic on every node (the WebSocket topic bus and `app.publish` sit on this).
 * Redis being down, at start-up or mid-traffic, is a wait: publishes are held in a bounded buffer
 * and sent once Redis is back, the oldest dropped (and counted) when it overflows; subscriptions
 * are renewed on every reconnection.
 */
import { randomBytes } from 'node:crypto';
import { type TopicData, TopicListeners, type TopicPubSub } from '../cluster/pubsub.js';
import { WirekitError } from '../errors.js';
import { processWarnings } from '../util/warning-limiter.js';
import { openRedis, type RedisLink } from './client.js';
import {
  DEFAULT_MAX_PENDING_BYTES,
  DEFAULT_MAX_PENDING_MESSAGES,
  DEFAULT_REDIS_URL,
  type RedisConnection,
} from './options.js';

/**
 * Options of {@link RedisPubSub}.
 *
 * @example
 * ```ts
 * new RedisPubSub({ redis: process.env.REDIS_URL, maxPendingMessages: 10_000 });
 * ```
 */
export interface RedisPubSubOptions {
  /** Where Redis is (a URL or host, port, password…). Default `redis://127.0.0.1:6379`. */
  redis?: RedisConnection;
  /** Prefix of the Redis channels. Default `wk:topic:`. */
  prefix?: string;
  /** Publishes held while Redis is unreachable; beyond, the oldest are dropped (counted). Default 1,000. */
  maxPendingMessages?: number;
  /** Bytes held while Redis is unreachable; beyond, the oldest are dropped. Default 1 MiB. */
  maxPendingBytes?: number;
  /** How long one PUBLISH may take before it counts as failed (and is held for a resend). Default 2 s. */
  commandTimeoutMs?: number;
}

/** Counters of a {@link RedisPubSub}. */
export interface RedisPubSubStats {
  /** Messages handed to Redis. */
  published: number;
  /** Messages from other nodes given to local listeners. */
  received: number;
  /** Held right now, waiting for Redis. */
  pending: number;
  /** Dropped because the buffer was full while Redis was unreachable. */
  dropped: number;
}

const VERSION = 1;
const HEADER_BYTES = 2 + 16;

/**
 * Publish/subscribe over Redis, one subscriber connection per process.
 *
 * @example
 * ```ts
 * const bus = new RedisPubSub({ redis: 'redis://127.0.0.1:6379' });
 * bus.subscribe('chat', (data) => console.log('from some node:', data));
 * bus.publish('chat', 'hello everyone');
 * ```
 */
export class RedisPubSub implements TopicPubSub {
  /** This node's id: its own messages, echoed back by Redis, are not delivered twice. */
  readonly nodeId: Buffer = randomBytes(16);
  readonly #pub: RedisLink;
  readonly #sub: RedisLink;
  readonly #prefix: string;
  readonly #listeners = new TopicListeners(
    (topic) => void this.#sub.subscribe(this.#prefix + topic).catch(() => {}),
    (topic) => void this.#sub.unsubscribe(this.#prefix + topic).catch(() => {}),
  );
  readonly #pending: Buffer[][] = [];
  readonly #maxMessages: number;
  readonly #maxBytes: number;
  #pendingBytes = 0;
  #flushing = false;
  #closed = false;
  readonly stats: RedisPubSubStats = { published: 0, received: 0, pending: 0, dropped: 0 };

  constructor(options: RedisPubSubOptions = {}) {
    this.#prefix = options.prefix ?? 'wk:topic:';
    this.#maxMessages = positive('maxPendingMessages', options.maxPendingMessages ?? DEFAULT_MAX_PENDING_MESSAGES);
    this.#maxBytes = positive('maxPendingBytes', options.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES);
    const where = options.redis ?? DEFAULT_REDIS_URL;
    const timeout = options.commandTimeoutMs ?? 2_000;
    this.#pub = openRedis(where, timeout);
    this.#sub = openRedis(where, timeout);
    this.#pub.on('ready', () => this.#flush());
    // Subscriptions made while Redis was away failed: renew every wanted channel on each connection.
    this.#sub.on('ready', () => this.#resubscribe());
    this.#sub.on('messageBuffer', (channel: Buffer, message: Buffer) => this.#receive(channel, message));
  }

  /** True while both connections to Redis are up. */
  get connected(): boolean {
    return this.#pub.status === 'ready' && this.#sub.status === 'ready';
  }

  /** Sends `data` to the listeners of `topic` on every node, this one included. Never throws. */
  publish(topic: string, data: TopicData): void {
    if (this.#closed) return;
    this.#listeners.deliver(topic, data);
    const frame = encode(this.nodeId, data);
    this.#enqueue([Buffer.from(this.#prefix + topic), frame]);
    this.#flush();
  }

  /** Listens to `topic` (on every node); returns the function that stops listening. */
  subscribe(topic: string, listener: (data: TopicData) => void): () => void {
    return this.#listeners.add(topic, listener);
  }

  /** Closes both connections; what is still pending is dropped. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([this.#pub, this.#sub].map((r) => r.quit().catch(() => r.disconnect())));
  }

  #receive(channel: Buffer, message: Buffer): void {
    const name = channel.toString();
    if (!name.startsWith(this.#prefix) || message.length < HEADER_BYTES || message[0] !== VERSION) return;
    if (message.subarray(2, HEADER_BYTES).equals(this.nodeId)) return;
    const payload = message.subarray(HEADER_BYTES);
    this.stats.received++;
    this.#listeners.deliver(
      name.slice(this.#prefix.length),
      message[1] === 0 ? payload.toString() : new Uint8Array(payload),
    );
  }

  #enqueue(entry: Buffer[], front = false): void {
    const size = (entry[1] as Buffer).length;
    if (front) this.#pending.unshift(entry);
    else this.#pending.push(entry);
    this.#pendingBytes += size;
    let dropped = 0;
    while (this.#pending.length > this.#maxMessages || this.#pendingBytes > this.#maxBytes) {
      const oldest = this.#pending.shift() as Buffer[];
      this.#pendingBytes -= (oldest[1] as Buffer).length;
      dropped++;
    }
    if (dropped > 0) {
      this.stats.dropped += dropped;
      processWarnings.warn(
        new WirekitError(
          'WK_ERR_PUBSUB_DROPPED',
          `${dropped} topic message(s) dropped: Redis is unreachable and the buffer is full`,
        ),
      );
    }
    this.stats.pending = this.#pending.length;
  }

  /** Sends what is pending, in order, while Redis takes it; a failed send goes back to the front. */
  async #flush(): Promise<void> {
    if (this.#flushing || this.#closed) return;
    this.#flushing = true;
    try {
      while (this.#pending.length > 0 && this.#pub.status === 'ready') {
        const entry = this.#pending.shift() as Buffer[];
        this.#pendingBytes -= (entry[1] as Buffer).length;
        this.stats.pending = this.#pending.length;
        try {
          await this.#pub.publish(entry[0] as Buffer, entry[1] as Buffer);
          this.stats.published++;
        } catch {
          this.#enqueue(entry, true);
          break;
        }
      }
    } finally {
      this.#flushing = false;
    }
  }

  #resubscribe(): void {
    const channels = [...this.#listeners.topics].map((topic) => this.#prefix + topic);
    if (channels.length > 0) this.#sub.subscribe(...channels).catch(() => {});
  }
}

/** version, kind (0 text, 1 bytes), the sender's id, the payload. */
function encode(nodeId: Buffer, data: TopicData): Buffer {
  const text = typeof data === 'string';
  const payload = text ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.concat([Buffer.of(VERSION, text ? 0 : 1), nodeId, payload]);
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `${name} must be an integer ≥ 1, got ${value}`);
  }
  return value;
}
