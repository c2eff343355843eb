/**
 * One HTTP/2 connection (a node:http2 server session): the `ConnInfo` its handlers see, and the
 * connection-level rules on top of node:http2's own: a client that resets too many streams too fast
 * is sent GOAWAY ENHANCE_YOUR_CALM (CVE-2023-44487), one that never acknowledges our SETTINGS is sent
 * GOAWAY SETTINGS_TIMEOUT (RFC 9113 §6.5.3), a connection with no open stream for `idleTimeoutMs` is
 * closed with GOAWAY, and the server's close is a graceful GOAWAY that lets open streams finish.
 *
 * One entry on the shared timer wheel per connection, moved lazily (a later deadline is a number
 * store): the settings deadline first, then the idle deadline.
 */
import { constants, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { type SocketAddress, WirekitError } from '../../errors.js';
import { endpointsOf } from '../../net/addresses.js';
import { type TlsInfo, tlsInfoOf } from '../../net/tls/info.js';
import { type TimerHandle, timerWheel } from '../../util/timer-wheel.js';
import type { ConnInfo, Upgraded } from '../message/conn-info.js';
import type { ProxyTrust } from '../message/trust-proxy.js';
import type { H2Observer, H2ServeContext } from './context.js';
import { H2Exchange, type H2ExchangeHost } from './exchange.js';
import type { ResolvedHttp2Options } from './options.js';
import { resetByPeer } from './reset.js';

/**
 * An HTTP/2 connection served by the handler.
 *
 * @example
 * ```ts
 * http2Server.on('session', (session) => new H2Session(ctx, observer, options, session, socket));
 * ```
 */
export class H2Session implements ConnInfo, H2ExchangeHost {
  readonly ctx: H2ServeContext;
  readonly observer: H2Observer;
  readonly secure: boolean;
  /** Called once the connection has closed (the engine forgets it). */
  onClosed: (() => void) | undefined = undefined;
  readonly #session: ServerHttp2Session;
  readonly #options: ResolvedHttp2Options;
  readonly #remoteAddress: SocketAddress | undefined;
  readonly #localAddress: SocketAddress | undefined;
  readonly #socket: Socket;
  #tls: TlsInfo | undefined;
  readonly #timer: TimerHandle;
  #deadline = 0;
  #settingsAcked = false;
  #open = 0;
  #requestCount = 0;
  #resets = 0;
  #resetWindowStart = 0;
  #streaming: Set<H2Exchange> | undefined;
  #shuttingDown = false;

  constructor(
    ctx: H2ServeContext,
    observer: H2Observer,
    options: ResolvedHttp2Options,
    session: ServerHttp2Session,
    socket: Socket,
  ) {
    this.ctx = ctx;
    this.observer = observer;
    this.#options = options;
    this.#session = session;
    const endpoints = endpointsOf(socket);
    this.#remoteAddress = endpoints.remoteAddress;
    this.#localAddress = endpoints.localAddress;
    this.#socket = socket;
    this.secure = session.encrypted === true;
    session.on('stream', this.#onStream);
    session.once('localSettings', this.#onSettingsAcked);
    session.once('close', this.#onClose);
    if (options.connectionWindowBytes > 65_535) session.setLocalWindowSize(options.connectionWindowBytes);
    const settingsMs = options.settingsTimeoutMs;
    // Without a SETTINGS deadline, the idle deadline runs from the start.
    this.#settingsAcked = settingsMs === 0;
    this.#timer = timerWheel.after(settingsMs > 0 ? settingsMs : ctx.options.idleTimeoutMs, this.#onTimer);
    this.#deadline = settingsMs > 0 || ctx.options.idleTimeoutMs > 0 ? this.#timer.deadline : 0;
    observer.connection('open', this);
  }

  // ---- ConnInfo ----

  get info(): ConnInfo {
    return this;
  }

  get remoteAddress(): SocketAddress | undefined {
    return this.#remoteAddress;
  }

  get localAddress(): SocketAddress | undefined {
    return this.#localAddress;
  }

  get httpVersion(): '2.0' {
    return '2.0';
  }

  get draining(): boolean {
    return this.ctx.closing || this.ctx.draining === true;
  }

  get trustProxy(): ProxyTrust | undefined {
    return this.ctx.options.trustProxy;
  }

  /** What TLS negotiated (`alpnProtocol` is `'h2'`); undefined for h2c. */
  get tls(): TlsInfo | undefined {
    if (this.#tls === undefined && this.secure) this.#tls = tlsInfoOf(this.#socket as TLSSocket);
    return this.#tls;
  }

  get requestCount(): number {
    return this.#requestCount;
  }

  /** HTTP/2 has no upgrade (RFC 9113 §8.6). */
  get canUpgrade(): false {
    return false;
  }

  upgrade(): Upgraded {
    throw new WirekitError(
      'WK_ERR_HTTP_UPGRADE',
      'HTTP/2 has no protocol upgrade (WebSockets over HTTP/2, RFC 8441, is not supported: use HTTP/1.1)',
    );
  }

  /** Streams open now. */
  get openStreams(): number {
    return this.#open;
  }

  // ---- lifecycle ----

  /**
   * The server is closing: GOAWAY (no new streams), the open ones finish; a streamed response is
   * asked to stop (its request's signal aborts with `WK_ERR_SERVER_CLOSING`). Closes at once if idle.
   */
  shutdown(): void {
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    if (this.#streaming !== undefined) for (const exchange of this.#streaming) exchange.stopStreaming();
    if (!this.#session.closed) this.#session.close();
  }

  /** Closes now (the server's close deadline): every open stream is cut. */
  destroy(): void {
    this.#session.destroy();
  }

  // ---- H2ExchangeHost ----

  streamClosed(exchange: H2Exchange): void {
    this.#open--;
    const session = this.#session;
    if (!session.destroyed && resetByPeer(exchange.stream)) this.#countReset();
    if (this.#open === 0 && this.#settingsAcked) this.#idleFromNow();
  }

  streaming(exchange: H2Exchange, active: boolean): void {
    if (!active) {
      this.#streaming?.delete(exchange);
      return;
    }
    this.#streaming ??= new Set();
    this.#streaming.add(exchange);
  }

  // ---- events ----

  readonly #onStream = (
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    flags: number,
    raw: string[],
  ): void => {
    this.#requestCount++;
    this.#open++;
    new H2Exchange(this, stream, headers, flags, raw).run();
  };

  readonly #onSettingsAcked = (): void => {
    this.#settingsAcked = true;
    if (this.#open === 0) this.#idleFromNow();
    else this.#deadline = 0;
  };

  readonly #onClose = (): void => {
    this.#deadline = 0;
    this.#timer.cancel();
    this.observer.connection('close', this);
    this.onClosed?.();
  };

  /**
   * More than `maxResetsPerWindow` streams reset by the client within `resetWindowMs`: the
   * rapid-reset attack (CVE-2023-44487), which makes a server start work for streams that cost the
   * client nothing and escape MAX_CONCURRENT_STREAMS. node:http2 stops it only after ~1000 resets.
   */
  #countReset(): void {
    const now = timerWheel.now();
    if (now - this.#resetWindowStart >= this.#options.resetWindowMs) {
      this.#resetWindowStart = now;
      this.#resets = 0;
    }
    if (++this.#resets > this.#options.maxResetsPerWindow) {
      const why = `more than ${this.#options.maxResetsPerWindow} streams reset within ${this.#options.resetWindowMs} ms`;
      this.#fail(constants.NGHTTP2_ENHANCE_YOUR_CALM, why);
    }
  }

  /**
   * Closes the connection with GOAWAY `code`. node:http2 sends that code only with an error object
   * (without one it says NO_ERROR); the error goes nowhere but the hidden server's `sessionError`.
   */
  #fail(code: number, why: string): void {
    this.#session.destroy(new WirekitError('WK_ERR_H2_SESSION', `HTTP/2 connection closed: ${why}`), code);
  }

  // ---- deadlines ----

  #idleFromNow(): void {
    const ms = this.ctx.options.idleTimeoutMs;
    this.#setDeadline(ms > 0 ? timerWheel.now() + ms : 0);
  }

  /** Lazy: the wheel entry is only moved when the new deadline is earlier than the armed one. */
  #setDeadline(deadline: number): void {
    this.#deadline = deadline;
    if (deadline !== 0 && (!this.#timer.active || this.#timer.deadline > deadline)) this.#timer.refresh(deadline);
  }

  readonly #onTimer = (): void => {
    const deadline = this.#deadline;
    if (deadline === 0 || this.#session.destroyed) return;
    if (deadline > timerWheel.now()) {
      this.#timer.refresh(deadline);
      return;
    }
    this.#deadline = 0;
    if (!this.#settingsAcked) {
      this.#fail(
        constants.NGHTTP2_SETTINGS_TIMEOUT,
        `our SETTINGS were not acknowledged within ${this.#options.settingsTimeoutMs} ms`,
      );
    } else if (this.#open === 0) {
      // Idle: GOAWAY, so a client that starts a stream now knows to open a new connection.
      this.shutdown();
    }
  };
}
