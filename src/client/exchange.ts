/**
 * One request's life inside a pool: queued, sent on a connection, answered (its body streaming),
 * then done or failed. It owns the promise the caller awaits, the body stream the connection fills,
 * the per-request deadline and the abort listener.
 *
 * State machine (docs/architecture.md, Rules): `queued → sent → streaming → done`, any of the first three →
 * `failed`; a request that failed on a reused connection before any response byte may go
 * `sent → queued` once (the reuse-race retry, see `ClientConnection`).
 */
import type { SocketAddress, WirekitError } from '../errors.js';
import { serializeRequestHead } from '../http/codec/request-serializer.js';
import { BodyStream, type BodyStreamControl } from '../http/message/body-stream.js';
import { adopt } from '../http/message/headers.js';
import { abortedError } from '../net/addresses.js';
import { type TimerHandle, timerWheel } from '../util/timer-wheel.js';
import { declaredLength, isReplayable, toWire, type WireBody } from './body.js';
import { publishRequest } from './diagnostics.js';
import type { Origin } from './origin.js';
import { ClientResponse, type Timings } from './response.js';
import { ResponseBody } from './response-body.js';
import { type Timeouts, timeoutError } from './timeouts.js';
import type { DispatchRequest } from './types.js';

/**
 * Where an exchange is.
 *
 * @example
 * ```ts
 * if (exchange.state === 'queued') queue.push(exchange);
 * ```
 */
export type ExchangeState = 'queued' | 'sent' | 'streaming' | 'done' | 'failed';

/**
 * What an exchange needs from the connection it was sent on.
 *
 * @example
 * ```ts
 * exchange.attach(connection, true); // the connection is its host until it ends
 * ```
 */
export interface ExchangeHost {
  /** The reader caught up: read from the socket again. */
  resumeFor(exchange: ClientExchange): void;
  /** The exchange failed from outside (abort, deadline, cancelled body): the connection cannot finish it. */
  abandon(exchange: ClientExchange): void;
  readonly localAddress: SocketAddress | undefined;
  readonly remoteAddress: SocketAddress | undefined;
}

/**
 * A response head as a connection received it (the HTTP/1.1 parser's head has this shape; an
 * HTTP/2 connection builds one from the HEADERS frame).
 *
 * @example
 * ```ts
 * exchange.respond({ status: 200, reason: null, version: '2.0', headers: ['content-type', 'text/plain'] }, performance.now());
 * ```
 */
export interface ReceivedHead {
  readonly status: number;
  /** The reason phrase (HTTP/1.x only). */
  readonly reason: string | null;
  readonly version: '1.0' | '1.1' | '2.0';
  /** Flat `[name, value, …]`, adopted without a copy. */
  readonly headers: readonly string[];
}

/** Methods a repeated request cannot change the outcome of (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);

/** Most cached request heads per pool (requests without user fields repeat the same head). */
const HEAD_CACHE_SIZE = 256;

/**
 * The settings of the pool an exchange runs in.
 *
 * @example
 * ```ts
 * const context: ExchangeContext = { origin, timeouts: DEFAULT_TIMEOUTS, maxResponseBytes: Infinity, bodyHighWaterBytes: 65_536, heads: new Map() };
 * ```
 */
export interface ExchangeContext {
  readonly origin: Origin;
  readonly timeouts: Readonly<Timeouts>;
  readonly maxResponseBytes: number;
  readonly bodyHighWaterBytes: number;
  /** Heads of requests without fields or body, by `method path`. */
  readonly heads: Map<string, string>;
}

/**
 * True when `method` is idempotent or `headers` carry an Idempotency-Key.
 *
 * @example
 * ```ts
 * isIdempotent('PUT', []); // true
 * isIdempotent('POST', ['Idempotency-Key', 'k1']); // true
 * ```
 */
export function isIdempotent(method: string, headers: readonly string[]): boolean {
  if (IDEMPOTENT.has(method)) return true;
  for (let i = 0; i < headers.length; i += 2) {
    const name = (headers[i] as string).toLowerCase();
    if (name === 'idempotency-key' || name === 'x-idempotency-key') return true;
  }
  return false;
}

/**
 * One request in flight through a pool.
 *
 * @example
 * ```ts
 * const exchange = new ClientExchange(request, context);
 * queue.push(exchange);
 * return exchange.promise;
 * ```
 */
