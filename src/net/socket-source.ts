import type { Endpoints } from './addresses.js';
import type { Connection } from './connection.js';
import type { ReadSource } from './read-buffer.js';

const noop = (): void => {};

/**
 * The {@link ReadSource} of a {@link Connection}: its socket's flow control and what the read buffer
 * reports back. One small object per connection instead of a closure per callback: an idle
 * keep-alive connection is mostly what it keeps (docs/architecture.md, Memory per connection).
 *
 * @example
 * ```ts
 * const reader = new ReadBuffer(new SocketSource(conn, false), 64 * 1024);
 * ```
 */
export class SocketSource implements ReadSource {
  readonly #conn: Connection;
  readonly #allowHalfOpen: boolean;

  constructor(conn: Connection, allowHalfOpen: boolean) {
    this.#conn = conn;
    this.#allowHalfOpen = allowHalfOpen;
  }

  pause(): void {
    this.#conn.socket.pause();
  }

  resume(): void {
    this.#conn.socket.resume();
  }

  eofDelivered(): void {
    if (!this.#allowHalfOpen) this.#conn.end().catch(noop);
  }

  callbackFailed(error: unknown): void {
    this.#conn.destroy(error);
  }

  endpoints(): Partial<Endpoints> {
    return { localAddress: this.#conn.localAddress, remoteAddress: this.#conn.remoteAddress };
  }
}
