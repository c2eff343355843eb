/**
 * What an HTTP/1.1 server keeps of a connection once a handler took it over with `info.upgrade()`:
 * its place among the open connections (counted by `server.connections`, destroyed at the close
 * deadline, its close published on the diagnostics channel) and nothing of HTTP's. The connection's
 * HTTP state (parser, response queue, timer, the request) is let go: an upgraded connection, a
 * WebSocket, may stay open for days (docs/architecture.md, Memory per connection).
 */
import type { CloseObserver, Connection } from '../../net/connection.js';
import type { ConnInfo } from '../message/conn-info.js';
import { connectionCloseWatched, publishConnection } from './diagnostics.js';

/**
 * An open HTTP/1.1 connection as the server's registry sees it.
 *
 * @example
 * ```ts
 * for (const conn of served.http1) conn.shutdown();
 * ```
 */
export interface Http1Member {
  /** The server is closing: end when idle (an upgraded connection is its new owner's to end). */
  shutdown(): void;
  /** The server's close deadline: destroy now. */
  destroy(error: Error): void;
}

/**
 * An upgraded connection in the server's registry, until its socket closes.
 *
 * @example
 * ```ts
 * new UpgradedConnection(conn, registry, info); // replaces the HttpConnection in `registry`
 * ```
 */
export class UpgradedConnection implements Http1Member, CloseObserver {
  readonly #conn: Connection;
  readonly #registry: Set<Http1Member>;
  /** Kept only while someone watches closes: it is what the close is published with. */
  readonly #info: ConnInfo | undefined;

  constructor(conn: Connection, registry: Set<Http1Member>, info: ConnInfo) {
    this.#conn = conn;
    this.#registry = registry;
    this.#info = connectionCloseWatched() ? info : undefined;
    registry.add(this);
    conn.observeClose(this);
  }

  shutdown(): void {}

  destroy(error: Error): void {
    this.#conn.destroy(error);
  }

  /** @internal The socket closed. */
  connectionClosed(): void {
    this.#registry.delete(this);
    if (this.#info !== undefined) publishConnection('close', this.#info);
  }
}
