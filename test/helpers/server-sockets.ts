/**
 * Sees the server side of in-process connections through Node's `net.server.socket` diagnostics
 * channel, so a test can wait until the server has *read* the bytes it wrote before writing more:
 * the only way to be sure that pieces of a split request reach the server as separate reads, on a
 * loaded machine where the kernel would otherwise merge them.
 */
import diagnostics from 'node:diagnostics_channel';
import type { Socket } from 'node:net';

export class ServerSockets {
  /** Accepted sockets by their remote port (the client's local port). */
  readonly #byPort = new Map<number, Socket>();
  readonly #waiting = new Map<number, (socket: Socket) => void>();
  readonly #onSocket = (message: unknown): void => {
    const socket = (message as { socket: Socket }).socket;
    const port = socket.remotePort;
    if (port === undefined) return;
    this.#byPort.set(port, socket);
    socket.once('close', () => this.#byPort.delete(port));
    this.#waiting.get(port)?.(socket);
    this.#waiting.delete(port);
  };

  constructor() {
    diagnostics.subscribe('net.server.socket', this.#onSocket);
  }

  /** Stops watching. */
  dispose(): void {
    diagnostics.unsubscribe('net.server.socket', this.#onSocket);
  }

  /** The server's socket of the connection whose client side has local port `port`. */
  socketFor(port: number, timeoutMs = 5_000): Promise<Socket> {
    const known = this.#byPort.get(port);
    if (known !== undefined) return Promise.resolve(known);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(port);
        reject(new Error(`the server never accepted the connection from port ${port}`));
      }, timeoutMs);
      this.#waiting.set(port, (socket) => {
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
