/** `listen()` and `Server`: accept TCP or Unix socket connections, and close gracefully. */
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { isWirekitError, type SocketAddress, TimeoutError, WirekitError } from '../errors.js';
import { type Deferred, deferred } from '../util/deferred.js';
import { anyOf, boolean, func, instanceOf, integer, OptionsSchema, object, port, string } from '../util/options.js';
import { type TimerHandle, timerWheel } from '../util/timer-wheel.js';
import { processWarnings } from '../util/warning-limiter.js';
import { abortedError, endpoint, netError } from './addresses.js';
import { type CloseObserver, Connection, type ConnectionOptions } from './connection.js';
import { CONNECTION_SPECS, checkDuration } from './options.js';
import { addressInUseHint } from './port-holder.js';
import {
  type ProxiedEndpoints,
  type ProxyProtocolOptions,
  proxyProtocolOptions,
  readProxyHeader,
} from './proxy-header.js';
import { checkTlsOptions, type TlsListenOptions } from './tls/options.js';
import type { CertificateUpdate, TlsAcceptor, TlsStats } from './tls/tls-acceptor.js';

/**
 * Handles one accepted connection; may be async. A throw or rejection destroys that connection.
 *
 * @example
 * ```ts
 * const handler: ConnectionHandler = async (conn) => { await conn.end('bye\n'); };
 * ```
 */
export type ConnectionHandler = (conn: Connection) => void | Promise<void>;

/**
 * Options of {@link listen}.
 *
 * @example
 * ```ts
 * await listen({ port: 8080, host: '0.0.0.0', idleTimeoutMs: 60_000, maxConnections: 1000 }, handler);
 * ```
 */
export interface ListenOptions extends Omit<ConnectionOptions, 'unix' | 'proxied'> {
  /**
   * Destroy a connection after this long without reading or writing anything
   * (`WK_ERR_IDLE_TIMEOUT`). Default {@link DEFAULT_SERVER_IDLE_TIMEOUT_MS} (5 minutes): a silent
   * client cannot hold a socket forever. 0 turns it off (protocols that keep their own timers).
   */
  idleTimeoutMs?: number;
  /** The port to listen on. Default 0: any free port (read it from `server.address.port`). */
  port?: number;
  /** The address to listen on. Default `'127.0.0.1'`: loopback only unless you say otherwise. */
  host?: string;
  /** A Unix socket path to listen on instead of `host`/`port` (removed again on close). */
  path?: string;
  /** With an IPv6 `host` such as `'::'`, refuse IPv4-mapped connections. Default false. */
  ipv6Only?: boolean;
  /** Length of the kernel's queue of connections not yet accepted. Default: Node's (511). */
  backlog?: number;
  /** Connections over this many are closed as soon as they are accepted. Default: no limit. */
  maxConnections?: number;
  /** Disable Nagle's algorithm on accepted sockets. Default true. */
  noDelay?: boolean;
  /** Aborting it closes the server like `close()` (or cancels the listen with `WK_ERR_ABORTED`). */
  signal?: AbortSignal;
  /**
   * Every connection starts with a PROXY protocol header (v1 or v2, as HAProxy's `send-proxy` and
   * nginx's `proxy_protocol on` write it): the connection reports the client's address from it as
   * `remoteAddress` and the proxy's as `proxiedBy`. A connection without a valid header within
   * `headerTimeoutMs` (default 5 s) is closed (`WK_ERR_PROXY_PROTOCOL`, told to `onError`). Only
   * for listeners that nothing but your proxies can reach. Default false.
   */
  proxyProtocol?: boolean | ProxyProtocolOptions;
  /**
   * Let other sockets (other processes: a cluster's workers) listen on the same address and port,
   * the kernel spreading connections among them (`SO_REUSEPORT`; Linux, FreeBSD 12+ and DragonFly;
   * Node 22.12 / 23.1 or later, refused with `WK_ERR_INVALID_ARGUMENT` before). Default false.
   */
  reusePort?: boolean;
  /**
   * Listen on an existing listening socket instead of binding: a handle received from another
   * process over IPC (`process.on('message', (m, handle) => …)`), as `net.Server#listen(handle)`
   * takes it. `port`/`host`/`path` then only name it in errors.
   */
  handle?: object;
  /**
   * Told about errors the server cannot throw to anyone: a connection handler's throw or rejection
   * (`conn` is that connection, already destroyed), or a failure of the listening socket (`conn` is
   * undefined). Default: `process.emitWarning(error)`, rate-limited per kind (one line a minute, with
   * a count), except for handlers cut short by close()'s deadline. Never crashes the process.
   */
  onError?: (error: Error, conn: Connection | undefined) => void;
  /**
   * Speak TLS: every accepted socket does a TLS handshake first and the handler gets a `Connection`
   * over the TLS socket (`conn.tls` tells what was negotiated). Certificates are read and checked
   * before the port is bound (`WK_ERR_TLS_CREDENTIALS`).
   */
  tls?: TlsListenOptions;
}

