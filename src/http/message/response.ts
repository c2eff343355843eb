import { WirekitError } from '../../errors.js';
import { reasonPhrase } from '../codec/status.js';
import {
  type BodyContent,
  type BodyInit,
  contentStream,
  normalizeBody,
  readBytes,
  readJson,
  readText,
} from './body.js';
import { adopt, appendTrusted, Headers, type HeadersInit } from './headers.js';

/** Options of `new Response(body, init)`. */
export interface ResponseInit {
  /** Default 200. */
  status?: number;
  /** Reason phrase; default the registered one. */
  statusText?: string;
  headers?: HeadersInit;
  /** Trailer fields sent after a streamed (chunked) body; a function is called once the body has ended. */
  trailers?: HeadersInit | (() => HeadersInit | Promise<HeadersInit>);
}

/**
 * An HTTP response: what a handler returns. The body may be a string, bytes, an async iterable of
 * chunks (streamed with backpressure, chunked on HTTP/1.1) or null. The server adds framing,
 * `Date` and `Connection`; the body of a HEAD response is never sent.
 *
 * @example
 * ```ts
 * return Response.json({ ok: true }, { status: 201, headers: { 'Cache-Control': 'no-store' } });
 * ```
 */
export class Response {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
  readonly trailers: ResponseInit['trailers'];
  #content: BodyContent;
  #bodyUsed = false;

  constructor(body?: BodyInit, init: ResponseInit = {}) {
    const status = init.status ?? 200;
    if (!Number.isInteger(status) || status < 100 || status > 999) {
      throw new WirekitError('WK_ERR_HTTP_INVALID_STATUS', `invalid status ${String(status)}`);
    }
    this.status = status;
    this.statusText = init.statusText ?? reasonPhrase(status) ?? '';
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
    this.trailers = init.trailers;
    const { content, contentType } = normalizeBody(body);
    this.#content = content;
    // The body's own type is one of a few constants: no field checks for it.
    if (contentType !== undefined && !this.headers.has('content-type'))
      appendTrusted(this.headers, 'Content-Type', contentType);
  }

  /** A JSON response (`application/json`). */
  static json(data: unknown, init: ResponseInit = {}): Response {
    const body = JSON.stringify(data) ?? 'null';
    // The common case builds its one field directly: no field checks for a constant.
    if (init.headers === undefined)
      return new Response(body, { ...init, headers: adopt(['Content-Type', 'application/json']) });
    const response = new Response(body, init);
    response.headers.set('Content-Type', 'application/json');
    return response;
  }

  /** A `text/plain; charset=utf-8` response. */
  static text(text: string, init: ResponseInit = {}): Response {
    return new Response(text, init);
  }

  /** A `text/html; charset=utf-8` response. */
  static html(html: string, init: ResponseInit = {}): Response {
    const response = new Response(html, init);
    response.headers.set('Content-Type', 'text/html; charset=utf-8');
    return response;
  }

  /** A redirect to `location` (default 302 Found). */
  static redirect(location: string, status: 301 | 302 | 303 | 307 | 308 = 302): Response {
    return new Response(null, { status, headers: { Location: location } });
  }

  /** The body as given (string, bytes, async iterable or null), for the server to write. Taking it uses it. */
  takeContent(): BodyContent {
    if (this.#bodyUsed) throw new WirekitError('WK_ERR_BODY_USED');
    this.#bodyUsed = true;
    return this.#content;
  }

  /** The body without using it: for servers that need its size or kind before writing. */
  peekContent(): BodyContent {
    return this.#content;
  }

  get bodyUsed(): boolean {
    return this.#bodyUsed;
  }

  /** The body as a stream (read once). */
  get body(): AsyncIterable<Uint8Array> | null {
    const content = this.takeContent();
    return content === null ? null : contentStream(content);
  }

  bytes(maxBytes = Number.POSITIVE_INFINITY): Promise<Uint8Array> {
    return readBytes(this.takeContent(), maxBytes);
  }

  text(maxBytes?: number): Promise<string> {
    return readText(this.takeContent(), maxBytes ?? Number.POSITIVE_INFINITY);
  }

  json<T = unknown>(maxBytes?: number): Promise<T> {
    return readJson<T>(this.takeContent(), maxBytes ?? Number.POSITIVE_INFINITY);
  }
}
