/**
 * How a transport reaches its connection: one small object per connection whose methods go
 * through a table the connection class fills in (a closure per callback would cost memory on
 * every idle connection).
 */
import type { WebSocketConnection } from './connection.js';
import type { TransportHandlers } from './transport.js';

/**
 * What a transport's events do to a connection (the connection class provides it).
 *
 * @example
 * ```ts
 * const table: ConnectionInternals = { data() {}, end() {}, closed() {} };
 * ```
 */
export interface ConnectionInternals {
  data(ws: WebSocketConnection<unknown>, chunk: Buffer): void;
  end(ws: WebSocketConnection<unknown>): void;
  closed(ws: WebSocketConnection<unknown>, error: Error | undefined): void;
}

let internals: ConnectionInternals;

/**
 * Called once, by the connection class.
 *
 * @example
 * ```ts
 * setConnectionInternals({ data: (ws, chunk) => ws.push(chunk), end() {}, closed() {} });
 * ```
 */
export function setConnectionInternals(table: ConnectionInternals): void {
  internals = table;
}

/**
 * A connection's transport handlers.
 *
 * @example
 * ```ts
 * transport.start(new TransportEvents(connection));
 * ```
 */
export class TransportEvents implements TransportHandlers {
  readonly ws: WebSocketConnection<unknown>;

  constructor(ws: WebSocketConnection<unknown>) {
    this.ws = ws;
  }

  onData(chunk: Buffer): void {
    internals.data(this.ws, chunk);
  }

  onEnd(): void {
    internals.end(this.ws);
  }

  onClose(error?: Error): void {
    internals.closed(this.ws, error);
  }
}
