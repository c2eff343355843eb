import type { TLSSocket } from 'node:tls';
import { type SocketAddress, TimeoutError, WirekitError } from '../../errors.js';
import type { Connection } from '../../net/connection.js';
import { type ListenOptions, listen, type Server } from '../../net/tcp-server.js';
import type { CertificateUpdate, TlsStats } from '../../net/tls/tls-acceptor.js';
import { type TimerWheel, timerWheel } from '../../util/timer-wheel.js';
import type { H2Observer } from '../h2/context.js';
import type { H2Engine } from '../h2/engine.js';
import type { Handler } from '../message/conn-info.js';
import { HttpConnection } from './conn.js';
import { publishConnection, publishEnd, publishRequestStart } from './diagnostics.js';
import { detectH2c } from './h2c.js';
import { httpsRedirect } from './https-redirect.js';
import { resolveServeOptions, SERVE_OPTIONS, type ServeOptions } from './options.js';
import { ParserPool } from './parser-pool.js';
import type { ServerContext } from './server-context.js';
import { tlsListenOptions } from './tls.js';
import type { Http1Member } from './upgraded-conn.js';

/** HTTP/2 requests and connections go to the same diagnostics channels as HTTP/1.1 ones. */
const H2_OBSERVER: H2Observer = {
  requestStart: publishRequestStart,
  requestEnd: publishEnd,
  connection: publishConnection,
};

/** The connections a server serves, by engine. */
interface Served {
  readonly http1: Set<Http1Member>;
  readonly h2: H2Engine | undefined;
  /** Cleartext connections (h2c next to HTTP/1.1) whose first bytes have not said which they speak. */
  readonly undecided: Set<Connection>;
}

/** How long `drain()` waits between closing the listener and ending idle connections. */
const DRAIN_SETTLE_MS = 250;

/** Options of {@link HttpServer.drain}. */
export interface HttpDrainOptions extends HttpCloseOptions {
  /**
   * How long to keep serving, with `info.draining` set (readiness checks answer 503), before
   * closing: time for a load balancer's health check to notice. Default 0.
   */
  delayMs?: number;
}

/** Options of {@link HttpServer.close}. */
export interface HttpCloseOptions {
  /** Destroy the connections still open after this long. Default: wait for in-flight requests to finish. */
  timeoutMs?: number;
}

/**
 * A running HTTP server: its address, the number of open connections and a graceful `close`.
 */
export class HttpServer implements AsyncDisposable {
  readonly #server: Server;
  readonly #ctx: ServerContext;
  readonly #served: Served;
  readonly #onClose: (() => void) | undefined;
  #closing: Promise<void> | undefined;
  /** The plain-HTTP listener that redirects to this HTTPS server (`redirectHttp`). */
  readonly redirectServer: HttpServer | undefined;

  /** @internal Made by {@link serve}. */
  constructor(server: Server, ctx: ServerContext, served: Served, redirect?: HttpServer, onClose?: () => void) {
    this.#server = server;
    this.#ctx = ctx;
    this.#served = served;
    this.redirectServer = redirect;
    this.#onClose = onClose;
  }

  /** The bound address (`port` is the real one when 0 was asked for). */
  get address(): SocketAddress {
    return this.#server.address;
  }

  /** `http://host:port` (`https://` with TLS) of the server (IPv6 hosts in brackets); for a Unix socket, its path. */
  get url(): string {
    const { address, port, family } = this.address;
    if (family === 'unix') return address;
    return `http${this.#ctx.secure ? 's' : ''}://${family === 'IPv6' ? `[${address}]` : address}:${port}`;
  }

  /** Open connections (HTTP/1.1 and HTTP/2). */
  get connections(): number {
    const served = this.#served;
    return served.http1.size + (served.h2?.sessions ?? 0);
  }

  /** TLS handshake counters (completed, resumed, failed, timed out, dropped, in progress); undefined without TLS. */
  get tlsStats(): TlsStats | undefined {
    return this.#server.tlsStats;
  }

  /**
   * Replaces the certificates (the default pair and/or the SNI table) for new connections without
   * dropping one: open connections keep the certificate they were made with. The new pair is
   * checked first; a bad one throws `WK_ERR_TLS_CREDENTIALS` and the old one keeps serving.
   *
   * @example
   * ```ts
   * server.setCertificates({ key: await readFile('key.pem'), cert: await readFile('fullchain.pem') });
   * ```
   */
  setCertificates(update: CertificateUpdate): void {
    this.#server.setCertificates(update);
  }