/**
 * Options of {@link Server.close}.
 *
 * @example
 * ```ts
 * await server.close({ timeoutMs: 5_000 });
 * ```
 */
export interface ServerCloseOptions {
  /**
   * End connections that are waiting for the peer at once, and destroy whatever is still open
   * after this long (`WK_ERR_CLOSE_TIMEOUT`). Default: wait for every connection to end on its own.
   */
  timeoutMs?: number;
}

/**
 * Default idle timeout of accepted connections: 5 minutes.
 *
 * @example
 * ```ts
 * await listen({ port: 7000, idleTimeoutMs: DEFAULT_SERVER_IDLE_TIMEOUT_MS * 12 }, handler); // an hour
 * ```
 */
export const DEFAULT_SERVER_IDLE_TIMEOUT_MS = 5 * 60_000;

/** Whether `net.Server#listen` knows `reusePort` (Node 22.12 / 23.1+) on a platform with SO_REUSEPORT load balancing. */
const REUSE_PORT_SUPPORTED = (() => {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const node = major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
  return node && ['linux', 'freebsd', 'dragonfly', 'android', 'sunos'].includes(process.platform);
})();

/**
 * Whether this runtime can listen with `reusePort` (see {@link ListenOptions.reusePort}).
 *
 * @example
 * ```ts
 * await listen({ port: 8080, reusePort: canReusePort() }, handler);
 * ```
 */
export function canReusePort(): boolean {
  return REUSE_PORT_SUPPORTED;
}

/** How often a graceful close looks for connections that became idle: 100 ms. */
const DRAIN_POLL_MS = 100;

/**
 * Listens on a TCP port (IPv4 or IPv6) or a Unix socket and calls `onConnection` for every
 * accepted connection. Rejects `WK_ERR_LISTEN` (address in use, permission denied, ...) with the
 * Node error as `cause`.
 *
 * The connection's own lifetime is not tied to the handler's: it stays open until someone ends
 * it (a handler may hand it on and return). When the handler has returned and the peer ends its
 * side, the server ends ours too (unless `allowHalfOpen`), so a handler that forgets `end()` does
 * not leak half-open sockets; a connection nobody reads any more pauses at `readHighWaterBytes`
 * and cannot see the peer's end, and the idle timeout (default 5 minutes) is what closes it.
 *
 * @example
 * ```ts
 * const server = await listen({ port: 7000 }, async (conn) => {
 *   await conn.write('Hello from wirekit\n');
 *   await conn.end();
 * });
 * console.log('listening on', server.address.port);
 * ```
 */
export async function listen(given: ListenOptions, onConnection: ConnectionHandler): Promise<Server> {
  const options = LISTEN_OPTIONS.check(given);
  if (options.tls !== undefined) checkTlsOptions(options.tls);
  checkScaleOptions(options);
  const host = options.host ?? '127.0.0.1';
  const local = endpoint(host, options.port ?? 0, options.path);
  const signal = options.signal;
  if (signal?.aborted) throw abortedError(signal, { localAddress: local });
  // The server exists only once listening; TLS events cannot come before (nothing is accepted yet).
  let server: Server | undefined;
  const tls =
    options.tls === undefined
      ? undefined
      : // Loaded on demand: node:tls, node:crypto and node:fs cost memory in every plain server.
        await (await import('./tls/tls-acceptor.js')).TlsAcceptor.create(
          options.tls,
          (socket) => server?.secured(socket),
          (error) => server?.report(error),
        );
  const netServer = createServer({ allowHalfOpen: true, noDelay: options.noDelay ?? true });
  if (options.maxConnections !== undefined) netServer.maxConnections = options.maxConnections;
  // A connection can come with the listen itself: node:cluster's primary hands a queued one to a new
  // worker in the same IPC read as its listen reply, before 'listening' is emitted. Held till the Server exists.
  const early: Socket[] = [];
  const holdEarly = (socket: Socket): void => void early.push(socket);
  netServer.on('connection', holdEarly);
  try {
    await startListening(netServer, options, host, local);
  } catch (error) {
    tls?.close();
    for (const socket of early) socket.destroy();
    throw error;
  } finally {
    netServer.off('connection', holdEarly);
  }
  server = new Server(netServer, options, onConnection, tls);
  for (const socket of early) netServer.emit('connection', socket);
  return server;
}

