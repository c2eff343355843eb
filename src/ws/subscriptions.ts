/** The topics one connection is subscribed to, kept in step with its server's topic registry. */
import type { WebSocketConnection } from './connection.js';
import type { ConnectionRegistry } from './handlers.js';

/**
 * A connection's topics (made on its first `subscribe`).
 *
 * @example
 * ```ts
 * const topics = new Subscriptions(hub.registry, ws);
 * topics.add('news'); // hub.publish('news', …) reaches ws
 * ```
 */
export class Subscriptions {
  readonly #topics = new Set<string>();
  readonly #registry: ConnectionRegistry;
  readonly #ws: WebSocketConnection<unknown>;

  constructor(registry: ConnectionRegistry, ws: WebSocketConnection<unknown>) {
    this.#registry = registry;
    this.#ws = ws;
  }

  add(topic: string): void {
    if (this.#topics.has(topic)) return;
    this.#topics.add(topic);
    this.#registry.subscribe(topic, this.#ws);
  }

  delete(topic: string): void {
    if (this.#topics.delete(topic)) this.#registry.unsubscribe(topic, this.#ws);
  }

  has(topic: string): boolean {
    return this.#topics.has(topic);
  }

  list(): string[] {
    return [...this.#topics];
  }

  /** The connection closed: it leaves every topic. */
  clear(): void {
    for (const topic of this.#topics) this.#registry.unsubscribe(topic, this.#ws);
    this.#topics.clear();
  }
}
