/**
 * Topics: publish once, deliver to every subscriber. The message is framed once (and compressed
 * once per compressor setting, for subscribers without context takeover); each subscriber gets the
 * same bytes, subject to its backpressure policy, so one slow subscriber costs the others nothing
 * and cannot grow memory past its `maxBufferedBytes`.
 *
 * `TopicBus` is the seam for relaying topics beyond this process: an adapter wraps a
 * {@link LocalTopicBus}, subscribes to a topic upstream when its first local subscriber arrives
 * (`onFirstSubscriber`), forwards what is published here, and hands what arrives from elsewhere to
 * the local bus's `publish`.
 */
import { Opcode } from './codec/constants.js';
import { serializeFrame } from './codec/frame-serializer.js';
import { deliverShared, type WebSocketConnection } from './connection.js';
import { compressMessage, type PerMessageDeflate } from './deflate.js';
import type { OutgoingMessage, SharedMessage } from './handlers.js';

/**
 * Options of a publish.
 *
 * @example
 * ```ts
 * bus.publish('chat', 'hello', { except: ws });
 * ```
 */
export interface PublishOptions {
  /** A subscriber not to deliver to (the sender). */
  except?: WebSocketConnection<unknown> | undefined;
}

/**
 * Where connections subscribe and messages are published.
 *
 * @example
 * ```ts
 * const hub = new WebSocketHub({ topics: new LocalTopicBus({ onFirstSubscriber: (t) => redis.subscribe(t) }) });
 * ```
 */
export interface TopicBus {
  subscribe(topic: string, ws: WebSocketConnection<unknown>): void;
  unsubscribe(topic: string, ws: WebSocketConnection<unknown>): void;
  /** Delivers to the subscribers here; returns how many took it. */
  publish(topic: string, data: OutgoingMessage, options?: PublishOptions): number;
  subscriberCount(topic: string): number;
}

/**
 * Hooks of a {@link LocalTopicBus}, for adapters that relay topics between processes.
 *
 * @example
 * ```ts
 * new LocalTopicBus({ onFirstSubscriber: (topic) => upstream.subscribe(topic), onLastUnsubscribed: (topic) => upstream.unsubscribe(topic) });
 * ```
 */
export interface LocalTopicBusHooks {
  onFirstSubscriber?(topic: string): void;
  onLastUnsubscribed?(topic: string): void;
}

/** A message framed once for every subscriber. */
class PreparedMessage implements SharedMessage {
  readonly opcode: number;
  readonly data: Uint8Array;
  #frame: Buffer | undefined;
  #compressed: Map<string, Buffer> | undefined;

  constructor(data: OutgoingMessage) {
    this.opcode = typeof data === 'string' ? Opcode.Text : Opcode.Binary;
    this.data = typeof data === 'string' ? Buffer.from(data) : data;
  }

  get frame(): Buffer {
    this.#frame ??= serializeFrame(this.opcode, this.data);
    return this.#frame;
  }

  compressedFrame(deflate: PerMessageDeflate): Buffer {
    const { level, memLevel } = deflate.options;
    const key = `${deflate.compressBits}:${level}:${memLevel}`;
    this.#compressed ??= new Map();
    let frame = this.#compressed.get(key);
    if (frame === undefined) {
      frame = serializeFrame(this.opcode, compressMessage(this.data, deflate.compressBits, level, memLevel), {
        rsv1: true,
      });
      this.#compressed.set(key, frame);
    }
    return frame;
  }
}

/**
 * The in-process topic registry.
 *
 * @example
 * ```ts
 * const bus = new LocalTopicBus();
 * bus.subscribe('news', ws);
 * bus.publish('news', 'extra!'); // 1
 * ```
 */
export class LocalTopicBus implements TopicBus {
  readonly #topics = new Map<string, Set<WebSocketConnection<unknown>>>();
  readonly #hooks: LocalTopicBusHooks;

  constructor(hooks: LocalTopicBusHooks = {}) {
    this.#hooks = hooks;
  }

  subscribe(topic: string, ws: WebSocketConnection<unknown>): void {
    let subscribers = this.#topics.get(topic);
    if (subscribers === undefined) {
      subscribers = new Set();
      this.#topics.set(topic, subscribers);
      subscribers.add(ws);
      this.#hooks.onFirstSubscriber?.(topic);
      return;
    }
    subscribers.add(ws);
  }

  unsubscribe(topic: string, ws: WebSocketConnection<unknown>): void {
    const subscribers = this.#topics.get(topic);
    if (subscribers === undefined || !subscribers.delete(ws) || subscribers.size > 0) return;
    this.#topics.delete(topic);
    this.#hooks.onLastUnsubscribed?.(topic);
  }

  publish(topic: string, data: OutgoingMessage, options: PublishOptions = {}): number {
    const subscribers = this.#topics.get(topic);
    if (subscribers === undefined) return 0;
    const message = new PreparedMessage(data);
    let delivered = 0;
    for (const ws of subscribers) {
      if (ws !== options.except && deliverShared(ws, message)) delivered++;
    }
    return delivered;
  }

  subscriberCount(topic: string): number {
    return this.#topics.get(topic)?.size ?? 0;
  }
}