export class ClientExchange implements BodyStreamControl {
  readonly request: DispatchRequest;
  readonly method: string;
  /**
   * The HTTP/1.1 request head, serialized (and so checked: an unsafe field or target is refused
   * before anything is sent) when the exchange is made, whatever connection it goes out on.
   */
  readonly head: string;
  readonly timeouts: Readonly<Timeouts>;
  readonly maxResponseBytes: number;
  readonly idempotent: boolean;
  readonly replayable: boolean;
  /** The caller asked for `Connection: close`: the connection is not reused after this request. */
  readonly closeAfter: boolean;
  readonly timings: Timings = { queued: 0, dns: 0, connect: 0, tls: 0, ttfb: 0, total: 0 };
  readonly promise: Promise<ClientResponse>;
  state: ExchangeState = 'queued';
  /** The connection it was sent on, while it is there. */
  host: ExchangeHost | undefined;
  /** Sent on a connection that had carried a request before. */
  reused = false;
  /**
   * Times resent after a reuse race. Each race costs one idle connection (it is closed), so the
   * resends end; they are bounded anyway, by `MAX_REUSE_RESENDS` (retry.ts).
   */
  resends = 0;
  /** Some byte of its response has arrived. */
  gotBytes = false;
  /** When the request was completely written (performance.now()). */
  sentAt = 0;
  /** Response body bytes so far (for maxResponseBytes). */
  received = 0;
  stream: BodyStream | undefined;
  response: ClientResponse | undefined;
  wire: WireBody;
  readonly #context: ExchangeContext;
  readonly #started: number;
  #resolve!: (response: ClientResponse) => void;
  #reject!: (error: unknown) => void;
  #deadline: TimerHandle | undefined;
  #queueDeadline: TimerHandle | undefined;
  #onAbort: (() => void) | undefined;

