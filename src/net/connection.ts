/**
 * `Connection`: one TCP (or Unix, or TLS) stream with pull reads, a push mode for protocol engines,
 * writes that honour backpressure, half-close, and an idle timeout on the shared timer wheel.
 */
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { type SocketAddress, TimeoutError, type WirekitError } from '../errors.js';
import { type Deferred, deferred } from '../util/deferred.js';
import { OptionsSchema, object } from '../util/options.js';
import { type TimerHandle, timerWheel } from '../util/timer-wheel.js';
import { closedError, type Endpoints, endpointsOf, netError, type UnixPaths } from './addresses.js';
import { CONNECTION_SPECS, checkBytes, checkDuration, checkInteger } from './options.js';
import type { ProxiedEndpoints } from './proxy-header.js';
import { ReadBuffer, type ReceiveHandlers } from './read-buffer.js';
import { SocketSource } from './socket-source.js';
import { type TlsInfo, tlsInfoOf } from './tls/info.js';

/** The options of `Connection.from()` (listen and connect check theirs before they make one). */
const CONNECTION_OPTIONS = new OptionsSchema<ConnectionOptions>('Connection.from()', {
  ...CONNECTION_SPECS,
  unix: object(),
  proxied: object(),
});

export type { ReceiveHandlers } from './read-buffer.js';

/**
 * Default unread bytes held before the socket is paused: 64 KiB.
 *
 * @example
 * ```ts
 * await listen({ readHighWaterBytes: DEFAULT_READ_HIGH_WATER_BYTES * 4 }, handler);
 * ```
 */
export const DEFAULT_READ_HIGH_WATER_BYTES = 64 * 1024;
/**
 * Default `maxBytes` of {@link Connection.readUntil}: 64 KiB.
 *
 * @example
 * ```ts
 * await conn.readUntil('\r\n\r\n', { maxBytes: DEFAULT_READ_UNTIL_MAX_BYTES / 8 });
 * ```
 */
export const DEFAULT_READ_UNTIL_MAX_BYTES = 64 * 1024;
/**
 * Default `timeoutMs` of {@link Connection.close}: 10 seconds for the peer to close its side.
 *
 * @example
 * ```ts
 * await conn.close({ timeoutMs: DEFAULT_CLOSE_TIMEOUT_MS * 3 });
 * ```
 */
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

/**
 * Options of a {@link Connection} (also accepted by `listen` and `connect`).
 *
 * @example
 * ```ts
 * const conn = Connection.from(socket, { idleTimeoutMs: 30_000, readHighWaterBytes: 16 * 1024, allowHalfOpen: true });
 * ```
 */
export interface ConnectionOptions {
  /** Destroy the connection after this long without reading or writing anything. Default: none (0). */
  idleTimeoutMs?: number;
  /** Unread bytes held before the socket is paused (reads resume it). Default 64 KiB. */
  readHighWaterBytes?: number;
  /**
   * Keep our side open after the peer ends its side. Default false: once the application has seen
   * the peer's EOF (a read returned null, or `onEnd` ran), the connection ends its side too, after
   * the writes already made.
   */
  allowHalfOpen?: boolean;
  /** Disable Nagle's algorithm (`setNoDelay`). Default: left as the socket has it. */
  noDelay?: boolean;
  /** Paths to report as endpoints of a Unix socket connection (Node reports none). */
  unix?: UnixPaths;
  /**
   * The endpoints a PROXY protocol header gave (a listener with `proxyProtocol`): reported as
   * `remoteAddress`/`localAddress`, the socket's own peer as `proxiedBy`.
   */
  proxied?: ProxiedEndpoints;
}

/**
 * Options of {@link Connection.readUntil}.
 *
 * @example
 * ```ts
 * const head = await conn.readUntil('\r\n\r\n', { maxBytes: 8 * 1024 });
 * ```
 */
export interface ReadUntilOptions {
  /** Most bytes allowed before the delimiter. Default 64 KiB; more → `WK_ERR_READ_LIMIT`. */
  maxBytes?: number;
}