  /**
   * Graceful shutdown: stops accepting, lets in-flight requests finish (bodies still arriving are
   * read; the answers say `Connection: close`; HTTP/2 connections get GOAWAY), gives keep-alive
   * connections `closeGraceMs` to deliver a request already on their way (then an idle one closes),
   * and with `timeoutMs` destroys what is still open at the deadline. Resolves when every connection
   * has closed. Upgraded connections (WebSockets) are left to `onClose` to finish.
   */
  close(options: HttpCloseOptions = {}): Promise<void> {
    if (this.#closing === undefined) {
      this.#ctx.closing = true;
      try {
        this.#onClose?.();
      } catch (error) {
        this.#ctx.options.onError(error instanceof Error ? error : new Error(String(error)), undefined);
      }
      const redirect = this.redirectServer?.close(options);
      const closed = this.#server.close();
      this.#closing = redirect === undefined ? closed : Promise.all([closed, redirect]).then(() => {});
      const served = this.#served;
      for (const conn of served.http1) conn.shutdown();
      served.h2?.shutdown();
      // No byte has come on these yet: closed at once, as idle keep-alive connections are.
      for (const conn of served.undecided) conn.destroy();
    }
    const timeoutMs = options.timeoutMs;
    if (timeoutMs !== undefined) {
      // keepAlive: paused sockets do not hold the process open, and the promise must still settle.
      const timer = this.#ctx.wheel.after(
        timeoutMs,
        () => {
          const error = new TimeoutError('WK_ERR_CLOSE_TIMEOUT', 'server close deadline reached');
          for (const conn of this.#served.http1) conn.destroy(error);
          this.#served.h2?.destroy();
        },
        { keepAlive: true },
      );
      this.#closing.then(() => timer.cancel());
    }
    return this.#closing;
  }

  /** True once `drain()` or `close()` began. */
  get draining(): boolean {
    return this.#ctx.closing || this.#ctx.draining === true;
  }