  constructor(request: DispatchRequest, context: ExchangeContext, timeouts: Readonly<Timeouts>) {
    this.request = request;
    this.method = request.method;
    this.#context = context;
    this.timeouts = timeouts;
    this.maxResponseBytes = request.maxResponseBytes ?? context.maxResponseBytes;
    this.#started = performance.now();
    const headers = request.headers;
    this.idempotent = isIdempotent(request.method, headers);
    this.replayable = isReplayable(request.body);
    this.closeAfter = headers.length > 0 && asksToClose(headers);
    this.wire = toWire(request.body, request.method, headers.length === 0 ? undefined : declaredLength(headers));
    this.head = this.#serialize();
    this.promise = new Promise<ClientResponse>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    if (timeouts.totalTimeoutMs > 0) {
      this.#deadline = timerWheel.after(timeouts.totalTimeoutMs, () => this.#onDeadline());
    }
    if (request.signal !== undefined) {
      this.#onAbort = () => this.#aborted();
      request.signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  /** True once the response body has ended normally. */
  get bodyEnded(): boolean {
    return this.state === 'done';
  }

  /** True once the exchange has finished either way. */
  get settled(): boolean {
    return this.state === 'done' || this.state === 'failed';
  }

  /**
   * Called by the pool when the request has to wait for a connection. Armed only then, so a request
   * that finds an idle connection costs no timer.
   */
  waitForConnection(connecting = false): void {
    const t = this.timeouts;
    if (t.queueTimeoutMs > 0 && this.#queueDeadline === undefined) {
      // A connection being opened for it has its own connect and TLS deadlines: they speak first.
      const ms = t.queueTimeoutMs + (connecting ? t.connectTimeoutMs + t.tlsTimeoutMs : 0);
      this.#queueDeadline = timerWheel.after(ms, () => this.#onQueueDeadline());
    }
  }

  /** Called by the connection when it writes the request. */
  attach(host: ExchangeHost, reused: boolean, now: number): void {
    this.#cancelQueueDeadline();
    this.state = 'sent';
    this.host = host;
    this.reused = reused;
    this.timings.queued = now - this.#started;
  }

  /** The response head arrived: resolves the caller's promise with the response; the body follows. */
  respond(head: ReceivedHead, now: number): void {
    const host = this.host as ExchangeHost;
    const endpoints = { localAddress: host.localAddress, remoteAddress: host.remoteAddress };
    this.state = 'streaming';
    this.gotBytes = true;
    const stream = new BodyStream(this, this.#context.bodyHighWaterBytes);
    this.stream = stream;
    this.timings.total = now - this.#started;
    const response = new ClientResponse({
      status: head.status,
      statusText: head.reason ?? '',
      version: head.version,
      headers: adopt(head.headers as string[]),
      body: new ResponseBody(stream, this, endpoints),
      timings: this.timings,
      reused: this.reused,
      url: this.#context.origin.href + this.request.path,
      localAddress: endpoints.localAddress,
      remoteAddress: endpoints.remoteAddress,
      trailers: stream,
    });
    this.response = response;
    publishRequest('response', this.request, response);
    this.#resolve(response);
  }

  /** The body ended (trailers, if any, as flat fields). */
  finish(trailers: readonly string[]): void {
    this.state = 'done';
    this.host = undefined;
    this.timings.total = performance.now() - this.#started;
    this.stream?.end(trailers);
    this.#cleanup();
    publishRequest('requestEnd', this.request, this.response);
  }

  /** Fails the exchange where it is (rejects the promise, or errors the body). Does not touch the connection. */
  settleError(error: unknown): void {
    if (this.settled) return;
    const state = this.state;
    this.state = 'failed';
    this.host = undefined;
    this.#cleanup();
    if (state === 'streaming') this.stream?.error(error);
    else this.#reject(error);
    publishRequest('requestError', this.request, this.response, error);
  }

  /** Fails the exchange from outside the connection (abort, deadline): the connection gives it up too. */
  fail(error: WirekitError): void {
    const host = this.host;
    this.settleError(error);
    host?.abandon(this);
  }

  /** Back to the queue for a resend after a reuse race. */
  requeue(): void {
    this.state = 'queued';
    this.host = undefined;
    this.resends++;
    this.gotBytes = false;
    this.reused = false;
    const body = this.request.body;
    if (body instanceof Blob) this.wire = toWire(body, this.method, undefined);
  }

  // ---- BodyStreamControl ----

  onDrain(): void {
    this.host?.resumeFor(this);
  }

  onCancel(): void {
    const host = this.host;
    if (host === undefined || this.state !== 'streaming') return;
    this.state = 'failed';
    this.host = undefined;
    this.#cleanup();
    host.abandon(this);
  }

  // ---- internals ----

  #serialize(): string {
    const { method, path, headers } = this.request;
    const wire = this.wire;
    const cacheable = headers.length === 0 && wire.kind === 'none';
    const key = cacheable ? `${method} ${path}` : '';
    const cached = cacheable ? this.#context.heads.get(key) : undefined;
    if (cached !== undefined) return cached;
    const head = serializeRequestHead({
      method,
      target: path,
      headers,
      host: this.#context.origin.host,
      keepAlive: !this.closeAfter,
      bodyLength:
        wire.kind === 'bytes'
          ? wire.bytes.byteLength
          : wire.kind === 'stream'
            ? (wire.length ?? 'chunked')
            : (wire.length ?? 'none'),
    });
    if (cacheable) {
      const heads = this.#context.heads;
      if (heads.size >= HEAD_CACHE_SIZE) heads.clear();
      heads.set(key, head);
    }
    return head;
  }

  #cancelQueueDeadline(): void {
    if (this.#queueDeadline === undefined) return;
    this.#queueDeadline.cancel();
    this.#queueDeadline = undefined;
  }

  #cleanup(): void {
    this.#cancelQueueDeadline();
    this.#deadline?.cancel();
    this.#deadline = undefined;
    if (this.#onAbort !== undefined) this.request.signal?.removeEventListener('abort', this.#onAbort);
  }

  #aborted(): void {
    const signal = this.request.signal as AbortSignal;
    const host = this.host;
    this.fail(abortedError(signal, { localAddress: host?.localAddress, remoteAddress: host?.remoteAddress }));
  }

  #onQueueDeadline(): void {
    this.#queueDeadline = undefined;
    if (this.state !== 'queued') return;
    const { origin } = this.#context;
    const waited = Math.round(performance.now() - this.#started);
    const message = `${this.method} ${this.request.path} waited ${waited} ms for a connection to ${origin.href}: every one is busy (is a response body left unread?)`;
    this.settleError(timeoutError('WK_ERR_QUEUE_TIMEOUT', message));
  }

  #onDeadline(): void {
    const host = this.host;
    const ms = this.timeouts.totalTimeoutMs;
    this.fail(
      timeoutError('WK_ERR_TOTAL_TIMEOUT', `${this.method} ${this.request.path} took more than ${ms} ms`, {
        localAddress: host?.localAddress,
        remoteAddress: host?.remoteAddress,
      }),
    );
  }
}

/** True when flat `headers` carry `Connection: close` (the serializer writes Connection itself). */
function asksToClose(headers: readonly string[]): boolean {
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (
      name.length === 10 &&
      name.toLowerCase() === 'connection' &&
      /(^|,)\s*close\s*(,|$)/i.test(headers[i + 1] as string)
    ) {
      return true;
    }
  }
  return false;
}
