/**
 * `WebSocketHub`: the open connections of one server (an App, a `WebSocketServer`) and their
 * topics. It is what `server.close()` tells to send 1001 to everyone, and what `publish` goes
 * through.
 */
import { CloseCode } from './codec/constants.js';
import type { WebSocketConnection } from './connection.js';
import type { ConnectionRegistry, OutgoingMessage } from './handlers.js';
import { LocalTopicBus, type TopicBus } from './topics.js';

/**
 * Options of a {@link WebSocketHub}.
 *
 * @example
 * ```ts
 * new WebSocketHub({ topics: new LocalTopicBus() });
 * ```
 */
export interface WebSocketHubOptions {
  /** Where topics live. Default: a {@link LocalTopicBus} (this process only). */
  topics?: TopicBus;
}

/**
 * Open connections and topics of one server.
 *
 * @example
 * ```ts
 * const hub = new WebSocketHub();
 * hub.publish('news', 'extra!');
 * await hub.close(); // 1001 to everyone, resolves when all have closed
 * ```
 */
export class WebSocketHub {
  readonly topics: TopicBus;
  readonly #open = new Set<WebSocketConnection<unknown>>();
  #closing: { code: number; reason: string } | undefined;
  #allClosed: (() => void) | undefined;

  /** What connections call to be tracked (see `WebSocketInit.registry`). */
  readonly registry: ConnectionRegistry;

  constructor(options: WebSocketHubOptions = {}) {
    this.topics = options.topics ?? new LocalTopicBus();
    const topics = this.topics;
    this.registry = {
      opened: (ws) => {
        this.#open.add(ws);
        // Opened while the server closes: it gets the same goodbye.
        if (this.#closing !== undefined) ws.close(this.#closing.code, this.#closing.reason);
      },
      closed: (ws) => {
        this.#open.delete(ws);
        if (this.#open.size === 0) this.#settle();
      },
      subscribe: (topic, ws) => topics.subscribe(topic, ws),
      unsubscribe: (topic, ws) => topics.unsubscribe(topic, ws),
      publish: (topic, data, except) => topics.publish(topic, data, { except }),
    };
  }

  /** Open connections. */
  get size(): number {
    return this.#open.size;
  }

  /** The open connections, for iteration (a copy). */
  get connections(): WebSocketConnection<unknown>[] {
    return [...this.#open];
  }

  /** Sends `data` to every subscriber of `topic`; returns how many took it. */
  publish(topic: string, data: OutgoingMessage): number {
    return this.topics.publish(topic, data);
  }

  /**
   * Closes every connection (default 1001 "going away") and resolves when all have closed, each
   * within its `closeTimeoutMs`. Connections opening meanwhile are closed as they open.
   */
  close(code: number = CloseCode.GoingAway, reason = 'server closing'): Promise<void> {
    if (this.#open.size === 0) return Promise.resolve();
    this.#closing = { code, reason };
    for (const ws of this.#open) ws.close(code, reason);
    return new Promise((resolve) => {
      const previous = this.#allClosed;
      this.#allClosed = () => {
        previous?.();
        resolve();
      };
    });
  }

  /** Everyone has gone: the hub may serve again (an app listened to anew). */
  #settle(): void {
    const allClosed = this.#allClosed;
    this.#closing = undefined;
    this.#allClosed = undefined;
    allClosed?.();
  }
}
