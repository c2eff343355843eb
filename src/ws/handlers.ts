/** The types a WebSocket connection is made with: the application's handlers, its init, its registry. */
import type { DeflateParams } from './codec/deflate-params.js';
import type { WebSocketRole } from './codec/frame-parser.js';
import type { WebSocketConnection } from './connection.js';
import type { PerMessageDeflate } from './deflate.js';
import type { ReceivedMessage } from './inbox.js';
import type { ResolvedWebSocketOptions } from './options.js';

/**
 * What the application sends: a string goes as a text message, bytes as a binary one.
 *
 * @example
 * ```ts
 * const message: OutgoingMessage = JSON.stringify({ hello: 'world' });
 * ```
 */
export type OutgoingMessage = string | Uint8Array;

/**
 * The application's callbacks. All optional; a handler may be async (a rejection is handled like
 * a throw: reported to `onError`, and the connection is closed with 1011).
 *
 * @example
 * ```ts
 * const handlers: WebSocketHandlers<{ user: string }> = {
 *   open: (ws) => ws.subscribe('chat'),
 *   message: (ws, data) => ws.publish('chat', `${ws.data.user}: ${data}`),
 * };
 * ```
 */
export interface WebSocketHandlers<D = unknown> {
  /** The connection is open (after the 101 was written). */
  open?(ws: WebSocketConnection<D>): void | Promise<void>;
  /**
   * A message: text as a string, binary as a Buffer. Without this handler, messages are queued
   * for `for await (const msg of ws)`.
   */
  message?(ws: WebSocketConnection<D>, data: ReceivedMessage, isBinary: boolean): void | Promise<void>;
  /** The connection has closed: the peer's close code (1005: none given; 1006: no close frame). */
  close?(ws: WebSocketConnection<D>, code: number, reason: string): void | Promise<void>;
  /** `bufferedAmount` went back to `sendHighWaterBytes` or below after being above it. */
  drain?(ws: WebSocketConnection<D>): void | Promise<void>;
}

/**
 * What a connection needs besides its transport; made by the server upgrade, `app.connect` and
 * the client.
 *
 * @example
 * ```ts
 * const ws = new WebSocketConnection(transport, { role: 'client', options: resolveWebSocketOptions(), handlers: {}, data: undefined });
 * ```
 */
export interface WebSocketInit<D> {
  role: WebSocketRole;
  options: ResolvedWebSocketOptions;
  handlers: WebSocketHandlers<D>;
  data: D;
  /** The subprotocol agreed on (`''`: none). */
  protocol?: string;
  /** The `Sec-WebSocket-Extensions` value agreed on (`''`: none). */
  extensions?: string;
  /** The permessage-deflate parameters agreed on, if any. */
  deflate?: DeflateParams | undefined;
  /** The registry that tracks open connections and their topics (servers). */
  registry?: ConnectionRegistry | undefined;
}

/**
 * Where a server's connections are tracked (open set, topics); see `WebSocketHub`.
 *
 * @example
 * ```ts
 * const registry: ConnectionRegistry = { opened: (ws) => set.add(ws), closed: (ws) => set.delete(ws), subscribe() {}, unsubscribe() {} };
 * ```
 */
export interface ConnectionRegistry {
  opened(ws: WebSocketConnection<unknown>): void;
  closed(ws: WebSocketConnection<unknown>): void;
  subscribe(topic: string, ws: WebSocketConnection<unknown>): void;
  unsubscribe(topic: string, ws: WebSocketConnection<unknown>): void;
  publish?(topic: string, data: OutgoingMessage, except: WebSocketConnection<unknown>): number;
}

/**
 * A message prepared once for many connections (topics): the plain frame, and compressed frames
 * shared by connections without context takeover.
 *
 * @example
 * ```ts
 * const frame = shared.compressedFrame(deflate); // the same Buffer for every such subscriber
 * ```
 */
export interface SharedMessage {
  readonly opcode: number;
  readonly data: Uint8Array;
  /** The unmasked, uncompressed frame. */
  readonly frame: Buffer;
  /** The compressed frame for a connection's settings (memoized per window and level). */
  compressedFrame(deflate: PerMessageDeflate): Buffer;
}
