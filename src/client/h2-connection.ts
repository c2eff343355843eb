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
  type IncomingHttpHeaders,
  type OutgoingHttpHeaders,
} from 'node:http2';
import type { Socket } from 'node:net';
import { NetError, type SocketAddress, type WirekitError } from '../errors.js';
import { addFields, withoutPseudo } from '../http/h2/fields.js';
import { closedError, endpointsOf } from '../net/addresses.js';
import type { ConnectionOwner, PoolConnection } from './connection.js';
import type { ConnectTimings } from './connector.js';
import type { Exchange } from './exchange.js';
import { notRetried, requestBodyError, tooLarge } from './failures.js';
import type { Origin } from './origin.js';
import { Deadline, phaseTimeout } from './timeouts.js';
import { writeBody } from './upload.js';

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

const kCall = Symbol('wirekit.h2.call');
type Tagged = ClientHttp2Stream & { [kCall]?: H2Call };

// Shared stream listeners: `this` is the stream.
function onResponse(this: Tagged, headers: IncomingHttpHeaders, _flags: number, raw: string[]): void {
  this[kCall]?.response(headers, raw);
}
function onData(this: Tagged, chunk: Buffer): void {
  this[kCall]?.data(chunk);
}
function onTrailers(this: Tagged, _headers: IncomingHttpHeaders, _flags: number, raw: string[]): void {
  this[kCall]?.trailers(raw);
}
function onEnd(this: Tagged): void {
  this[kCall]?.end();
}
function onStreamError(this: Tagged, error: Error): void {
  const call = this[kCall];
  if (call !== undefined) call.error ??= error;
}
function onClose(this: Tagged): void {
  this[kCall]?.closed();
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
export class H2ClientConnection implements PoolConnection {
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

  canTake(_exchange: Exchange): boolean {
    return !this.#closed && this.#reusable && this.#calls.size < this.#maxStreams;
  }

  send(exchange: Exchange): void {
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
      // The session is closing under us, or a field node:http2 refuses: nothing was sent.
      exchange.settleError(requestBodyError(error, this));
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

  resumeFor(exchange: Exchange): void {
    for (const call of this.#calls) if (call.exchange === exchange) call.resume();
  }

  abandon(exchange: Exchange): void {
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

  /** A call to send again on another connection (refused, or above the GOAWAY's last stream). */
  requeue(exchange: Exchange): void {
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
    const resend: Exchange[] = [];
    for (const call of this.#calls) if (call.connectionClosed(error)) resend.push(call.exchange);
    this.#calls.clear();
    if (resend.length > 0) this.#owner.requeue(resend);
    this.#owner.closed(this);
  }
}

/** The retry rules of HTTP/1.1's reuse race: once, idempotent (or an Idempotency-Key), a body that can be sent again. */
function retryable(exchange: Exchange): boolean {
  return !exchange.retried && exchange.idempotent && exchange.replayable;
}

/** The request's header list: pseudo-header fields, then its fields without the connection-specific ones. */
function requestHeaders(exchange: Exchange, origin: Origin): OutgoingHttpHeaders {
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

/** One request on one stream. */
class H2Call {
  readonly exchange: Exchange;
  readonly stream: ClientHttp2Stream;
  readonly deadline: Deadline;
  error: Error | undefined;
  readonly #conn: H2ClientConnection;
  #phase: 'upload' | 'headers' | 'body' | 'paused' = 'headers';
  #trailers: readonly string[] = [];
  #done = false;

  constructor(conn: H2ClientConnection, exchange: Exchange, stream: ClientHttp2Stream) {
    this.#conn = conn;
    this.exchange = exchange;
    this.stream = stream;
    this.deadline = new Deadline(() => this.#expired());
    (stream as Tagged)[kCall] = this;
    stream.on('response', onResponse);
    stream.on('data', onData);
    stream.on('trailers', onTrailers);
    stream.on('end', onEnd);
    stream.on('error', onStreamError);
    stream.on('close', onClose);
  }

  async upload(wire: Extract<Exchange['wire'], { kind: 'stream' }>): Promise<void> {
    const exchange = this.exchange;
    const stream = this.stream;
    this.#phase = 'upload';
    this.deadline.arm(exchange.timeouts.bodyTimeoutMs);
    const failure = await writeBody(wire, {
      write: (bytes) => stream.write(bytes),
      end: () => stream.end(),
      drained: () => drained(stream),
      stopped: () => this.#done || stream.destroyed,
      progress: () => this.deadline.arm(exchange.timeouts.bodyTimeoutMs),
    });
    if (this.#done) return;
    if (failure !== undefined) {
      this.fail(requestBodyError(failure, this.#conn));
      return;
    }
    exchange.sentAt = performance.now();
    if (this.#phase === 'upload') {
      this.#phase = 'headers';
      this.deadline.arm(exchange.timeouts.headersTimeoutMs);
    }
  }

  response(headers: IncomingHttpHeaders, raw: string[]): void {
    const exchange = this.exchange;
    if (this.#done || exchange.settled) return;
    const now = performance.now();
    exchange.gotBytes = true;
    if (exchange.sentAt > 0) exchange.timings.ttfb = now - exchange.sentAt;
    const declared = Number(headers['content-length'] ?? 0);
    if (declared > exchange.maxResponseBytes) {
      this.fail(tooLarge(exchange, this.#conn));
      return;
    }
    exchange.respond(
      { status: Number(headers[':status']), reason: null, version: '2.0', headers: withoutPseudo(raw) },
      now,
    );
    this.#phase = 'body';
    this.deadline.arm(exchange.timeouts.bodyTimeoutMs, now);
  }

  data(chunk: Buffer): void {
    const exchange = this.exchange;
    if (this.#done || exchange.state !== 'streaming') return;
    exchange.received += chunk.byteLength;
    if (exchange.received > exchange.maxResponseBytes) {
      this.fail(tooLarge(exchange, this.#conn));
      return;
    }
    if (exchange.stream !== undefined && !exchange.stream.push(chunk)) {
      this.#phase = 'paused';
      this.stream.pause();
      this.deadline.clear();
    } else {
      this.deadline.arm(exchange.timeouts.bodyTimeoutMs);
    }
  }

  trailers(raw: string[]): void {
    this.#trailers = raw;
  }

  end(): void {
    if (this.#done) return;
    const exchange = this.exchange;
    if (exchange.state !== 'streaming') return;
    this.#finish();
    exchange.finish(this.#trailers);
  }

  resume(): void {
    if (this.#phase !== 'paused' || this.#done) return;
    this.#phase = 'body';
    this.stream.resume();
    this.deadline.arm(this.exchange.timeouts.bodyTimeoutMs);
  }

  /** The exchange gave up (aborted, timed out, its body cancelled): reset only this stream. */
  cancel(): void {
    if (this.#done) return;
    this.#finish();
    if (!this.stream.destroyed) this.stream.close(constants.NGHTTP2_CANCEL);
  }

  /** Fails the exchange with `error` and resets the stream. */
  fail(error: WirekitError): void {
    if (this.#done) return;
    this.#finish();
    this.exchange.settleError(error);
    if (!this.stream.destroyed) this.stream.close(constants.NGHTTP2_CANCEL);
  }

  /** The stream closed; a call still open here got no complete answer. */
  closed(): void {
    if (this.#done) return;
    this.#done = true;
    this.deadline.cancel();
    const exchange = this.exchange;
    const conn = this.#conn;
    if (!exchange.settled) {
      if (!exchange.gotBytes && conn.unprocessed(this.stream)) {
        // Never processed by the server (RFC 9113 §8.7): safe to send again under the retry rules.
        if (retryable(exchange)) conn.requeue(exchange);
        else exchange.settleError(notRetried(refused(this.stream, conn), exchange));
      } else {
        exchange.settleError(streamError(this.stream, this.error, conn));
      }
    }
    // Last: the pool may now hand the request sent back to a connection.
    conn.callDone(this);
  }

  /**
   * The whole connection went. True when the request should be sent again (it was on a reused
   * connection and got no response byte: the reuse race of HTTP/1.1, same rules); else it fails.
   */
  connectionClosed(error: WirekitError): boolean {
    if (this.#done) return false;
    this.#done = true;
    this.deadline.cancel();
    const exchange = this.exchange;
    if (exchange.settled) return false;
    const lostRace = !exchange.gotBytes && exchange.reused;
    if (lostRace && retryable(exchange)) {
      exchange.requeue();
      return true;
    }
    exchange.settleError(lostRace ? notRetried(error, exchange) : error);
    return false;
  }

  #finish(): void {
    this.#done = true;
    this.deadline.cancel();
    this.#conn.callDone(this);
  }

  #expired(): void {
    if (this.#done || this.#phase === 'paused') return;
    this.fail(phaseTimeout(this.#phase, this.exchange, this.#conn));
  }
}

function drained(stream: ClientHttp2Stream): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (): void => {
      stream.off('drain', settle);
      stream.off('close', settle);
      if (stream.destroyed)
        reject(new NetError('WK_ERR_H2_STREAM', 'the stream closed while the request body was being sent'));
      else resolve();
    };
    stream.on('drain', settle);
    stream.on('close', settle);
  });
}

/** The error of a stream the server refused or left unprocessed. */
function refused(stream: ClientHttp2Stream, conn: PoolConnection): NetError {
  const why =
    stream.rstCode === constants.NGHTTP2_REFUSED_STREAM
      ? 'the server refused the stream (REFUSED_STREAM)'
      : 'the server shut the connection down (GOAWAY) before processing the stream';
  return new NetError('WK_ERR_H2_REFUSED', `${why}; the request was not processed`, {
    localAddress: conn.localAddress,
    remoteAddress: conn.remoteAddress,
  });
}

/** The error of a stream that closed before its response was complete. */
function streamError(stream: ClientHttp2Stream, cause: Error | undefined, conn: PoolConnection): NetError {
  const code = stream.rstCode ?? constants.NGHTTP2_NO_ERROR;
  return new NetError(
    'WK_ERR_H2_STREAM',
    `the HTTP/2 stream closed before its response was complete (error code ${code}: ${h2CodeName(code)})`,
    { cause, localAddress: conn.localAddress, remoteAddress: conn.remoteAddress },
  );
}

const CODE_NAMES = [
  'NO_ERROR',
  'PROTOCOL_ERROR',
  'INTERNAL_ERROR',
  'FLOW_CONTROL_ERROR',
  'SETTINGS_TIMEOUT',
  'STREAM_CLOSED',
  'FRAME_SIZE_ERROR',
  'REFUSED_STREAM',
  'CANCEL',
  'COMPRESSION_ERROR',
  'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY',
  'HTTP_1_1_REQUIRED',
];

/** The name of an HTTP/2 error code (RFC 9113 §7). */
function h2CodeName(code: number): string {
  return CODE_NAMES[code] ?? 'unknown';
}
