/**
 * Two connected in-memory transports: what one end writes, the other receives, asynchronously (a
 * microtask later, as a socket would deliver it on a later turn) and in order. Backpressure is
 * real: bytes the other end has not taken (it is paused, or has not started) count in
 * `writableLength`, and `write()` answers false over 16 KiB, as a socket does. Closing follows TCP:
 * the pipe is closed once both ends have ended and everything was delivered, or one end destroys it.
 */
import type { SocketAddress } from '../errors.js';
import type { TransportHandlers, WebSocketTransport } from './transport.js';

const HIGH_WATER_BYTES = 16 * 1024;
const LOOPBACK: SocketAddress = { address: '127.0.0.1', port: 0, family: 'IPv4' };

class MemoryEnd implements WebSocketTransport {
  peer!: MemoryEnd;
  readonly remoteAddress = LOOPBACK;
  readonly localAddress = LOOPBACK;
  readonly writableHighWaterMark = HIGH_WATER_BYTES;
  #handlers: TransportHandlers | undefined;
  readonly #inbox: Buffer[] = [];
  #inboxBytes = 0;
  #paused = false;
  #scheduled = false;
  /** We ended our side: we write nothing more. */
  #ended = false;
  /** The peer ended its side: after the inbox, deliver onEnd. */
  #peerEnded = false;
  #endDelivered = false;
  #closed = false;
  #closeError: Error | undefined;
  #closeDelivered = false;
  #drains: (() => void)[] = [];

  get writableLength(): number {
    return this.peer.#inboxBytes;
  }

  write(bytes: Uint8Array): boolean {
    if (this.#ended || this.#closed) return false;
    // A copy: the writer may reuse its buffer, and the reader may unmask in place.
    this.peer.#receive(Buffer.from(bytes));
    return this.peer.#inboxBytes < HIGH_WATER_BYTES;
  }

  cork(): void {}

  uncork(): void {}

  onDrain(callback: () => void): void {
    if (this.#closed || this.peer.#inboxBytes === 0) queueMicrotask(callback);
    else this.#drains.push(callback);
  }

  start(handlers: TransportHandlers): void {
    this.#handlers = handlers;
    if (this.#closed) queueMicrotask(() => this.#deliverClose());
    else this.#schedule();
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    this.#schedule();
  }

  end(): void {
    if (this.#ended || this.#closed) return;
    this.#ended = true;
    this.peer.#peerEnded = true;
    this.peer.#schedule();
  }

  destroy(error?: Error): void {
    if (this.#closed) return;
    this.#shut(error);
    this.peer.#shut(undefined);
  }

  #receive(bytes: Buffer): void {
    this.#inbox.push(bytes);
    this.#inboxBytes += bytes.length;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#scheduled || this.#handlers === undefined) return;
    this.#scheduled = true;
    queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    this.#scheduled = false;
    const handlers = this.#handlers;
    if (handlers === undefined || this.#closed) return;
    while (!this.#paused && this.#inbox.length > 0 && !this.#closed) {
      const chunk = this.#inbox.shift() as Buffer;
      this.#inboxBytes -= chunk.length;
      handlers.onData(chunk);
    }
    if (this.#inbox.length === 0) this.peer.#drained();
    if (this.#peerEnded && this.#inbox.length === 0 && !this.#endDelivered && !this.#closed) {
      this.#endDelivered = true;
      handlers.onEnd();
      if (this.#ended) this.destroy();
    } else if (this.#ended && this.peer.#endDelivered && this.#inbox.length === 0) {
      this.destroy();
    }
  }

  #drained(): void {
    const callbacks = this.#drains;
    this.#drains = [];
    for (const callback of callbacks) callback();
  }

  #shut(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeError = error;
    this.#inbox.length = 0;
    this.#inboxBytes = 0;
    this.#drained();
    queueMicrotask(() => this.#deliverClose());
  }

  #deliverClose(): void {
    if (this.#handlers === undefined || this.#closeDelivered) return;
    this.#closeDelivered = true;
    this.#handlers.onClose(this.#closeError);
  }
}

/**
 * Two connected transports, for running both ends of a WebSocket in one process (`app.connect`).
 *
 * @example
 * ```ts
 * const [server, client] = memoryPipe();
 * ```
 */
export function memoryPipe(): [WebSocketTransport, WebSocketTransport] {
  const a = new MemoryEnd();
  const b = new MemoryEnd();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
