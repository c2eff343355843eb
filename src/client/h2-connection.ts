/**
 * `H2ClientConnection`: one HTTP/2 connection of a pool (the server chose `h2` by ALPN), a
 * node:http2 client session over the TLS socket the connector made. Requests are streams on it, many
 * at once (up to `maxConcurrentStreams`, or fewer if the server's SETTINGS say so); each has its own
 * deadline (headers, body, upload) and its own flow control: a slow body reader pauses its stream,
 * not the connection.
 *
 * Retries: a stream the server refused (RST_STREAM REFUSED_STREAM) or left unprocessed (its id above
 * the last one a GOAWAY names, RFC 9113 §6.8) never reached the application, so it goes back to the
 * pool once, on the rules of HTTP/1.1's reuse race: idempotent (or an Idempotency-Key) and a body
 * that can be sent again.
 */
import {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  connect,
  constants,
  type OutgoingHttpHeaders,
} from 'node:http2';
import type { Socket } from 'node:net';
import { NetError, type SocketAddress, type WirekitError } from '../errors.js';
import { addFields } from '../http/h2/fields.js';
import { closedError, endpointsOf } from '../net/addresses.js';
import type { ConnectionOwner } from './connection.js';
import type { ConnectTimings } from './connector.js';
import type { ClientExchange } from './exchange.js';
import { H2Call, type H2CallHost } from './h2-call.js';
import type { Origin } from './origin.js';
import { Deadline } from './timeouts.js';

/**
 * Settings of an HTTP/2 connection (resolved by the pool).
 *
 * @example
 * ```ts
 * const settings: H2Settings = { maxConcurrentStreams: 100, keepAliveTimeoutMs: 4_000, bodyHighWaterBytes: 65_536 };
 * ```
 */
export interface H2Settings {
  /** Requests in flight at once (the server's SETTINGS_MAX_CONCURRENT_STREAMS may lower it). */
  readonly maxConcurrentStreams: number;
  /** An idle connection (no stream open) is closed after this long. */
  readonly keepAliveTimeoutMs: number;
  /** Response body bytes a stream buffers for a slow reader: its receive window. */
  readonly bodyHighWaterBytes: number;
}

/**
 * One HTTP/2 connection of a pool.
 *
 * @example
 * ```ts
 * const conn = new H2ClientConnection(connected.conn.detach(), connected.timings, origin, settings, owner);
 * if (conn.canTake(exchange)) conn.send(exchange);
 * ```
 */
export class H2ClientConnection implements H2CallHost {
  parked = false;
  readonly multiplexed = true;
  readonly localAddress: SocketAddress | undefined;
  readonly remoteAddress: SocketAddress | undefined;
  readonly #session: ClientHttp2Session;
  readonly #owner: ConnectionOwner;
  readonly #settings: H2Settings;
  readonly #origin: Origin;
  readonly #calls = new Set<H2Call>();
  readonly #idle: Deadline;
  #setup: ConnectTimings | undefined;
  #maxStreams: number;
  #served = 0;
  #reusable = true;
  #closed = false;
  /** Streams above this id were not processed by the server (its GOAWAY said so). */
  #lastProcessed = Number.POSITIVE_INFINITY;
  #failure: Error | undefined;

