/**
 * The byte stream a WebSocket runs over. The engine needs little: write with a backpressure answer,
 * cork, a drain callback, push-mode reads with pause, half-close and destroy. A net `Connection`
 * handed over by `info.upgrade()` is one; an in-memory pipe (both ends in one process) is another;
 * the client's connector will provide a third.
 */
import type { SocketAddress } from '../errors.js';
import type { Upgraded } from '../http/message/conn-info.js';
import type { CloseObserver, Connection, ReceiveHandlers } from '../net/connection.js';
import { asBuffer } from '../util/bytes.js';

/**
 * What a transport tells the engine.
 *
 * @example
 * ```ts
 * transport.start({ onData: (chunk) => parser.push(chunk), onEnd() {}, onClose() {} });
 * ```
 */
export interface TransportHandlers {
  /** Bytes from the peer, in order. */
  onData(chunk: Buffer): void;
  /** The peer ended its side (no more bytes will come). */
  onEnd(): void;
  /** The transport is closed both ways, once; `error` if it failed (reset, destroyed with an error). */
  onClose(error?: Error): void;
}

/**
 * A bidirectional byte stream for the WebSocket engine.
 *
 * @example
 * ```ts
 * const [a, b] = memoryPipe();
 * b.start({ onData: (c) => console.log(c), onEnd() {}, onClose() {} });
 * a.write(Buffer.from('hi'));
 * ```
 */
export interface WebSocketTransport {
  readonly remoteAddress: SocketAddress | undefined;
  readonly localAddress: SocketAddress | undefined;
  /** Bytes accepted by `write()` and not yet handed on (to the kernel, or to the other end). */
  readonly writableLength: number;
  /** Where `write()` starts answering false. */
  readonly writableHighWaterMark: number;
  /** Queues bytes; false when the transport's own buffer is over its mark (a drain will follow). */
  write(bytes: Uint8Array): boolean;
  /** Holds writes until {@link WebSocketTransport.uncork}, so they leave together. */
  cork(): void;
  uncork(): void;
  /** Calls `callback` once, when the write buffer has drained or the transport has closed. */
  onDrain(callback: () => void): void;
  /** Starts delivering: bytes that arrived before are delivered first. Called once. */
  start(handlers: TransportHandlers): void;
  /** Stops delivering and reading until {@link WebSocketTransport.resume}. */
  pause(): void;
  resume(): void;
  /** Ends our side after the writes already made (TCP FIN). */
  end(): void;
  /** Closes both ways now; unsent bytes are lost. */
  destroy(error?: Error): void;
}

const noop = (): void => {};

const NO_BYTES = new Uint8Array(0);

/**
 * A net `Connection` as a transport: methods, no closure per connection. Reads come through the
 * upgrade hand-off (the HTTP server keeps the connection's push handlers) or, for a connection
 * nobody else reads (a client's, after its handshake), from the connection itself.
 */
class ConnectionTransport implements WebSocketTransport, ReceiveHandlers, CloseObserver {
  readonly #conn: Connection;
  readonly writableHighWaterMark: number;
  /** Until started: then let go (its `head` and `receive` are not needed any more). */
  #upgraded: Upgraded | undefined;
  #head: Uint8Array;
  #handlers: TransportHandlers | undefined;
  #failure: Error | undefined;

  constructor(conn: Connection, upgraded: Upgraded | undefined, head: Uint8Array) {
    this.#conn = conn;
    this.#upgraded = upgraded;
    this.#head = head;
    this.writableHighWaterMark = conn.socket.writableHighWaterMark;
  }

  get remoteAddress(): SocketAddress | undefined {
    return this.#conn.remoteAddress;
  }

  get localAddress(): SocketAddress | undefined {
    return this.#conn.localAddress;
  }

  get writableLength(): number {
    return this.#conn.socket.writableLength;
  }

  write(bytes: Uint8Array): boolean {
    return this.#conn.send(bytes);
  }

  cork(): void {
    this.#conn.cork();
  }

  uncork(): void {
    this.#conn.uncork();
  }

  onDrain(callback: () => void): void {
    const socket = this.#conn.socket;
    if (socket.writableNeedDrain || socket.destroyed) {
      this.#conn.drained().then(callback, callback);
    } else if (!socket.writableEnded) {
      // Under the socket's own mark (Node 22+ defaults it to 64 KiB) but over a lower send mark of
      // ours, no 'drain' comes, and a drained() that resolves at once would have the sender check
      // again in a loop of microtasks: the callback of an empty write runs once every byte written
      // before it has left, the next point where bufferedAmount can have fallen.
      socket.write(NO_BYTES, () => callback());
    }
    // Ended: the connection is closing, and its close settles what waited for a drain.
  }

  start(handlers: TransportHandlers): void {
    const upgraded = this.#upgraded;
    const head = this.#head;
    this.#upgraded = undefined;
    this.#head = NO_BYTES;
    this.#handlers = handlers;
    if (upgraded === undefined) this.#conn.receive(this);
    else upgraded.receive(this);
    this.#conn.observeClose(this);
    if (head.length > 0) handlers.onData(asBuffer(head));
  }

  /** The connection closed (its observer: no closure or promise per connection). */
  connectionClosed(): void {
    this.#handlers?.onClose(this.#failure);
  }

  // ReceiveHandlers of the upgraded connection.
  onData(chunk: Uint8Array): void {
    this.#handlers?.onData(asBuffer(chunk));
  }

  onEnd(): void {
    this.#handlers?.onEnd();
  }

  onError(error: Error): void {
    this.#failure = error;
  }

  pause(): void {
    this.#conn.pause();
  }

  resume(): void {
    this.#conn.resume();
  }

  end(): void {
    this.#conn.end().catch(noop);
  }

  destroy(error?: Error): void {
    this.#conn.destroy(error);
  }
}

/**
 * The transport of a connection taken over with `info.upgrade()`. Call it in the same tick as
 * `upgrade()` (bytes arriving in between would not be seen) and `start()` it at once: the bytes
 * that came with the request head (`upgraded.head`) are delivered first.
 *
 * @example
 * ```ts
 * const transport = upgradedTransport(info.upgrade());
 * ```
 */
export function upgradedTransport(upgraded: Upgraded): WebSocketTransport {
  return new ConnectionTransport(upgraded.connection, upgraded, upgraded.head);
}

/**
 * A connection nobody else reads (a client's, once its handshake is done) as a transport: `head`
 * is what was read past the handshake, delivered first. The connection goes into push mode.
 *
 * @example
 * ```ts
 * const ws = new WebSocketConnection(connectionTransport(conn, rest), { role: 'client', ... });
 * ```
 */
export function connectionTransport(conn: Connection, head: Uint8Array = NO_BYTES): WebSocketTransport {
  return new ConnectionTransport(conn, undefined, head);
}
