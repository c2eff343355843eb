/**
 * One HTTP/2 stream served by the handler: its header list becomes a `Request` (pseudo-header fields
 * to method, target and Host), its DATA frames the request body (with flow-control backpressure),
 * and the handler's `Response` goes out on it. Listeners are shared functions that find the exchange
 * on the stream: a request costs no closure on the common path.
 *
 * State machine (docs/architecture.md, Rules): `handling` (the handler runs) → `writing` (a streamed
 * response) → `done`; a fixed response goes from `handling` to `done` at once.
 */
import { constants, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import { ProtocolError, WirekitError } from '../../errors.js';
import { type TimerHandle, timerWheel } from '../../util/timer-wheel.js';
import { releaseBody } from '../message/body-pump.js';
import { BodyStream, type BodyStreamControl } from '../message/body-stream.js';
import type { ConnInfo } from '../message/conn-info.js';
import { adopt } from '../message/headers.js';
import { Request, requestInternals } from '../message/request.js';
import { Response } from '../message/response.js';
import { statusResponse } from '../message/status-response.js';
import type { H2Observer, H2ServeContext } from './context.js';
import { toFlatFields } from './fields.js';
import { resetStream } from './reset.js';
import { writeH2Response } from './response-writer.js';

/**
 * What an exchange needs from its connection.
 *
 * @example
 * ```ts
 * const host: H2ExchangeHost = session; // H2Session implements it
 * ```
 */
export interface H2ExchangeHost {
  readonly info: ConnInfo;
  readonly ctx: H2ServeContext;
  readonly observer: H2Observer;
  readonly secure: boolean;
  /** The stream has closed, either way. */
  streamClosed(exchange: H2Exchange): void;
  /** A streamed response started (true) or ended (false): the server's close asks those to stop. */
  streaming(exchange: H2Exchange, active: boolean): void;
}

type State = 'handling' | 'writing' | 'done';

const END_STREAM_FLAG = 0x1;
const kExchange = Symbol('wirekit.h2.exchange');
type Tagged = ServerHttp2Stream & { [kExchange]?: H2Exchange };

// Shared listeners: `this` is the stream.
function onStreamError(): void {
  // The 'close' that follows says what became of the stream.
}
function onStreamClose(this: Tagged): void {
  this[kExchange]?.closed();
}
function onStreamData(this: Tagged, chunk: Buffer): void {
  this[kExchange]?.bodyData(chunk);
}
function onStreamEnd(this: Tagged): void {
  this[kExchange]?.bodyEnd();
}
function onStreamTrailers(this: Tagged, _headers: IncomingHttpHeaders, _flags: number, raw: string[]): void {
  this[kExchange]?.bodyTrailers(raw);
}

const INTERIM_CONTINUE = Object.freeze({ ':status': 100 });
const NO_TRAILERS: readonly string[] = [];

/**
 * One stream and its request, from the header list to the end of the response.
 *
 * @example
 * ```ts
 * session.on('stream', (stream, headers, flags, raw) => new H2Exchange(host, stream, headers, flags, raw).run());
 * ```
 */
export class H2Exchange implements BodyStreamControl {
  readonly stream: ServerHttp2Stream;
  readonly request: Request;
  readonly body: BodyStream | undefined;
  readonly startedAt: number;
  response: Response | undefined = undefined;
  readonly #host: H2ExchangeHost;
  readonly #head: boolean;
  /** 400 (a malformed header list) or 417 (an expectation other than 100-continue), else 0. */
  readonly #refuse: number;
  readonly #expectContinue: boolean;
  #state: State = 'handling';
  #closed = false;
  #streamingResponse = false;
  #bodyDone: boolean;
  #bodyListening = false;
  #discarding = false;
  #received = 0;
  #trailers: readonly string[] = NO_TRAILERS;
  #deadline: TimerHandle | undefined;

  constructor(
    host: H2ExchangeHost,
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    flags: number,
    raw: string[],
  ) {
    this.#host = host;
    this.stream = stream;
    this.startedAt = timerWheel.now();
    (stream as Tagged)[kExchange] = this;
    stream.on('error', onStreamError);
    stream.on('close', onStreamClose);
    const options = host.ctx.options;
    const method = headers[':method'] ?? 'GET';
    const authority = headers[':authority'];
    const target = method === 'CONNECT' ? authority : headers[':path'];
    const fields = toFlatFields(raw, authority);
    const withBody = (flags & END_STREAM_FLAG) === 0;
    this.#head = method === 'HEAD';
    this.#bodyDone = !withBody;
    this.body = withBody ? new BodyStream(this, options.bodyHighWaterBytes) : undefined;
    const expect = headers.expect;
    this.#expectContinue = withBody && expect !== undefined && expect.toLowerCase() === '100-continue';
    const malformed = fields === undefined || target === undefined || !isTarget(target, method);
    this.#refuse = malformed ? 400 : expect !== undefined && !this.#expectContinue ? 417 : 0;
    this.request = new Request(malformed ? '/' : (target as string), {
      method,
      version: '2.0',
      headers: adopt(fields ?? []),
      body: this.body,
      maxBodyBytes: options.maxBodyBytes,
      protocol: host.secure ? 'https' : 'http',
    });
    if (withBody) {
      // Trailers arrive whenever the client sends them, read or not: listen from the start.
      stream.on('trailers', onStreamTrailers);
      if (options.requestTimeoutMs > 0) {
        this.#deadline = timerWheel.after(options.requestTimeoutMs, () => this.#bodyTimedOut());
      }
    }
  }

  /** Runs the handler (or answers for it: a malformed request, an unmet expectation). */
  run(): void {
    const host = this.#host;
    host.observer.requestStart(this.request, host.info);
    if (this.#refuse !== 0) {
      this.#force(this.#refuse);
      return;
    }
    let result: Response | Promise<Response>;
    try {
      result = host.ctx.handler(this.request, host.info);
    } catch (error) {
      this.#handlerFailed(error);
      return;
    }
    if (result instanceof Response) {
      this.#respond(result);
    } else if (result !== null && typeof (result as Promise<Response>)?.then === 'function') {
      result.then(
        (response) => this.#respond(response),
        (error: unknown) => this.#handlerFailed(error),
      );
    } else {
      this.#handlerFailed(new WirekitError('WK_ERR_HTTP_HANDLER', 'the handler did not return a Response'));
    }
  }

  /** The server is closing: a streamed response is asked to stop (its request's signal aborts). */
  stopStreaming(): void {
    requestInternals.abort(this.request, new WirekitError('WK_ERR_SERVER_CLOSING'));
  }

  // ---- stream events ----

  /** The stream closed: finished, reset by either side, or its connection went. */
  closed(): void {
    this.#closed = true;
    this.#deadline?.cancel();
    this.#host.streamClosed(this);
    if (this.#state === 'done') return;
    const gone = new WirekitError('WK_ERR_HTTP_CLIENT_GONE');
    this.body?.error(gone);
    requestInternals.abort(this.request, gone);
  }

  bodyData(chunk: Buffer): void {
    if (this.#discarding) {
      this.#received += chunk.byteLength;
      if (this.#received > this.#host.ctx.options.maxDiscardBytes) resetStream(this.stream, constants.NGHTTP2_NO_ERROR);
      return;
    }
    this.#received += chunk.byteLength;
    const hardLimit = this.#host.ctx.options.limits.maxBodyBytes;
    if (hardLimit !== undefined && this.#received > hardLimit) {
      this.#bodyFailed(new ProtocolError('WK_ERR_HTTP_BODY_TOO_LARGE', 413, `body larger than ${hardLimit} bytes`));
      return;
    }
    if (this.body !== undefined && !this.body.push(chunk)) this.stream.pause();
  }

  bodyEnd(): void {
    if (this.#bodyDone) return;
    this.#bodyDone = true;
    this.#deadline?.cancel();
    this.body?.end(this.#trailers);
  }

  bodyTrailers(raw: string[]): void {
    this.#trailers = raw;
    requestInternals.setTrailers(this.request, adopt(raw));
  }

  // ---- BodyStreamControl: the handler reads the body ----

  onFirstRead(): void {
    if (this.#expectContinue && this.#state === 'handling' && !this.stream.headersSent) {
      this.stream.additionalHeaders(INTERIM_CONTINUE);
    }
    this.#listenToBody();
  }

  onDrain(): void {
    if (!this.#discarding) this.stream.resume();
  }

  onCancel(): void {
    this.#discardBody();
  }

  // ---- the response ----

  #respond(response: unknown): void {
    if (this.#state !== 'handling') return;
    if (!(response instanceof Response)) {
      this.#handlerFailed(new WirekitError('WK_ERR_HTTP_HANDLER', 'the handler did not return a Response'));
      return;
    }
    this.#write(response, false);
  }

  #write(response: Response, forced: boolean): void {
    this.response = response;
    this.#state = 'writing';
    const stream = this.stream;
    if (this.#closed || stream.destroyed) {
      const content = response.takeContent();
      if (content !== null && typeof content === 'object' && !(content instanceof Uint8Array)) releaseBody(content);
      this.#done(-1, true);
      return;
    }
    let sent: number | Promise<number>;
    try {
      sent = writeH2Response(stream, response, this.#head, this.#host.ctx.options.sendTimeoutMs);
    } catch (error) {
      // Nothing was sent: node:http2 refused the head (a status it cannot send, a field it refuses).
      this.#state = 'handling';
      if (forced) this.#writeFailed(error);
      else this.#handlerFailed(error);
      return;
    }
    if (typeof sent === 'number') {
      this.#done(sent, false);
      return;
    }
    this.#streamingResponse = true;
    this.#host.streaming(this, true);
    if (this.#host.ctx.closing) this.stopStreaming();
    sent.then(
      (bytes) => this.#done(bytes, false),
      (error: unknown) => this.#writeFailed(error),
    );
  }

  #done(bytes: number, clientGone: boolean): void {
    this.#state = 'done';
    if (this.#streamingResponse) this.#host.streaming(this, false);
    if (!this.#bodyDone) this.#discardBody();
    const host = this.#host;
    host.observer.requestEnd(this.request, this.response, host.info, this.startedAt, bytes, clientGone);
  }

  #handlerFailed(thrown: unknown): void {
    const error = thrown instanceof Error ? thrown : new WirekitError('WK_ERR_HTTP_HANDLER', String(thrown));
    try {
      this.#host.ctx.options.onError(error, this.#host.info);
    } catch {
      // A failing error hook must not take the connection down with it.
    }
    if (this.#state !== 'handling') return;
    this.#force(error instanceof ProtocolError && error.status < 500 ? error.status : 500);
  }

  #force(status: number): void {
    this.#write(statusResponse(status), true);
  }

  /** A response that failed midway: the stream is reset, so the client sees it incomplete. */
  #writeFailed(error: unknown): void {
    this.#state = 'done';
    if (this.#streamingResponse) this.#host.streaming(this, false);
    const gone = this.#closed || (error instanceof WirekitError && error.code === 'WK_ERR_HTTP_CLIENT_GONE');
    if (!gone) {
      try {
        this.#host.ctx.options.onError(error instanceof Error ? error : new Error(String(error)), this.#host.info);
      } catch {}
    }
    const host = this.#host;
    host.observer.requestEnd(this.request, this.response, host.info, this.startedAt, -1, gone);
    if (!this.stream.destroyed) resetStream(this.stream, constants.NGHTTP2_INTERNAL_ERROR);
  }

  // ---- the request body ----

  #listenToBody(): void {
    if (this.#bodyListening) return;
    this.#bodyListening = true;
    this.stream.on('data', onStreamData);
    this.stream.on('end', onStreamEnd);
  }

  /**
   * The body will not be read (the response went first, or the reader cancelled): drop what comes,
   * so the client's window opens and it can finish; past `maxDiscardBytes` the stream is reset with
   * NO_ERROR once the response is out (RFC 9113 §8.1).
   */
  #discardBody(): void {
    if (this.#discarding || this.#bodyDone) return;
    this.#discarding = true;
    this.#received = 0;
    this.body?.error(new WirekitError('WK_ERR_BODY_USED', 'the response was sent before the body was read'));
    this.#listenToBody();
    this.stream.resume();
  }

  #bodyFailed(error: ProtocolError): void {
    this.body?.error(error);
    if (this.#state === 'handling') this.#force(error.status);
    else resetStream(this.stream, constants.NGHTTP2_CANCEL);
  }

  #bodyTimedOut(): void {
    this.#deadline = undefined;
    if (this.#bodyDone || this.#closed) return;
    const error = new ProtocolError('WK_ERR_HTTP_REQUEST_TIMEOUT', 408);
    this.body?.error(error);
    if (this.#state === 'handling') this.#force(408);
    // A body still incomplete after requestTimeoutMs is not waited for: once the answer is out the
    // stream is reset with NO_ERROR (node:http2 sends it after the response's last frame, §8.1).
    if (this.#state === 'done' && !this.stream.closed) resetStream(this.stream, constants.NGHTTP2_NO_ERROR);
  }
}

/**
 * A `:path` the server can route: origin-form, or `*` for OPTIONS (RFC 9113 §8.3.1); for CONNECT the
 * target is `:authority`. Bytes outside visible ASCII are refused as in HTTP/1.1 targets.
 */
function isTarget(target: string, method: string): boolean {
  if (method === 'CONNECT') return target.length > 0;
  if (target === '*') return method === 'OPTIONS';
  if (target.charCodeAt(0) !== 0x2f) return false;
  for (let i = 1; i < target.length; i++) {
    const c = target.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}