/** The options of {@link listen} (util/options.ts: unknown keys and bad values fail at the call). */
const LISTEN_OPTIONS = new OptionsSchema<ListenOptions>('listen()', {
  ...CONNECTION_SPECS,
  port: port(),
  host: string(),
  path: string(),
  ipv6Only: boolean(),
  backlog: integer(0, 2 ** 31 - 1),
  maxConnections: integer(0),
  signal: instanceOf(AbortSignal, 'an AbortSignal'),
  onError: func(),
  tls: object(),
  proxyProtocol: anyOf(boolean(), object()),
  reusePort: boolean(),
  handle: object(),
});

/** What the schema cannot say: PROXY protocol limits, and whether this runtime has reusePort. */
function checkScaleOptions(options: ListenOptions): void {
  proxyProtocolOptions(options.proxyProtocol);
  if (options.reusePort === true && !REUSE_PORT_SUPPORTED) {
    throw new WirekitError(
      'WK_ERR_INVALID_ARGUMENT',
      `reusePort needs Node 22.12 / 23.1 or later on Linux or FreeBSD (this is Node ${process.versions.node} on ${process.platform})`,
    );
  }
}

function startListening(netServer: NetServer, options: ListenOptions, host: string, local: SocketAddress) {
  const signal = options.signal;
  return new Promise<void>((resolve, reject) => {
    const settle = (error?: Error): void => {
      netServer.off('listening', onListening);
      netServer.off('error', onError);
      signal?.removeEventListener('abort', onAbort);
      if (error === undefined) {
        resolve();
        return;
      }
      netServer.close();
      reject(error);
    };
    const onListening = (): void => settle();
    const onError = (error: Error): void => settle(listenError(error, local));
    const onAbort = (): void => settle(abortedError(signal as AbortSignal, { localAddress: local }));
    netServer.once('listening', onListening);
    netServer.once('error', onError);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (options.handle !== undefined) {
      netServer.listen(options.handle);
      return;
    }
    netServer.listen({
      ...(options.path === undefined ? { port: options.port ?? 0, host } : { path: options.path }),
      ...(options.backlog === undefined ? {} : { backlog: options.backlog }),
      ...(options.ipv6Only === undefined ? {} : { ipv6Only: options.ipv6Only }),
      // In a cluster worker, a socket of its own (not one shared through the primary).
      ...(options.reusePort === true ? { reusePort: true, exclusive: true } : {}),
    });
  });
}

/** A listen failure; EADDRINUSE says who holds the port (when the OS tells) and what to do. */
function listenError(error: Error, local: SocketAddress): WirekitError {
  const failure = netError('WK_ERR_LISTEN', error, { localAddress: local });
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE' && local.port > 0) {
    failure.message = `${failure.message}: ${addressInUseHint(local.port)}`;
  }
  return failure;
}

/**
 * A listening server, made by {@link listen}. `close()` stops accepting and resolves once every
 * connection has closed; `await using server = await listen(...)` closes it at the end of the scope.
 *
 * @example
 * ```ts
 * const server = await listen({ port: 0 }, handler);
 * process.once('SIGTERM', () => server.close({ timeoutMs: 5_000 }));
 * ```
 */