/**
 * Options of {@link Connection.close}.
 *
 * @example
 * ```ts
 * await conn.close({ timeoutMs: 1_000 });
 * ```
 */
export interface CloseOptions {
  /** Destroy the socket if it has not closed after this long (`WK_ERR_CLOSE_TIMEOUT`). Default 10 s. */
  timeoutMs?: number;
}

const noop = (): void => {};
const KEEP_ALIVE = { keepAlive: true };
/** The socket's own connection, for the listeners every connection shares (no closure per socket). */
const kConnection: unique symbol = Symbol('wirekit.connection');
type OwnedSocket = Socket & { [kConnection]: Connection };
/** The socket listeners every connection shares (set in Connection's static block: they reach its state). */
let listeners: {
  connect(this: OwnedSocket): void;
  data(this: OwnedSocket, chunk: Buffer): void;
  end(this: OwnedSocket): void;
  drain(this: OwnedSocket): void;
  error(this: OwnedSocket, error: Error): void;
  close(this: OwnedSocket): void;
};

/**
 * Told once when a connection's socket has closed (the engines and servers that track it): an object
 * with a method, so a connection costs no closure and no promise per observer.
 */
export interface CloseObserver {
  connectionClosed(conn: Connection): void;
}

/**
 * A connected stream socket with an async API. Reads come in two modes:
 * - **pull** (default): `read()`, `readExactly()`, `readUntil()` and `for await`; one read at a time.
 * - **push**: `receive({ onData, onEnd })` hands every chunk to a callback with no promise per chunk,
 *   with `pause()` / `resume()` for backpressure (the protocol engines use this).
 *
 * Unread bytes are buffered up to `readHighWaterBytes` (plus at most one chunk), then the socket is
 * paused until something reads: memory stays bounded whatever the peer sends.
 *
 * Breaking out of `for await (const chunk of conn)` does **not** close the connection: the
 * iterator only reads. Call `close()` (or `end()`/`destroy()`) when done.
 *
 * @example
 * ```ts
 * const conn = await connect({ port: 7000 });
 * await conn.write('hello\n');
 * const reply = await conn.readUntil('\n');
 * console.log(new TextDecoder().decode(reply));
 * await conn.close();
 * ```
 */
export class Connection implements AsyncIterable<Uint8Array>, AsyncDisposable {
  /** The underlying socket, for upgrades and TLS. Reading it directly bypasses this connection's buffer. */
  readonly socket: Socket;
  readonly #reader: ReadBuffer;
  readonly #unix: UnixPaths | undefined;
  readonly #proxied: ProxiedEndpoints | undefined;
  /** Made on first use of `closed`: most connections are only watched by {@link CloseObserver}s. */
  #closed: Deferred<void> | undefined;
  #isClosed = false;
  /** One observer, or several (a server and its protocol engine watch each connection). */
  #closeObservers: CloseObserver | CloseObserver[] | undefined;
  #endpoints: Endpoints = { localAddress: undefined, remoteAddress: undefined };
  #error: WirekitError | undefined;
  #drain: Deferred<void> | undefined;
  #idleMs = 0;
  #idleHandle: TimerHandle | undefined;
  #lastActivity = 0;
  #tls: TlsInfo | undefined;

  /**
   * Wraps a connected (or connecting) `net.Socket` or `tls.TLSSocket`. The connection takes over
   * the socket's reading and its half-close policy.
   *
   * @example
   * ```ts
   * const conn = Connection.from(tls.connect({ host: 'example.com', port: 443 }), { idleTimeoutMs: 30_000 });
   * ```
   */
  static from(socket: Socket, options: ConnectionOptions = {}): Connection {
    return new Connection(socket, CONNECTION_OPTIONS.check(options));
  }

