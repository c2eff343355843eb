import { WirekitError } from '../errors.js';
import type { BodyInit } from '../http/message/body.js';
import type { ConnInfo } from '../http/message/conn-info.js';
import { type CookieOptions, serializeCookie, signCookieValue } from '../http/message/cookies.js';
import { responseFromFetch } from '../http/message/fetch.js';
import { adopt, Headers } from '../http/message/headers.js';
import { Response } from '../http/message/response.js';
import { jsonLogger, type Logger } from '../util/logger.js';
import { type RequestIdSource, requestIdFor } from './request-ids.js';
import { SSE_HEADERS, type SseHandler, type SseOptions, SseStream } from './sse.js';
import type { WebRequest } from './web-request.js';

/** A handler's or middleware's return value: a Response, text, a JSON-able value, or nothing. */
// biome-ignore lint/suspicious/noConfusingVoidType: `void` lets `async (c) => { c.text('x') }` (a Promise<void>) be a handler.
export type HandlerResult = Response | globalThis.Response | string | object | null | undefined | void;

/** What a Context needs from its App (one object per App, shared by its requests). */
export interface ContextConfig {
  readonly secrets: readonly string[];
  /** The App's `logger` option; undefined when none was given (then `c.log` is the default logger). */
  readonly logger: Logger | undefined;
  /** How `c.requestId` is made. */
  readonly requestId: RequestIdSource;
}

/** The logger of apps given none: the built-in JSON logger on standard error, made on first use. */
/** What `c.text()` answers with (the type a string body gets, see body.ts). */
const TEXT_TYPE = 'text/plain; charset=utf-8';

let defaultLogger: Logger | undefined;

/**
 * The logger `c.log` derives from when the App was given none: `jsonLogger()` (level info, standard
 * error), made once.
 *
 * @example
 * ```ts
 * defaultAppLogger().info('started');
 * ```
 */
export function defaultAppLogger(): Logger {
  defaultLogger ??= jsonLogger();
  return defaultLogger;
}

let configuredLoggerOf: (c: Context<object>) => Logger | undefined;

/**
 * The logger the App of `c` was given, or undefined (middleware that only logs when the user asked
 * for logs, as `accessLog()` does, checks this).
 *
 * @example
 * ```ts
 * if (configuredLogger(c) !== undefined) c.log.info({ status }, 'request completed');
 * ```
 */
export function configuredLogger(c: Context<object>): Logger | undefined {
  return configuredLoggerOf(c);
}

/** Extra fields for a helper's response: a status and headers. */
export type ResponseHeaders = Record<string, string> | Headers;

/**
 * The context `c` of one request: the request (`c.req`), response helpers that build the response
 * (and also return it, so `return c.json(x)` and a bare `c.json(x)` both work), typed per-request
 * state set by middleware (`c.var`, `c.set`), cookies, and the connection (`c.info`).
 *
 * @example
 * ```ts
 * app.use(async (c, next) => {
 *   c.set('startedAt', Date.now());
 *   await next();
 *   c.header('X-Took', String(Date.now() - c.var.startedAt));
 * });
 * ```
 */
export class Context<V extends object = Record<string, unknown>> {
  readonly req: WebRequest;
  readonly info: ConnInfo;
  readonly #config: ContextConfig;
  #requestId: string | undefined;
  #log: Logger | undefined;
  #status = 200;
  #headers: Headers | undefined;
  #res: Response | undefined;
  /** Made on first use: a prototype-less object is a dictionary, dear to make per request. */
  #var: V | undefined;

  constructor(req: WebRequest, info: ConnInfo, config: ContextConfig) {
    this.req = req;
    this.info = info;
    this.#config = config;
  }

  /** Per-request state set by middleware. */
  get var(): V {
    this.#var ??= Object.create(null) as V;
    return this.#var;
  }

  static {
    configuredLoggerOf = (c) => c.#config.logger;
  }

