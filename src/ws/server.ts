/**
 * `WebSocketServer`: WebSockets for a bare `serve()` handler. One set of handlers and options, its
 * own hub (open connections, topics), and `upgrade(request, info)` to call from the handler.
 */
import type { ConnInfo } from '../http/message/conn-info.js';
import type { Request } from '../http/message/request.js';
import { Response } from '../http/message/response.js';
import { anyOf, func, listOf, object, string } from '../util/options.js';
import type { WebSocketConnection } from './connection.js';
import type { OutgoingMessage, WebSocketHandlers } from './handlers.js';
import { WebSocketHub, type WebSocketHubOptions } from './hub.js';
import { resolveWebSocketOptions, WEBSOCKET_OPTIONS, type WebSocketOptions } from './options.js';
import {
  commitUpgrade,
  type HandshakeOptions,
  prepareUpgrade,
  type UpgradeInit,
  type WebSocketEndpoint,
} from './upgrade.js';

/**
 * Options of a {@link WebSocketServer}: connection limits and timeouts, handshake choices, topics.
 *
 * @example
 * ```ts
 * new WebSocketServer(handlers, { maxMessageBytes: 1 << 20, origins: ['https://app.example'], perMessageDeflate: true });
 * ```
 */
export interface WebSocketServerOptions extends WebSocketOptions, HandshakeOptions, WebSocketHubOptions {}

const SERVER_OPTIONS = WEBSOCKET_OPTIONS.extend<WebSocketServerOptions>('new WebSocketServer()', {
  protocol: func(),
  origins: anyOf(listOf(string()), func()),
  topics: object(),
});

/**
 * WebSockets for `serve()`.
 *
 * @example
 * ```ts
 * const chat = new WebSocketServer<{ name: string }>({
 *   open: (ws) => ws.subscribe('room'),
 *   message: (ws, data) => chat.publish('room', `${ws.data.name}: ${data}`),
 * });
 * const server = await serve((req, info) => {
 *   if (req.path === '/chat') return chat.upgrade(req, info, { data: { name: req.query.get('name') ?? 'anon' } });
 *   return new Response('Not Found', { status: 404 });
 * }, { onClose: () => chat.close() });
 * ```
 */
export class WebSocketServer<D = undefined> {
  readonly hub: WebSocketHub;
  readonly #endpoint: WebSocketEndpoint<D>;

  constructor(handlers: WebSocketHandlers<D>, options: WebSocketServerOptions = {}) {
    this.hub = new WebSocketHub(options);
    const handshake: HandshakeOptions = {};
    if (options.protocol !== undefined) handshake.protocol = options.protocol;
    if (options.origins !== undefined) handshake.origins = options.origins;
    this.#endpoint = { handlers, options: resolveWebSocketOptions(options, SERVER_OPTIONS), handshake };
  }

  /**
   * Upgrades the request and answers what the handler should return: the 101 (the connection is
   * then a WebSocket, its `open` handler running) or the refusal the request deserves (400, 403 or
   * 426, the connection staying HTTP).
   */
  upgrade(request: Request, info: ConnInfo, init: UpgradeInit<D> = {}): Response {
    const prepared = prepareUpgrade(request, this.#endpoint, init);
    if (!prepared.ok) {
      return new Response(`${prepared.message}\n`, { status: prepared.status, headers: prepared.headers });
    }
    if (!info.canUpgrade) {
      return new Response('this connection cannot be upgraded now\n', { status: 400 });
    }
    commitUpgrade(prepared.response, info, this.hub);
    return prepared.response;
  }

  /** Sends `data` to every subscriber of `topic` (framed once); returns how many took it. */
  publish(topic: string, data: OutgoingMessage): number {
    return this.hub.publish(topic, data);
  }

  /** Open connections. */
  get connections(): WebSocketConnection<D>[] {
    return this.hub.connections as WebSocketConnection<D>[];
  }

  /** Closes every connection (default 1001) and resolves when all have closed. */
  close(code?: number, reason?: string): Promise<void> {
    return this.hub.close(code, reason);
  }
}