  /** Same as {@link Connection.from}. */
  constructor(socket: Socket, options: ConnectionOptions = {}) {
    checkBytes('readHighWaterBytes', options.readHighWaterBytes);
    checkDuration('idleTimeoutMs', options.idleTimeoutMs);
    this.socket = socket;
    this.#unix = options.unix;
    this.#proxied = options.proxied;
    // Node would end our side as soon as the peer's FIN arrives, even with unread data; we end it
    // when the application has seen that EOF instead (see ConnectionOptions.allowHalfOpen).
    socket.allowHalfOpen = true;
    const source = new SocketSource(this, options.allowHalfOpen ?? false);
    this.#reader = new ReadBuffer(source, options.readHighWaterBytes ?? DEFAULT_READ_HIGH_WATER_BYTES);
    this.#listen();
    if (options.noDelay !== undefined) socket.setNoDelay(options.noDelay);
    if (options.idleTimeoutMs !== undefined) this.idleTimeoutMs = options.idleTimeoutMs;
  }

  /** Resolves when the socket is fully closed (never rejects). */
  get closed(): Promise<void> {
    if (this.#isClosed) return Promise.resolve();
    this.#closed ??= deferred<void>();
    return this.#closed.promise;
  }

  /**
   * @internal Tells `observer` once the socket has closed (at once, from a microtask, if it already has).
   * Cheaper than `closed.then()` for the servers that watch every connection.
   */
  observeClose(observer: CloseObserver): void {
    if (this.#isClosed) {
      queueMicrotask(() => observer.connectionClosed(this));
      return;
    }
    const observers = this.#closeObservers;
    if (observers === undefined) this.#closeObservers = observer;
    else if (Array.isArray(observers)) observers.push(observer);
    else this.#closeObservers = [observers, observer];
  }

  /** @internal Stops telling `observer` of the close (it let go of the connection). */
  unobserveClose(observer: CloseObserver): void {
    const observers = this.#closeObservers;
    if (observers === observer) this.#closeObservers = undefined;
    else if (Array.isArray(observers)) {
      const at = observers.indexOf(observer);
      if (at !== -1) observers.splice(at, 1);
    }
  }

  // ---- reads ----

  /** The next chunk as it arrived, or null once the peer has ended and everything was read. */
  read(): Promise<Uint8Array | null> {
    return this.#reader.read();
  }

  /** Exactly `n` bytes. Rejects `WK_ERR_UNEXPECTED_EOF` if the peer ends first (the bytes stay unread). */
  readExactly(n: number): Promise<Uint8Array> {
    checkInteger('n', n, 0, Number.MAX_SAFE_INTEGER);
    return this.#reader.readExactly(n);
  }

  /**
   * The bytes before the next `delimiter`; the delimiter is consumed and not returned.
   * Rejects `WK_ERR_READ_LIMIT` (a `LimitError`) when more than `maxBytes` bytes come before it,
   * leaving those bytes unread, and `WK_ERR_UNEXPECTED_EOF` if the peer ends first.
   */
  readUntil(delimiter: string | Uint8Array, options: ReadUntilOptions = {}): Promise<Uint8Array> {
    checkBytes('maxBytes', options.maxBytes, 0);
    return this.#reader.readUntil(delimiter, options.maxBytes ?? DEFAULT_READ_UNTIL_MAX_BYTES);
  }

  /** Puts bytes back at the front of the read buffer: the next read returns them first. */
  unshift(bytes: Uint8Array): void {
    this.#reader.unshift(bytes);
  }

  /** Yields chunks until the peer ends. Breaking out of the loop leaves the connection open. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      const chunk = await this.#reader.read();
      if (chunk === null) return;
      yield chunk;
    }
  }

  /**
   * Switches to push mode: every chunk goes to `onData` (bytes already buffered first, from a
   * microtask), then `onEnd` once. Pull reads are refused from then on (`WK_ERR_READ_BUSY`).
   */
  receive(handlers: ReceiveHandlers): void {
    this.#reader.receive(handlers);
  }

  /**
   * @internal Push mode: hands later chunks, the end and errors to `handlers` instead of those
   * given to {@link Connection.receive} (the new owner of an upgraded connection).
   */
  redirect(handlers: ReceiveHandlers): void {
    this.#reader.redirect(handlers);
  }

  /** Push mode: stop delivering chunks and stop reading from the socket. No effect in pull mode. */
  pause(): void {
    this.#reader.pause();
  }

  /** Push mode: deliver held-back chunks (from a microtask) and read from the socket again. */
  resume(): void {
    this.#reader.resume();
  }

  // ---- writes ----

  /**
   * Writes bytes (or a string as UTF-8). Resolves once the data is handed to the kernel and the
   * socket's write buffer is below its high-water mark (it waits for 'drain'); a peer that does not
   * read keeps it pending. Rejects `WK_ERR_SOCKET_CLOSED` or `WK_ERR_SOCKET` if the socket dies.
   */
  write(data: string | Uint8Array): Promise<void> {
    const refused = this.#writeRefusal();
    if (refused !== undefined) return Promise.reject(refused);
    this.#touch();
    return new Promise((resolve, reject) => {
      this.socket.write(data, (error) => {
        if (error) reject(this.#writeError(error));
        else if (this.socket.writableNeedDrain) this.drained().then(resolve, reject);
        else resolve();
      });
    });
  }

  /**
   * Writes without a promise, for hot loops: returns `socket.write`'s answer (false = buffer over its
   * high-water mark; wait for {@link Connection.drained}). Returns false and writes nothing when
   * the connection is closed. Failures surface on the next read, write or `drained()`. A string is
   * encoded with `encoding` (UTF-8 by default; latin1 writes each character as one byte).
   */
  send(data: string | Uint8Array, encoding: 'utf8' | 'latin1' = 'utf8'): boolean {
    if (this.#writeRefusal() !== undefined) return false;
    this.#touch();
    return typeof data === 'string' ? this.socket.write(data, encoding) : this.socket.write(data);
  }

  /** Resolves when the write buffer is below its high-water mark; rejects if the socket dies first. */
  drained(): Promise<void> {
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.socket.destroyed) return Promise.reject(closedError(this.#endpoints));
    if (!this.socket.writableNeedDrain) return Promise.resolve();
    this.#drain ??= deferred<void>();
    return this.#drain.promise;
  }

  /** Buffers writes until {@link Connection.uncork}, so several writes leave in one syscall. */
  cork(): void {
    this.socket.cork();
  }

  /** Flushes what was written since {@link Connection.cork}. */
  uncork(): void {
    this.socket.uncork();
  }

  // ---- ending ----

  /** Half-close: writes `data` if given, then ends our side. Resolves once everything is flushed. */
  end(data?: string | Uint8Array): Promise<void> {
    const socket = this.socket;
    if (socket.writableFinished) return Promise.resolve();
    if (socket.destroyed) return Promise.reject(this.#error ?? closedError(this.#endpoints));
    if (data !== undefined) this.#touch();
    const finished = new Promise<void>((resolve, reject) => {
      const settle = (): void => {
        socket.off('finish', settle);
        socket.off('close', settle);
        if (socket.writableFinished) resolve();
        else reject(this.#error ?? closedError(this.#endpoints));
      };
      socket.on('finish', settle);
      socket.on('close', settle);
    });
    if (!socket.writableEnded) {
      if (data === undefined) socket.end();
      else socket.end(data);
    }
    return finished;
  }

  /**
   * Ends our side, stops reading (unread and incoming bytes are dropped, pending reads reject
   * `WK_ERR_SOCKET_CLOSED`) and resolves when the socket is closed. The socket is destroyed if the
   * peer has not closed its side within `timeoutMs` (default {@link DEFAULT_CLOSE_TIMEOUT_MS}).
   */
  async close(options: CloseOptions = {}): Promise<void> {
    checkDuration('timeoutMs', options.timeoutMs);
    if (this.socket.closed) return;
    this.#reader.discard(closedError(this.#endpoints));
    this.end().catch(noop);
    const timeoutMs = options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    // keepAlive: a paused socket does not hold the process open; whoever awaits close() must see it end.
    const deadline = timerWheel.after(timeoutMs, () => this.#closeTimedOut(timeoutMs), KEEP_ALIVE);
    await this.closed;
    deadline.cancel();
  }

  /** Same as {@link Connection.close} with its default timeout. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Destroys the socket now. With `error`, pending and later reads and writes reject with it
   * (wrapped as a `NetError` `WK_ERR_SOCKET` unless it is already a wirekit error).
   */
  destroy(error?: unknown): void {
    if (error !== undefined && !this.socket.destroyed) this.#fail(netError('WK_ERR_SOCKET', error, this.#endpoints));
    this.socket.destroy();
  }

  /**
   * Hands the socket to another engine that reads it itself (node:http2 serving a connection that
   * turned out to speak HTTP/2): this connection stops reading it, and the bytes it had received
   * and not delivered go back into the socket's own buffer, so the socket is left paused and as if
   * nobody had read it. Writes, `destroy()` and `closed` still work (a server still counts the
   * connection until it closes); reads reject `WK_ERR_SOCKET_CLOSED`; the idle timeout stops.
   *
   * @example
   * ```ts
   * const first = await conn.read();
   * if (first !== null) conn.unshift(first);
   * http2Server.emit('connection', conn.detach());
   * ```
   */
  detach(): Socket {
    const socket = this.socket;
    // Paused before the listener goes: a flowing socket with no 'data' listener would drop bytes.
    socket.pause();
    socket.off('data', listeners.data);
    socket.off('end', listeners.end);
    this.idleTimeoutMs = 0;
    const unread = this.#reader.detach(closedError(this.#endpoints));
    if (unread.length > 0) socket.unshift(unread.length === 1 ? (unread[0] as Uint8Array) : Buffer.concat(unread));
    return socket;
  }

  // ---- socket settings and facts ----

  /** Enables or disables Nagle's algorithm (true = send small writes at once). */
  setNoDelay(noDelay = true): void {
    this.socket.setNoDelay(noDelay);
  }

  /** Enables TCP keep-alive probes after `initialDelayMs` of silence. */
  setKeepAlive(enable: boolean, initialDelayMs = 0): void {
    this.socket.setKeepAlive(enable, initialDelayMs);
  }

  /** The peer's endpoint, once connected. */
  get remoteAddress(): SocketAddress | undefined {
    return this.#endpoints.remoteAddress;
  }

  /** Our endpoint, once connected. */
  get localAddress(): SocketAddress | undefined {
    return this.#endpoints.localAddress;
  }

  /** On a listener with `proxyProtocol`: the proxy the connection came through (its socket's peer). */
  get proxiedBy(): SocketAddress | undefined {
    return this.#proxied?.proxiedBy;
  }

  /**
   * What TLS negotiated (protocol, cipher, ALPN, server name, the peer's certificate), or undefined
   * on a plain TCP connection. Read from the socket on first access.
   */
  get tls(): TlsInfo | undefined {
    // `encrypted` marks a TLSSocket (Node documents it for this); no node:tls import for a plain server.
    if (this.#tls === undefined && (this.socket as Partial<TLSSocket>).encrypted === true) {
      this.#tls = tlsInfoOf(this.socket as TLSSocket);
    }
    return this.#tls;
  }

  /** Bytes received from the peer. */
  get bytesRead(): number {
    return this.socket.bytesRead;
  }

  /** Bytes written (including bytes still in the write buffer). */
  get bytesWritten(): number {
    return this.socket.bytesWritten;
  }

  /** Bytes received and not read yet. */
  get bufferedBytes(): number {
    return this.#reader.bufferedBytes;
  }

  /** True when a pull read waits for the peer with nothing buffered either way (safe to end). */
  get waitingForPeer(): boolean {
    return this.#reader.waitingForPeer && this.socket.writableLength === 0;
  }

  /** The idle timeout in milliseconds (0 = none). Setting it restarts the count from now. */
  get idleTimeoutMs(): number {
    return this.#idleMs;
  }

  set idleTimeoutMs(ms: number) {
    checkDuration('idleTimeoutMs', ms);
    this.#idleMs = ms;
    this.#idleHandle?.cancel();
    this.#idleHandle = undefined;
    if (ms === 0 || this.socket.destroyed) return;
    this.#lastActivity = timerWheel.now();
    this.#idleHandle = timerWheel.after(ms, () => this.#checkIdle());
  }

  // ---- internals ----

  #closeTimedOut(timeoutMs: number): void {
    this.destroy(new TimeoutError('WK_ERR_CLOSE_TIMEOUT', `close took more than ${timeoutMs} ms`, this.#endpoints));
  }

  #touch(): void {
    // One clock read per chunk; the wheel entry is only moved when it fires (see timer-wheel.ts).
    if (this.#idleMs > 0) this.#lastActivity = timerWheel.now();
  }

  #checkIdle(): void {
    const due = this.#lastActivity + this.#idleMs;
    if (due > timerWheel.now()) {
      this.#idleHandle?.refresh(due);
      return;
    }
    const error = new TimeoutError('WK_ERR_IDLE_TIMEOUT', `no activity for ${this.#idleMs} ms`, this.#endpoints);
    this.destroy(error);
  }

  #fail(error: WirekitError): void {
    this.#error ??= error;
    this.#reader.fail(this.#error);
  }

  #writeRefusal(): WirekitError | undefined {
    if (this.#error !== undefined) return this.#error;
    if (this.socket.destroyed || this.socket.writableEnded) return closedError(this.#endpoints);
    return undefined;
  }

  #writeError(error: Error & { code?: string }): WirekitError {
    if (this.#error !== undefined) return this.#error;
    if (error.code === 'ERR_STREAM_DESTROYED' || error.code === 'ERR_STREAM_WRITE_AFTER_END') {
      return closedError(this.#endpoints);
    }
    return netError('WK_ERR_SOCKET', error, this.#endpoints);
  }

  /** Where the socket's endpoints come from: a PROXY header's, else the socket's own. */
  #learnEndpoints(): void {
    const proxied = this.#proxied;
    this.#endpoints =
      proxied === undefined
        ? endpointsOf(this.socket, this.#unix)
        : { remoteAddress: proxied.remoteAddress, localAddress: proxied.localAddress };
  }

  #listen(): void {
    const socket = this.socket as OwnedSocket;
    socket[kConnection] = this;
    if (socket.connecting) socket.once('connect', listeners.connect);
    else this.#learnEndpoints();
    // One listener function per event for every connection, finding its connection on the socket.
    socket.on('data', listeners.data);
    // A socket handed over paused (pauseOnConnect, an upgrade) must flow: the read buffer decides
    // from now on when to pause it.
    if (socket.isPaused()) socket.resume();
    socket.on('end', listeners.end);
    socket.on('drain', listeners.drain);
    socket.on('error', listeners.error);
    socket.on('close', listeners.close);
    if (socket.closed) this.#socketClosed();
  }

  static {
    listeners = {
      connect() {
        this[kConnection].#learnEndpoints();
      },
      data(chunk) {
        const conn = this[kConnection];
        conn.#touch();
        conn.#reader.push(chunk);
      },
      end() {
        this[kConnection].#reader.end();
      },
      drain() {
        this[kConnection].#settleDrain();
      },
      error(error) {
        const conn = this[kConnection];
        conn.#fail(netError('WK_ERR_SOCKET', error, conn.#endpoints));
      },
      close() {
        this[kConnection].#socketClosed();
      },
    };
  }

  #socketClosed(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#idleHandle?.cancel();
    this.#idleHandle = undefined;
    // After a clean EOF the unread bytes stay readable; otherwise reads fail.
    if (!this.#reader.ended) this.#reader.fail(this.#error ?? closedError(this.#endpoints));
    this.#settleDrain();
    this.#closed?.resolve();
    const observers = this.#closeObservers;
    this.#closeObservers = undefined;
    if (Array.isArray(observers)) for (const observer of observers) observer.connectionClosed(this);
    else observers?.connectionClosed(this);
  }

  #settleDrain(): void {
    const drain = this.#drain;
    if (drain === undefined) return;
    this.#drain = undefined;
    if (this.socket.destroyed) drain.reject(this.#error ?? closedError(this.#endpoints));
    else drain.resolve();
  }
}