  /**
   * This request's id: made on first use (a per-process prefix and a counter), or the incoming
   * `X-Request-Id` when the App's `requestId` option trusts it; `requestId()` middleware sets it.
   *
   * @example
   * ```ts
   * app.get('/', (c) => c.text(`request ${c.requestId}`));
   * ```
   */
  get requestId(): string {
    this.#requestId ??= requestIdFor(this.req.headers, this.#config.requestId);
    return this.#requestId;
  }

  /** Sets the id (middleware that assigns ids); `c.log` is bound to the new one from then on. */
  set requestId(id: string) {
    this.#requestId = id;
    this.#log = undefined;
  }

  /**
   * A logger for this request: a child of the App's `logger` (or of the default JSON logger on
   * standard error) whose records carry `reqId`. Made on first use, so a request that does not log
   * pays nothing.
   *
   * @example
   * ```ts
   * app.get('/items', (c) => {
   *   c.log.info({ count: 3 }, 'listed items'); // {"level":"info","reqId":"k3x9a2-1","count":3,"msg":"listed items",…}
   *   return c.json([]);
   * });
   * ```
   */
  get log(): Logger {
    this.#log ??= (this.#config.logger ?? defaultAppLogger()).child({ reqId: this.requestId });
    return this.#log;
  }

  /** The response so far (set by a helper, a returned value or a later middleware); undefined before. */
  get res(): Response | undefined {
    return this.#res;
  }

  /** Replaces the response (a middleware wrapping what `next()` produced). */
  set res(response: Response | undefined) {
    this.#res = response;
  }

  /** Sets per-request state, readable as `c.var[key]` or `c.get(key)`. */
  set<K extends keyof V>(key: K, value: V[K]): void {
    this.var[key] = value;
  }

  get<K extends keyof V>(key: K): V[K] {
    return this.var[key];
  }

  /** The status the next helper uses (default 200). */
  status(code: number): this {
    this.#status = code;
    return this;
  }

