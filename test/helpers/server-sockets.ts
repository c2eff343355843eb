/**
 * Sees the server side of in-process connections through Node's `net.server.socket` diagnostics
 * channel, so a test can wait until the server has *read* the bytes it wrote before writing more:
 * the only way to be sure that pieces of a split request reach the server as separate reads, on a
 * loaded machine where the kernel would otherwise merge them.
 */
import diagnostics from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

/**
 * A connection's key on both sides: the server's port and the client's. The client's port alone is
 * not enough when several servers in the process are watched: one local port can be connected to
 * two of them at once.
 */
const key = (serverPort: number | undefined, clientPort: number | undefined): string => `${serverPort}:${clientPort}`;

export class ServerSockets {
  /** Accepted sockets by connection key. */
  readonly #byKey = new Map<string, Socket>();
  readonly #waiting = new Map<string, (socket: Socket) => void>();
  readonly #onSocket = (message: unknown): void => {
    const socket = (message as { socket: Socket }).socket;
    if (socket.remotePort === undefined) return;
    const k = key(socket.localPort, socket.remotePort);
    this.#byKey.set(k, socket);
    socket.once('close', () => {
      if (this.#byKey.get(k) === socket) this.#byKey.delete(k);
    });
    this.#waiting.get(k)?.(socket);
    this.#waiting.delete(k);
  };

  constructor() {
    diagnostics.subscribe('net.server.socket', this.#onSocket);
  }

  /** Stops watching. */
  dispose(): void {
    diagnostics.unsubscribe('net.server.socket', this.#onSocket);
  }

  /** The server's socket of the connection whose client side is `client` (connected). */
  socketFor(client: Socket, timeoutMs = 5_000): Promise<Socket> {
    const k = key(client.remotePort, client.localPort);
    const known = this.#byKey.get(k);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(k);
        reject(new Error(`the server never accepted the connection ${k}`));
      }, timeoutMs);
      this.#waiting.set(k, (socket) => {
        clearTimeout(timer);
        resolve(socket);
      });
    });
  }

  /**
   * Resolves once the server has read at least `bytes` bytes from `socket` (or the socket is done
   * reading, or `timeoutMs` passed: the caller goes on and the outcome tells).
   */
  static read(socket: Socket, bytes: number, timeoutMs = 2_000): Promise<void> {
    const done = (): boolean => socket.bytesRead >= bytes || socket.destroyed || socket.readableEnded;
    if (done()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (!done()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        resolve();
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        socket.off('data', check);
        socket.off('close', check);
        socket.off('end', check);
      };
      // Adding a 'data' listener to a flowing socket changes nothing; a paused one stays paused.
      socket.on('data', check);
      socket.on('close', check);
      socket.on('end', check);
    });
  }
}