export class Server implements AsyncDisposable {
  /** Where the server listens (family `'unix'` and the path for a Unix socket). */
  readonly address: SocketAddress;
  readonly #netServer: NetServer;
  readonly #options: ListenOptions;
  readonly #onConnection: ConnectionHandler;
  readonly #connections = new Set<Connection>();
  /** Accepted sockets still sending their PROXY header (closed with the server: nobody owns them yet). */
  readonly #awaitingHeader = new Set<Socket>();
  readonly #proxyProtocol: ProxyProtocolOptions | undefined;
  /** What the PROXY header said about a raw socket, until its TLS handshake is done. */
  readonly #proxied = new WeakMap<Socket, ProxiedEndpoints>();
  /** One observer for every connection (no closure per connection). */
  readonly #closeObserver: CloseObserver = {
    connectionClosed: (conn) => {
      this.#connections.delete(conn);
      this.#checkClosed();
    },
  };
  readonly #tls: TlsAcceptor | undefined;
  /** TLS sockets a protocol engine took over (`onSecureConnection` → `'handled'`). */
  readonly #handled = new Set<TLSSocket>();
  #closed: Deferred<void> | undefined;
  #listenerClosed = false;
  #drainTimer: TimerHandle | undefined;
  #deadline = Number.POSITIVE_INFINITY;

  /** @internal Use {@link listen}. */
  constructor(netServer: NetServer, options: ListenOptions, onConnection: ConnectionHandler, tls?: TlsAcceptor) {
    this.#netServer = netServer;
    this.#options = options;
    this.#onConnection = onConnection;
    this.#proxyProtocol = proxyProtocolOptions(options.proxyProtocol);
    this.#tls = tls;
    this.address = serverAddress(netServer, options.path);
    netServer.on('connection', (socket: Socket) => this.#accept(socket));
    netServer.on('error', (error) =>
      this.#report(netError('WK_ERR_LISTEN', error, { localAddress: this.address }), undefined),
    );
    options.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Number of open connections (TLS sockets handed to another engine included). */
  get connections(): number {
    return this.#connections.size + this.#handled.size;
  }

  /** True when the server speaks TLS. */
  get secure(): boolean {
    return this.#tls !== undefined;
  }

  /** Handshake counters of a TLS server (undefined without TLS). */
  get tlsStats(): TlsStats | undefined {
    return this.#tls?.stats;
  }

  /**
   * Replaces the certificates of a TLS server for new connections; open connections keep theirs.
   * The new pair is checked first: a key that does not match its certificate (or any unreadable
   * input) throws `WK_ERR_TLS_CREDENTIALS` and the old certificates keep serving.
   *
   * @example
   * ```ts
   * server.setCertificates({ key: readFileSync('new-key.pem'), cert: readFileSync('new-cert.pem') });
   * ```
   */
  setCertificates(update: CertificateUpdate): void {
    if (this.#tls === undefined) throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'this server does not speak TLS');
    this.#tls.setCertificates(update);
  }

  /** The listening socket's native handle (to pass to another process over IPC); undefined once closed. */
  get handle(): object | undefined {
    return (this.#netServer as unknown as { _handle?: object | null })._handle ?? undefined;
  }

  /** True once `close()` was called. */
  get closing(): boolean {
    return this.#closed !== undefined;
  }

  /**
   * Stops accepting and resolves when every connection has closed. Without `timeoutMs` it waits
   * for connections to end on their own; with it, connections waiting for the peer are ended at
   * once (and as they become idle), and the rest are destroyed at the deadline. Calling it again
   * returns the same promise (a later `timeoutMs` can still set a deadline).
   */
  close(options: ServerCloseOptions = {}): Promise<void> {
    checkDuration('timeoutMs', options.timeoutMs);
    if (this.#closed === undefined) {
      this.#closed = deferred<void>();
      this.#options.signal?.removeEventListener('abort', this.#onAbort);
      this.#tls?.close();
      this.#netServer.close(() => {
        this.#listenerClosed = true;
        this.#checkClosed();
      });
      // Nobody owns these yet and they have not asked for anything: nothing in flight to finish.
      for (const socket of this.#awaitingHeader) socket.destroy();
    }
    if (options.timeoutMs !== undefined) this.#drain(timerWheel.now() + options.timeoutMs);
    return this.#closed.promise;
  }

  /** Same as `close()` without a timeout. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  readonly #onAbort = (): void => {
    this.close().catch(() => {});
  };

  #accept(socket: Socket): void {
    if (this.#closed !== undefined) {
      socket.destroy();
      return;
    }
    if (this.#proxyProtocol !== undefined) {
      this.#acceptProxied(socket, this.#proxyProtocol);
      return;
    }
    this.#secure(socket);
  }

  /** Plain TCP: a Connection at once; TLS: after the handshake. */
  #secure(socket: Socket): void {
    if (this.#tls !== undefined) this.#tls.accept(socket);
    else this.#adopt(socket);
  }

  /** Reads the PROXY header first (before any TLS); a connection without a good one is closed and reported. */
  #acceptProxied(socket: Socket, options: ProxyProtocolOptions): void {
    this.#awaitingHeader.add(socket);
    readProxyHeader(socket, options).then(
      (proxied) => {
        this.#awaitingHeader.delete(socket);
        if (this.#closed !== undefined || socket.destroyed) {
          socket.destroy();
          this.#checkClosed();
          return;
        }
        this.#proxied.set(socket, proxied);
        this.#secure(socket);
      },
      (error: Error) => {
        this.#awaitingHeader.delete(socket);
        socket.destroy();
        this.#report(error, undefined);
        this.#checkClosed();
      },
    );
  }

  /** @internal A TLS handshake finished: hand the socket to its engine, or wrap it as a Connection. */
  secured(socket: TLSSocket): void {
    if (this.#closed !== undefined) {
      socket.destroy();
      return;
    }
    const outcome = this.#options.tls?.onSecureConnection?.(socket) ?? 'connection';
    if (outcome === 'connection') {
      this.#adopt(socket);
      return;
    }
    this.#handled.add(socket);
    socket.once('close', () => {
      this.#handled.delete(socket);
      this.#checkClosed();
    });
  }

  #adopt(socket: Socket): void {
    const options = this.#connectionOptions();
    // A TLS socket wraps the raw one the PROXY header came on.
    const raw = (socket as unknown as { _parent?: Socket })._parent ?? socket;
    const proxied = this.#proxied.get(raw);
    if (proxied !== undefined) options.proxied = proxied;
    const conn = new Connection(socket, options);
    this.#connections.add(conn);
    conn.observeClose(this.#closeObserver);
    this.#run(conn);
  }

  #connectionOptions(): ConnectionOptions {
    const { idleTimeoutMs, readHighWaterBytes, allowHalfOpen, path } = this.#options;
    const out: ConnectionOptions = { idleTimeoutMs: idleTimeoutMs ?? DEFAULT_SERVER_IDLE_TIMEOUT_MS };
    if (readHighWaterBytes !== undefined) out.readHighWaterBytes = readHighWaterBytes;
    if (allowHalfOpen !== undefined) out.allowHalfOpen = allowHalfOpen;
    if (path !== undefined) out.unix = { local: path, remote: '' };
    return out;
  }

  #run(conn: Connection): void {
    let result: void | Promise<void>;
    try {
      result = this.#onConnection(conn);
    } catch (error) {
      this.#handlerFailed(error, conn);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        () => this.#handlerDone(conn),
        (error: unknown) => this.#handlerFailed(error, conn),
      );
    } else {
      this.#handlerDone(conn);
    }
  }

  #handlerDone(conn: Connection): void {
    if (this.#options.allowHalfOpen === true) return;
    // Nobody may read this connection again: when the peer ends, end our side (after pending writes).
    const socket = conn.socket;
    if (socket.readableEnded) conn.end().catch(() => {});
    else socket.once('end', () => conn.end().catch(() => {}));
  }

  #handlerFailed(thrown: unknown, conn: Connection): void {
    const error = thrown instanceof Error ? thrown : new Error(String(thrown));
    conn.destroy(error);
    this.#report(error, conn);
  }

  /** @internal Reports an error no caller can receive (a certificate reload that keeps failing). */
  report(error: Error): void {
    this.#report(error, undefined);
  }

  #report(error: Error, conn: Connection | undefined): void {
    try {
      if (this.#options.onError !== undefined) this.#options.onError(error, conn);
      // A handler cut short by close()'s own deadline is expected, not worth a warning.
      else if (!isWirekitError(error, 'WK_ERR_CLOSE_TIMEOUT')) processWarnings.warn(error);
    } catch {
      // The error hook itself threw: swallowing it is the only way to keep the process alive.
    }
  }

  #drain(deadline: number): void {
    this.#deadline = Math.min(this.#deadline, deadline);
    // keepAlive: paused connections do not hold the process open, and close() must still resolve.
    this.#drainTimer ??= timerWheel.after(0, this.#drainStep, { keepAlive: true });
    this.#drainStep();
  }

  readonly #drainStep = (): void => {
    const now = timerWheel.now();
    const overdue = now >= this.#deadline;
    for (const conn of this.#connections) {
      if (overdue) conn.destroy(new TimeoutError('WK_ERR_CLOSE_TIMEOUT', 'server close deadline reached'));
      else if (conn.waitingForPeer && !conn.socket.writableEnded) conn.end().catch(() => {});
    }
    // Sockets another engine took over: it closes them gracefully; the deadline still holds.
    if (overdue) for (const socket of this.#handled) socket.destroy();
    if (!overdue && this.connections > 0) {
      this.#drainTimer?.refresh(Math.min(now + DRAIN_POLL_MS, this.#deadline));
    } else {
      this.#drainTimer?.cancel();
    }
  };

  #checkClosed(): void {
    if (this.#closed === undefined || !this.#listenerClosed) return;
    if (this.connections > 0 || this.#awaitingHeader.size > 0) return;
    this.#drainTimer?.cancel();
    this.#closed.resolve();
  }
}

function serverAddress(netServer: NetServer, path: string | undefined): SocketAddress {
  const info = netServer.address();
  if (info === null || typeof info === 'string') return endpoint('', 0, info ?? path ?? '');
  return { address: info.address, port: info.port, family: info.family === 'IPv6' ? 'IPv6' : 'IPv4' };
}
