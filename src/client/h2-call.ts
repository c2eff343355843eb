/**
 * One request on one stream of an HTTP/2 client connection: its deadline (headers, body, upload),
 * its response head and body (a slow reader pauses this stream only), and what becomes of it when
 * the stream or the connection closes first.
 */
import { type ClientHttp2Stream, constants, type IncomingHttpHeaders } from 'node:http2';
import { NetError, type WirekitError } from '../errors.js';
import { withoutPseudo } from '../http/h2/fields.js';
import { resetStream } from '../http/h2/reset.js';
import type { PoolConnection } from './connection.js';
import type { ClientExchange } from './exchange.js';
import { notRetried, requestBodyError, tooLarge } from './failures.js';
import { orphanFate } from './retry.js';
import { Deadline, phaseTimeout } from './timeouts.js';
import { writeBody } from './upload.js';

/**
 * What a call needs from its connection.
 *
 * @example
 * ```ts
 * const call = new H2Call(connection, exchange, session.request(headers));
 * ```
 */
export interface H2CallHost extends PoolConnection {
  /** The call is over: the connection may take another. */
  callDone(call: H2Call): void;
  /** Whether a stream that closed unanswered was never processed by the server. */
  unprocessed(stream: ClientHttp2Stream): boolean;
  /** Sends the exchange again on another connection (or this one, if it has room). */
  requeue(exchange: ClientExchange): void;
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
 * One request on one HTTP/2 stream.
 *
 * @example
 * ```ts
 * const call = new H2Call(host, exchange, stream);
 * call.deadline.arm(exchange.timeouts.headersTimeoutMs);
 * ```
 */
export class H2Call {
  readonly exchange: ClientExchange;
  readonly stream: ClientHttp2Stream;
  readonly deadline: Deadline;
  error: Error | undefined;
  readonly #conn: H2CallHost;
  #phase: 'upload' | 'headers' | 'body' | 'paused' = 'headers';
  #trailers: readonly string[] = [];
  #done = false;

  constructor(conn: H2CallHost, exchange: ClientExchange, stream: ClientHttp2Stream) {
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

  async upload(wire: Extract<ClientExchange['wire'], { kind: 'stream' }>): Promise<void> {
    const exchange = this.exchange;
    const stream = this.stream;
    this.#phase = 'upload';
    this.deadline.arm(exchange.timeouts.bodyTimeoutMs);
    const failure = await writeBody(wire, {
      output: {
        send: (bytes) => stream.write(bytes),
        cork: () => {},
        uncork: () => {},
        drained: () => drained(stream),
      },
      framed: true,
      stopped: () => this.#done || stream.destroyed,
      progress: () => this.deadline.arm(exchange.timeouts.bodyTimeoutMs),
    });
    if (this.#done) return;
    if (failure !== undefined) {
      this.fail(requestBodyError(failure, this.#conn));
      return;
    }
    stream.end();
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
    resetStream(this.stream, constants.NGHTTP2_CANCEL);
  }

  /** Fails the exchange with `error` and resets the stream. */
  fail(error: WirekitError): void {
    if (this.#done) return;
    this.#finish();
    this.exchange.settleError(error);
    resetStream(this.stream, constants.NGHTTP2_CANCEL);
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
        // Never processed by the server (RFC 9113 §8.7): sent again on the reuse-race rules.
        if (orphanFate('unprocessed', 0, exchange) === 'resend') conn.requeue(exchange);
        else exchange.settleError(notRetried(refused(this.stream, conn), exchange));
      } else {
        exchange.settleError(streamError(this.stream, this.error, conn));
      }
    }
    // Last: the pool may now hand the request sent back to a connection.
    conn.callDone(this);
  }

  /**
   * The whole connection went under the request: true when it is to be sent again (the reuse race
   * of HTTP/1.1, same rules: `orphanFate`); else it fails here.
   */
  connectionClosed(error: WirekitError): boolean {
    if (this.#done) return false;
    this.#done = true;
    this.deadline.cancel();
    const exchange = this.exchange;
    if (exchange.settled) return false;
    switch (orphanFate('raced', 0, exchange)) {
      case 'resend':
        exchange.requeue();
        return true;
      case 'not-retried':
        exchange.settleError(notRetried(error, exchange));
        return false;
      case 'fail':
        exchange.settleError(error);
        return false;
    }
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
