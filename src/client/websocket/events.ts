/**
 * The events of the WHATWG `WebSocket` (HTML, "Feedback from the protocol"): `CloseEvent`, which
 * Node 20 lacks (Node 23 added a global one), and the `error` event carrying the wirekit error
 * that failed the connection (browsers hide it; a Node program wants it).
 */

/**
 * Options of a {@link CloseEvent}, as in the HTML standard.
 *
 * @example
 * ```ts
 * new CloseEvent('close', { code: 1000, reason: 'done', wasClean: true });
 * ```
 */
export interface CloseEventInit {
  bubbles?: boolean;
  cancelable?: boolean;
  code?: number;
  reason?: string;
  wasClean?: boolean;
}

/**
 * The `close` event of a `WebSocket`: the close code (1005: the peer gave none, 1006: no closing
 * handshake), its reason, and whether the closing handshake completed.
 *
 * @example
 * ```ts
 * ws.addEventListener('close', (event) => console.log(event.code, event.reason, event.wasClean));
 * ```
 */
export class CloseEvent extends Event {
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;

  constructor(type: string, init: CloseEventInit = {}) {
    super(type, init);
    this.code = init.code ?? 0;
    this.reason = init.reason ?? '';
    this.wasClean = init.wasClean ?? false;
  }
}

/**
 * The `error` event of a `WebSocket`; `error` is what failed the connection (a refused handshake,
 * a timeout, a reset), `message` its message.
 *
 * @example
 * ```ts
 * ws.onerror = (event) => console.error((event as WebSocketErrorEvent).error);
 * ```
 */
export class WebSocketErrorEvent extends Event {
  readonly error: unknown;
  readonly message: string;

  constructor(type: string, error: unknown) {
    super(type);
    this.error = error;
    this.message = error instanceof Error ? error.message : '';
  }
}
