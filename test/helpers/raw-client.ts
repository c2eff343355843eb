/**
 * A raw `node:net` client for server tests (docs/architecture.md, Tests: raw bytes over a real socket). It
 * writes exactly the bytes it is given, keeps everything it receives, and notes whether the server
 * ended its side (EOF), reset the connection, or both sides are closed.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { type ConnectionOptions, type TLSSocket, connect as tlsConnect } from 'node:tls';
import { type RawResponse, type ReadOptions, readResponses } from './response-reader.js';

export class RawClient {
  readonly socket: Socket;
  /** Everything received, in one buffer grown by doubling (large responses stay linear to collect). */
  #buf = Buffer.alloc(0);
  #length = 0;
  /** The server ended its side (we read EOF). */
  eof = false;
  /** The socket is closed (both sides, or destroyed). */
  closed = false;
  /** A socket error (ECONNRESET, EPIPE, …), if any. */
  error: (Error & { code?: string }) | undefined;
  /** When the last byte arrived (performance.now()). */
  lastDataAt = 0;
  readonly #wakers = new Set<() => void>();

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      if (this.#length + chunk.length > this.#buf.length) {
        const grown = Buffer.allocUnsafe(Math.max(this.#length + chunk.length, this.#buf.length * 2, 4096));
        this.#buf.copy(grown, 0, 0, this.#length);
        this.#buf = grown;
      }
      chunk.copy(this.#buf, this.#length);
      this.#length += chunk.length;
      this.lastDataAt = performance.now();
      this.#wake();
    });
    socket.on('end', () => {
      this.eof = true;
      this.#wake();
    });
    socket.on('error', (error) => {
      this.error = error;
      this.#wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
  }

  /** Connects with Nagle off, so every write leaves as its own segment. */
  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ port, host, allowHalfOpen: true, noDelay: true });
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new RawClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /**
   * Connects over TLS (to 127.0.0.1 unless `options.host` says otherwise) and resolves once the
   * handshake is done; rejects with the handshake's error (or a close before it finished).
   */
  static connectTls(port: number, options: ConnectionOptions = {}): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = tlsConnect({ ...options, host: options.host ?? '127.0.0.1', port });
      const fail = (error?: Error): void => reject(error ?? new Error('closed during the TLS handshake'));
      socket.once('secureConnect', () => {
        socket.off('error', fail);
        socket.off('close', onClose);
        resolve(new RawClient(socket));
      });
      const onClose = (): void => fail();
      socket.once('error', fail);
      socket.once('close', onClose);
    });
  }

  /** The TLS socket of a {@link RawClient.connectTls} client. */
  get tls(): TLSSocket {
    return this.socket as TLSSocket;
  }

  /** Everything received so far (a view: later data never changes the bytes it shows). */
  get data(): Buffer {
    return this.#buf.subarray(0, this.#length);
  }

  /** Received bytes as latin1 text. */
  get text(): string {
    return this.data.toString('latin1');
  }

  /** The start of what was received, for failure messages. */
  #excerpt(): string {
    return JSON.stringify(this.data.subarray(0, 2000).toString('latin1'));
  }

  /** The server closed (EOF, reset or full close). */
  get ended(): boolean {
    return this.eof || this.closed || this.error !== undefined;
  }

  /** Writes and resolves once the bytes are handed to the kernel; false if the socket refused them. */
  write(data: string | Uint8Array): Promise<boolean> {
    if (this.socket.destroyed || this.socket.writableEnded) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, (error) => resolve(!error));
    });
  }

  /** Half-closes our side. */
  end(): void {
    if (!this.socket.destroyed) this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** Waits until `predicate` holds (re-checked on every event), or fails after `timeoutMs`. */
  async until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!predicate()) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; received ${this.#excerpt()}`);
      // Woken by any socket event; polled too, for predicates about things other than this socket.
      await this.#next(Math.min(left, 20));
    }
  }

  /** Waits for any event (data, EOF, error, close) or `ms`. */
  #next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.#wakers.delete(done);
        resolve();
      }
      this.#wakers.add(done);
    });
  }

  /** Waits for an event or `ms`, whichever comes first (for quiet-period checks). */
  settle(ms: number): Promise<void> {
    return this.#next(ms);
  }

  /** Every complete response received so far. */
  responses(options: Omit<ReadOptions, 'eof'> = {}): RawResponse[] {
    const result = readResponses(this.data, { ...options, eof: this.ended });
    if (result.error !== undefined) throw new Error(`${result.error} in ${this.#excerpt()}`);
    return result.responses;
  }

  /** Final (non-1xx) responses received so far. */
  finals(options: Omit<ReadOptions, 'eof'> = {}): RawResponse[] {
    return this.responses(options).filter((r) => !r.interim);
  }

  /** Waits for `n` final responses and returns them (fails if the server closes first). */
  async read(n = 1, options: Omit<ReadOptions, 'eof'> = {}, timeoutMs = 10_000): Promise<RawResponse[]> {
    await this.until(() => this.finals(options).length >= n || this.ended, `${n} response(s)`, timeoutMs);
    const finals = this.finals(options);
    if (finals.length < n) {
      throw new Error(`connection ended after ${finals.length} of ${n} responses: ${this.#excerpt()}`);
    }
    return finals;
  }

  /** Waits until the server has closed its side (EOF or reset). */
  async waitEnded(timeoutMs = 10_000): Promise<void> {
    await this.until(() => this.ended, 'the server to close the connection', timeoutMs);
  }

  /**
   * True if the server neither closed nor sent anything for `ms` (the connection is idle and open).
   * Only ever used as "still open after a while", never as a timing assertion.
   */
  async staysOpen(ms = 300): Promise<boolean> {
    const before = this.data.length;
    const deadline = performance.now() + ms;
    while (!this.ended && this.data.length === before) {
      const left = deadline - performance.now();
      if (left <= 0) return true;
      await this.#next(left);
    }
    return false;
  }

  #wake(): void {
    for (const wake of [...this.#wakers]) wake();
  }
}

/** A request with the given method and target, Host set, plus extra header lines (`Name: value`). */
export function request(method: string, target: string, extra: string[] = [], body = ''): string {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: test', ...extra];
  if (body !== '' && !extra.some((l) => /^(content-length|transfer-encoding):/i.test(l))) {
    lines.push(`Content-Length: ${Buffer.byteLength(body, 'latin1')}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}