  /** Sets (or with `append`, adds) a response field: on the response if there is one, else on the next. */
  header(name: string, value: string, options: { append?: boolean } = {}): this {
    if (this.#res === undefined) this.#headers ??= new Headers();
    const target = this.#res?.headers ?? (this.#headers as Headers);
    if (options.append) target.append(name, value);
    else target.set(name, value);
    return this;
  }

  /** A `text/plain; charset=utf-8` response. */
  text(text: string, status?: number, headers?: ResponseHeaders): Response {
    if (headers === undefined && this.#headers === undefined && typeof text === 'string') {
      // The hot path, as for c.json(): its one field made directly, no field checks for a constant.
      const response = new Response(text, {
        status: status ?? this.#status,
        headers: adopt(['Content-Type', TEXT_TYPE]),
      });
      this.#res = response;
      return response;
    }
    return this.#respond(text, status, headers, undefined);
  }

  /** An `application/json` response. */
  json(data: unknown, status?: number, headers?: ResponseHeaders): Response {
    return this.#respond(JSON.stringify(data) ?? 'null', status, headers, 'application/json');
  }

  /** A `text/html; charset=utf-8` response. */
  html(html: string, status?: number, headers?: ResponseHeaders): Response {
    return this.#respond(html, status, headers, 'text/html; charset=utf-8');
  }

  /** Any body: bytes, text, or an async iterable of chunks (streamed with backpressure). */
  body(body: BodyInit, status?: number, headers?: ResponseHeaders): Response {
    return this.#respond(body, status, headers, undefined);
  }

  /**
   * A server-sent events response (`text/event-stream`, not cached, not buffered by proxies).
   * `handler` runs once the client starts reading and sends events until it returns; `stream.closed`
   * and `stream.signal` tell it when the client has gone. A comment goes out every `keepAliveMs`
   * (default 15 s) of silence.
   *
   * @example
   * ```ts
   * app.get('/ticks', (c) =>
   *   c.sse(async (stream) => {
   *     for (let n = 0; !stream.closed; n++) {
   *       await stream.send({ event: 'tick', data: { n } });
   *       await setTimeout(1000, undefined, { signal: stream.signal }).catch(() => {});
   *     }
   *   }),
   * );
   * ```
   */
  sse(handler: SseHandler, options: SseOptions & { headers?: ResponseHeaders } = {}): Response {
    const stream = new SseStream(handler, this.req.signal, options);
    const response = this.#respond(stream, undefined, options.headers, undefined);
    for (const [name, value] of Object.entries(SSE_HEADERS)) {
      // The content type is what makes it an event stream; the caching fields are defaults.
      if (name === 'Content-Type' || !response.headers.has(name)) response.headers.set(name, value);
    }
    return response;
  }

  /** A redirect (default 302). */
  redirect(location: string, status: 301 | 302 | 303 | 307 | 308 = 302): Response {
    this.header('Location', location);
    return this.#respond(null, status, undefined, undefined);
  }

  /**
   * Sets a cookie. With `signed: true` the value carries an HMAC signature made with the first
   * of the App's `secrets`; read it back with `c.req.signedCookie(name)`.
   */
  cookie(name: string, value: string, options: CookieOptions & { signed?: boolean } = {}): this {
    const { signed, ...rest } = options;
    const stored = signed ? signCookieValue(value, this.#secret()) : value;
    return this.header('Set-Cookie', serializeCookie(name, stored, rest), { append: true });
  }

  /** Expires a cookie (same `path`/`domain` as it was set with). */
  deleteCookie(name: string, options: Pick<CookieOptions, 'path' | 'domain'> = {}): this {
    return this.cookie(name, '', { ...options, maxAge: 0, expires: new Date(0) });
  }

  /** Adopts a value a handler returned, turning text and plain values into responses. */
  adopt(result: HandlerResult): void {
    if (result === undefined || result === null) return;
    if (result instanceof Response) {
      this.#res = this.#withPending(result);
    } else if (typeof result === 'string') {
      this.text(result);
    } else if (result instanceof globalThis.Response) {
      this.#res = this.#withPending(responseFromFetch(result));
    } else {
      this.json(result);
    }
  }

  #respond(
    body: BodyInit,
    status: number | undefined,
    headers: ResponseHeaders | undefined,
    type: string | undefined,
  ): Response {
    let response: Response;
    if (type !== undefined && headers === undefined && this.#headers === undefined) {
      // The hot path (`c.json(x)`, `c.html(x)` with no extra fields): one constant field, no checks.
      response = new Response(body, { status: status ?? this.#status, headers: adopt(['Content-Type', type]) });
    } else {
      response = new Response(body, { status: status ?? this.#status, headers: this.#takeHeaders(headers) });
      if (type !== undefined) response.headers.set('Content-Type', type);
    }
    this.#res = response;
    return response;
  }

  /** The fields set with `c.header()` so far, plus a helper's own (which win). */
  #takeHeaders(extra: ResponseHeaders | undefined): Headers {
    const pending = this.#headers;
    this.#headers = undefined;
    if (extra === undefined) return pending ?? new Headers();
    const out = pending ?? new Headers();
    const entries = extra instanceof Headers ? extra : Object.entries(extra);
    for (const [name, value] of entries) out.set(name, value);
    return out;
  }

  /** A handler returned its own Response: fields set earlier with `c.header()` join it unless it has them. */
  #withPending(response: Response): Response {
    const pending = this.#headers;
    this.#headers = undefined;
    if (pending !== undefined) {
      for (const [name, value] of pending) {
        if (name.toLowerCase() === 'set-cookie' || !response.headers.has(name)) response.headers.append(name, value);
      }
    }
    return response;
  }

  #secret(): string {
    const secret = this.#config.secrets[0];
    if (secret === undefined)
      throw new WirekitError('WK_ERR_COOKIE', 'signed cookies need `secrets` in the App options');
    return secret;
  }
}
