import { WirekitError } from '../../errors.js';
import {
  type BodyContent,
  type BodyInit,
  contentStream,
  DEFAULT_MAX_BODY_BYTES,
  normalizeBody,
  readBytes,
  readJson,
  readText,
} from './body.js';
import { Headers, type HeadersInit } from './headers.js';
import { DEFAULT_MAX_JSON_DEPTH } from './json-depth.js';

/** Options of `new Request(target, init)`. */
export interface RequestInit {
  /** Default `GET`. */
  method?: string;
  headers?: HeadersInit;
  body?: BodyInit;
  /** Default `1.1`; `2.0` for a request that came over HTTP/2. */
  version?: '1.0' | '1.1' | '2.0';
  /** Limit of buffered reads (`text()`, `json()`, `bytes()`). Default 1 MiB; over it: 413. */
  maxBodyBytes?: number;
  /** Deepest nesting of arrays and objects `json()` accepts. Default 128; deeper: 400 `WK_ERR_JSON_TOO_DEEP`. */
  maxJsonDepth?: number;
  /** `http` or `https`: the scheme `url` is built with. Default `http`. */
  protocol?: 'http' | 'https';
  /** Aborting it aborts `request.signal` (a Fetch Request's signal, a test's own deadline). */
  signal?: AbortSignal;
}

/** The dependent signal each request follows, alive as long as the request (see Request#follow). */
const followers = new WeakMap<object, AbortSignal>();

/** Hooks the server uses (assigned in the class's static block); not part of the public API. */
export const requestInternals = {} as {
  /** Aborts `request.signal` (client gone, server gave up). */
  abort(request: Request, reason: unknown): void;
  /** Sets the trailers of a chunked body once it has ended. */
  setTrailers(request: Request, trailers: Headers): void;
};

/**
 * An HTTP request: what a handler receives from the server (and what `app.request()` builds).
 * The body is a stream read once: as an async iterable, or whole with `text()`, `json()`, `bytes()`
 * (limited to `maxBodyBytes`, default 1 MiB, over which they throw a 413 error).
 *
 * @example
 * ```ts
 * const req = new Request('/items?tag=a&tag=b', { method: 'POST', body: '{"name":"x"}' });
 * req.query.getAll('tag'); // ['a', 'b']
 * await req.json(); // { name: 'x' }
 * ```
 */
export class Request {
  readonly method: string;
  /** The request-target as received (origin-form `/path?query` in nearly every request). */
  readonly target: string;
  /** The HTTP version the request came with: `'2.0'` over HTTP/2. */
  readonly version: '1.0' | '1.1' | '2.0';
  readonly headers: Headers;
  readonly protocol: 'http' | 'https';
  /** Limit of buffered reads, in bytes. */
  maxBodyBytes: number;
  /** Deepest nesting of arrays and objects `json()` accepts (default 128; deeper: a 400). */
  maxJsonDepth: number;
  #content: BodyContent;
  #bodyUsed = false;
  #pathEnd = -1;
  #query: URLSearchParams | undefined;
  #controller: AbortController | undefined;
  #abortReason: unknown = undefined;
  #trailers: Headers | undefined;

  static {
    requestInternals.abort = (request, reason) => request.#abort(reason);
    requestInternals.setTrailers = (request, trailers) => {
      request.#trailers = trailers;
    };
  }

  constructor(target: string, init: RequestInit = {}) {
    this.method = init.method ?? 'GET';
    this.target = target;
    this.version = init.version ?? '1.1';
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
    this.protocol = init.protocol ?? 'http';
    this.maxBodyBytes = init.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.maxJsonDepth = init.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH;
    const { content, contentType } = normalizeBody(init.body);
    this.#content = content;
    if (contentType !== undefined && !this.headers.has('content-type')) this.headers.set('Content-Type', contentType);
    if (init.signal !== undefined) this.#follow(init.signal);
  }

  /** The path part of the target, still percent-encoded (`/a%20b` for `/a%20b?x=1`). */
  get path(): string {
    const target = this.target;
    if (target.charCodeAt(0) !== 0x2f) return this.#url().pathname;
    if (this.#pathEnd === -1) {
      const q = target.indexOf('?');
      const h = target.indexOf('#');
      this.#pathEnd = q === -1 ? (h === -1 ? target.length : h) : h === -1 ? q : Math.min(q, h);
    }
    return this.#pathEnd === target.length ? target : target.slice(0, this.#pathEnd);
  }

  /** The raw query string without `?` (empty when none). */
  get search(): string {
    const target = this.target;
    const q = target.indexOf('?');
    if (q === -1) return '';
    const h = target.indexOf('#', q);
    return target.slice(q + 1, h === -1 ? undefined : h);
  }

  /** The query parameters (repeated keys kept: `query.getAll('tag')`). */
  get query(): URLSearchParams {
    this.#query ??= new URLSearchParams(this.search);
    return this.#query;
  }

  /** The absolute URL: the target if absolute-form, else built from the scheme and Host. */
  get url(): string {
    return this.#url().href;
  }

  /** The body as a stream of chunks (read once). An empty stream when there is no body. */
  get body(): AsyncIterable<Uint8Array> {
    return contentStream(this.#take());
  }

  /** True once the body has been taken by `body`, `text()`, `json()` or `bytes()`. */
  get bodyUsed(): boolean {
    return this.#bodyUsed;
  }

  /** Trailer fields of a chunked request body, once it has been read to the end. */
  get trailers(): Headers {
    return this.#trailers ?? new Headers();
  }

  /** Aborted when the client goes away or the server gives up on this request. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#abortReason !== undefined) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  bytes(): Promise<Uint8Array> {
    return readBytes(this.#take(), this.maxBodyBytes);
  }

  text(): Promise<string> {
    return readText(this.#take(), this.maxBodyBytes);
  }

  /**
   * The body parsed as JSON. A `__proto__` key, or a `constructor` holding a `prototype`, anywhere
   * in it is a 400 `WK_ERR_JSON_PROTOTYPE_KEY` (as Fastify does): merged into another object later,
   * such keys change prototypes. `JSON.parse(await req.text())` takes them as they are. Arrays and
   * objects nested deeper than `maxJsonDepth` are a 400 `WK_ERR_JSON_TOO_DEEP`.
   */
  json<T = unknown>(): Promise<T> {
    return readJson<T>(this.#take(), this.maxBodyBytes, true, this.maxJsonDepth);
  }

  #take(): BodyContent {
    if (this.#bodyUsed) throw new WirekitError('WK_ERR_BODY_USED');
    this.#bodyUsed = true;
    return this.#content;
  }

  #url(): URL {
    const host = this.headers.get('host') ?? 'localhost';
    return new URL(this.target, `${this.protocol}://${host}`);
  }

  /**
   * Aborts with `signal`. A signal that outlives many requests (a test's, a client's) must not
   * collect a listener per request: the listener goes on a dependent signal (`AbortSignal.any`),
   * which `signal` holds weakly and this request holds strongly, so it goes when the request does.
   */
  #follow(signal: AbortSignal): void {
    if (signal.aborted) {
      this.#abort(signal.reason);
      return;
    }
    const follower = typeof AbortSignal.any === 'function' ? AbortSignal.any([signal]) : signal;
    followers.set(this, follower);
    follower.addEventListener('abort', () => this.#abort(follower.reason), { once: true });
  }

  #abort(reason: unknown): void {
    if (this.#abortReason !== undefined) return;
    this.#abortReason = reason ?? new WirekitError('WK_ERR_ABORTED');
    this.#controller?.abort(this.#abortReason);
  }
}