  constructor(socket: Socket, setup: ConnectTimings, origin: Origin, settings: H2Settings, owner: ConnectionOwner) {
    const endpoints = endpointsOf(socket);
    this.localAddress = endpoints.localAddress;
    this.remoteAddress = endpoints.remoteAddress;
    this.#setup = setup;
    this.#origin = origin;
    this.#settings = settings;
    this.#owner = owner;
    this.#maxStreams = settings.maxConcurrentStreams;
    this.#idle = new Deadline(() => this.retire());
    const session = connect(origin.href, {
      createConnection: () => socket,
      settings: { enablePush: false, initialWindowSize: settings.bodyHighWaterBytes },
    });
    this.#session = session;
    session.on('remoteSettings', (remote) => {
      const limit = remote.maxConcurrentStreams;
      this.#maxStreams = Math.max(1, Math.min(settings.maxConcurrentStreams, limit ?? settings.maxConcurrentStreams));
      if (this.#calls.size < this.#maxStreams && !this.#closed) this.#owner.available(this);
    });
    session.on('goaway', (_code: number, lastStreamID: number) => {
      this.#reusable = false;
      this.#lastProcessed = lastStreamID;
    });
    session.on('error', (error: Error) => {
      this.#failure ??= error;
    });
    session.on('close', () => this.#onClose());
    this.#armIdle();
  }

  get idle(): boolean {
    return !this.#closed && this.#reusable && this.#calls.size === 0;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get inflight(): number {
    return this.#calls.size;
  }

  canTake(_exchange: ClientExchange): boolean {
    const session = this.#session;
    return (
      !this.#closed && this.#reusable && !session.destroyed && !session.closed && this.#calls.size < this.#maxStreams
    );
  }

  send(exchange: ClientExchange): void {
    const now = performance.now();
    exchange.attach(this, this.#served > 0, now);
    this.#served++;
    const setup = this.#setup;
    if (setup !== undefined) {
      this.#setup = undefined;
      exchange.timings.dns = setup.dns;
      exchange.timings.connect = setup.connect;
      exchange.timings.tls = setup.tls;
    }
    if (this.#calls.size === 0) {
      this.#idle.clear();
      this.#session.ref();
    }
    const wire = exchange.wire;
    let stream: ClientHttp2Stream;
    try {
      stream = this.#session.request(requestHeaders(exchange, this.#origin), { endStream: wire.kind === 'none' });
    } catch (error) {
      // A field node:http2 refuses (it checks more than our serializer), or the session went: nothing was sent.
      exchange.settleError(this.#refusedRequest(error));
      this.#afterCall();
      return;
    }
    const call = new H2Call(this, exchange, stream);
    this.#calls.add(call);
    if (wire.kind === 'bytes') {
      stream.end(wire.bytes);
      exchange.sentAt = now;
      call.deadline.arm(exchange.timeouts.headersTimeoutMs, now);
    } else if (wire.kind === 'stream') {
      void call.upload(wire);
    } else {
      exchange.sentAt = now;
      call.deadline.arm(exchange.timeouts.headersTimeoutMs, now);
    }
  }

  retire(): void {
    this.#reusable = false;
    if (this.#calls.size === 0 && !this.#closed) this.#session.close();
  }

  destroy(error: WirekitError): void {
    if (this.#closed) return;
    for (const call of [...this.#calls]) call.fail(error);
    this.#session.destroy();
  }

  // ---- ExchangeHost ----

  resumeFor(exchange: ClientExchange): void {
    for (const call of this.#calls) if (call.exchange === exchange) call.resume();
  }

  abandon(exchange: ClientExchange): void {
    for (const call of this.#calls) if (call.exchange === exchange) call.cancel();
  }

  // ---- calls ----

  /** A call is over (its exchange settled or handed back): the connection may take another. */
  callDone(call: H2Call): void {
    if (!this.#calls.delete(call)) return;
    this.#afterCall();
  }

  /** Whether a stream that closed unanswered was never processed by the server (safe to send again). */
  unprocessed(stream: ClientHttp2Stream): boolean {
    return stream.rstCode === constants.NGHTTP2_REFUSED_STREAM || (stream.id ?? 0) > this.#lastProcessed;
  }

  /** Why the connection failed, for the calls it takes down. */
  failure(): WirekitError {
    const cause = this.#failure;
    if (cause === undefined) return closedError(this);
    return new NetError('WK_ERR_H2_SESSION', `the HTTP/2 connection failed: ${cause.message}`, {
      cause,
      localAddress: this.localAddress,
      remoteAddress: this.remoteAddress,
    });
  }

  #refusedRequest(cause: unknown): WirekitError {
    const detail = cause instanceof Error ? cause.message : String(cause);
    return new NetError('WK_ERR_H2_SESSION', `the HTTP/2 connection could not open a stream: ${detail}`, {
      cause,
      localAddress: this.localAddress,
      remoteAddress: this.remoteAddress,
    });
  }

  /** A call to send again on another connection (refused, or above the GOAWAY's last stream). */
  requeue(exchange: ClientExchange): void {
    exchange.requeue();
    this.#owner.requeue([exchange]);
  }

  #afterCall(): void {
    if (this.#closed) return;
    if (this.#calls.size === 0) {
      if (!this.#reusable) {
        this.#session.close();
        return;
      }
      this.#armIdle();
    }
    this.#owner.available(this);
  }

  #armIdle(): void {
    this.#idle.arm(this.#settings.keepAliveTimeoutMs);
    // An idle connection does not keep the process alive (as in undici and node:http).
    this.#session.unref();
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#reusable = false;
    this.#idle.cancel();
    const error = this.failure();
    const resend: ClientExchange[] = [];
    for (const call of this.#calls) if (call.connectionClosed(error)) resend.push(call.exchange);
    this.#calls.clear();
    if (resend.length > 0) this.#owner.requeue(resend);
    this.#owner.closed(this);
  }
}

/** The request's header list: pseudo-header fields, then its fields without the connection-specific ones. */
function requestHeaders(exchange: ClientExchange, origin: Origin): OutgoingHttpHeaders {
  const request = exchange.request;
  const headers = addFields(
    {
      ':method': request.method,
      ':scheme': origin.secure ? 'https' : 'http',
      ':authority': origin.host,
      ':path': request.path,
    },
    request.headers,
    true,
  );
  const wire = exchange.wire;
  if (wire.kind === 'bytes') headers['content-length'] = wire.bytes.byteLength;
  else if (wire.kind === 'stream' && wire.length !== undefined) headers['content-length'] = wire.length;
  else if (wire.kind === 'none' && wire.length === 0) headers['content-length'] = 0;
  return headers;
}