  /**
   * Drains for a load balancer: `info.draining` turns true at once (so `healthCheck()` answers
   * 503), requests are still served for `delayMs`, then `close({ timeoutMs })`.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => server.drain({ delayMs: 5_000, timeoutMs: 10_000 }));
   * ```
   */
  async drain(options: HttpDrainOptions = {}): Promise<void> {
    this.#ctx.draining = true;
    const delayMs = options.delayMs ?? 0;
    if (delayMs > 0 && this.#closing === undefined) await this.#wait(delayMs);
    if (this.#closing === undefined) {
      // Stop accepting first, and only then end idle connections: one accepted a moment ago has its
      // first request on the way, and close() would end it unanswered (a client does not resend a
      // request whose new connection closed, as it does on a reused one).
      void this.#server.close();
      await this.#wait(DRAIN_SETTLE_MS);
    }
    await this.close(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
  }

  #wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => this.#ctx.wheel.after(ms, resolve, { keepAlive: true }));
  }

  /**
   * The listening socket's handle, for passing it to another process (a cluster's reload hands a
   * worker's `SO_REUSEPORT` socket to its successor: see docs/architecture.md, Scaling out).
   */
  get listenerHandle(): object | undefined {
    return this.#server.handle;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Serves HTTP/1.1 with `handler` (docs/architecture.md, The Handler seam: `(request, info) => Response`),
 * over TLS with `tls` (and a plain-HTTP redirect listener with `redirectHttp`), and HTTP/2 behind the
 * same handler: offered by ALPN over TLS, and with `http2: 'h2c'` as cleartext HTTP/2 with prior
 * knowledge on the same port as HTTP/1.1.
 *
 * @example
 * ```ts
 * import { serve, Response } from 'wirekit';
 * const server = await serve((req) => Response.json({ path: req.path }), { port: 3000 });
 * console.log(`listening on ${server.url}`);
 * ```
 */
export function serve(handler: Handler, options: ServeOptions = {}): Promise<HttpServer> {
  return serveOn(timerWheel, handler, options);
}

/**
 * {@link serve} with its deadlines on `wheel` (not part of the package's API): tests give a wheel
 * with a fake clock and move time instead of waiting for it.
 *
 * @example
 * ```ts
 * let now = 0;
 * const wheel = new TimerWheel({ resolutionMs: 10, now: () => now });
 * const server = await serveOn(wheel, handler, { idleTimeoutMs: 60_000 });
 * now += 60_000; // the idle connections close on the next tick
 * ```
 */
export async function serveOn(wheel: TimerWheel, handler: Handler, given: ServeOptions = {}): Promise<HttpServer> {
  const options = SERVE_OPTIONS.check(given);
  if (options.redirectHttp !== undefined && options.tls === undefined) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'redirectHttp redirects to HTTPS: it needs tls');
  }
  const secure = options.tls !== undefined;
  const resolved = resolveServeOptions(options);
  const parsers = new ParserPool(resolved.limits);
  const ctx: ServerContext = { handler, options: resolved, secure, closing: false, wheel, parsers };
  // HTTP/2: by ALPN over TLS unless `http2: false`; on cleartext only with `http2: 'h2c'`. Loaded
  // only then: a plain HTTP/1.1 server never loads node:http2 (nor node:crypto, which it needs).
  const h2 = (secure ? options.http2 !== false : options.http2 === 'h2c')
    ? new (await import('../h2/engine.js')).H2Engine(ctx, H2_OBSERVER, options.http2Options)
    : undefined;
  const served: Served = { http1: new Set(), h2, undecided: new Set() };
  const listenOptions: ListenOptions = {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    allowHalfOpen: true,
    noDelay: true,
    // The engine keeps its own timers (keep-alive, head, request): none at the socket layer.
    idleTimeoutMs: 0,
  };
  if (options.path !== undefined) listenOptions.path = options.path;
  if (options.backlog !== undefined) listenOptions.backlog = options.backlog;
  if (options.maxConnections !== undefined) listenOptions.maxConnections = options.maxConnections;
  if (options.proxyProtocol !== undefined) listenOptions.proxyProtocol = options.proxyProtocol;
  if (options.reusePort !== undefined) listenOptions.reusePort = options.reusePort;
  if (options.handle !== undefined) listenOptions.handle = options.handle;
  listenOptions.onError = (error) => ctx.options.onError(error, undefined);
  if (options.tls !== undefined) {
    const engines = new Map<string, (socket: TLSSocket) => void>();
    if (h2 !== undefined) engines.set('h2', (socket) => void h2.attach(socket));
    listenOptions.tls = tlsListenOptions(options.tls, engines);
  }
  const server = await listen(listenOptions, (conn) => {
    if (h2 === undefined || secure) serveHttp1(ctx, conn, served.http1);
    else return serveCleartext(ctx, conn, served, h2);
  });
  const redirect = await startRedirect(options, server);
  const httpServer = new HttpServer(server, ctx, served, redirect, options.onClose);
  options.signal?.addEventListener('abort', () => void httpServer.close(), { once: true });
  return httpServer;
}

function serveHttp1(ctx: ServerContext, conn: Connection, connections: Set<Http1Member>): void {
  const http = new HttpConnection(ctx, conn, connections);
  publishConnection('open', http);
}

/** h2c next to HTTP/1.1: the connection's first bytes say which engine serves it. */
async function serveCleartext(ctx: ServerContext, conn: Connection, served: Served, h2c: H2Engine): Promise<void> {
  served.undecided.add(conn);
  const kind = await detectH2c(conn, ctx.options.idleTimeoutMs);
  served.undecided.delete(conn);
  if (kind === 'gone') return;
  if (ctx.closing) conn.destroy();
  else if (kind === 'http1') serveHttp1(ctx, conn, served.http1);
  else h2c.attach(conn.detach());
}

/** The plain-HTTP listener of `redirectHttp`, or undefined. Closes the HTTPS server if it cannot listen. */
async function startRedirect(options: ServeOptions, https: Server): Promise<HttpServer | undefined> {
  const redirect = options.redirectHttp;
  if (redirect === undefined) return undefined;
  const handler = httpsRedirect(redirect.httpsPort ?? https.address.port);
  const redirectOptions: ServeOptions = { port: redirect.port, host: redirect.host ?? options.host ?? '127.0.0.1' };
  if (options.onError !== undefined) redirectOptions.onError = options.onError;
  try {
    return await serve(handler, redirectOptions);
  } catch (error) {
    await https.close({ timeoutMs: 0 });
    throw error;
  }
}
