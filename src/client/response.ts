/** `ClientResponse`: what every dispatch resolves with, once the response head has arrived. */
import type { SocketAddress } from '../errors.js';
import { Headers } from '../http/message/headers.js';
import type { ResponseBody } from './response-body.js';

/**
 * Where the time of one request went, in milliseconds. `dns`, `connect` and `tls` are the phases of
 * the connection it opened (0 on a reused connection); `ttfb` runs from the request being written to
 * the first response byte; `total` from the call to the end of the body (to the head while the body
 * is still unread). `queued` is the wait for a free connection.
 *
 * @example
 * ```ts
 * const { timings } = await request(url);
 * console.log(`dns ${timings.dns} connect ${timings.connect} tls ${timings.tls} ttfb ${timings.ttfb}`);
 * ```
 */
export interface Timings {
  queued: number;
  dns: number;
  connect: number;
  tls: number;
  ttfb: number;
  total: number;
}

/**
 * What a {@link ClientResponse} is made of.
 *
 * @example
 * ```ts
 * const decoded = response.with({ body: new ResponseBody(decodedChunks) });
 * ```
 */
export interface ClientResponseInit {
  readonly status: number;
  readonly statusText: string;
  readonly version: '1.0' | '1.1' | '2.0';
  readonly headers: Headers;
  readonly body: ResponseBody;
  readonly timings: Timings;
  readonly reused: boolean;
  readonly url: string;
  readonly redirected?: boolean;
  readonly localAddress?: SocketAddress | undefined;
  readonly remoteAddress?: SocketAddress | undefined;
  /** Where the trailers are once the body has ended (flat `[name, value, …]`): the body stream. */
  readonly trailers?: { readonly trailers: readonly string[] };
}

const NO_TRAILERS = Object.freeze({ trailers: Object.freeze([]) as readonly string[] });

/**
 * A response as the client hands it over: status and head now, the body as a stream to read once.
 *
 * @example
 * ```ts
 * const res = await request('http://127.0.0.1:8080/users/1');
 * if (res.status === 200) console.log(await res.body.json(), res.timings.ttfb, res.reused);
 * ```
 */
export class ClientResponse {
  readonly status: number;
  /** The reason phrase of an HTTP/1.x status line; empty over HTTP/2, which has none. */
  readonly statusText: string;
  /** `'2.0'` for a response that came over HTTP/2. */
  readonly version: '1.0' | '1.1' | '2.0';
  readonly headers: Headers;
  readonly body: ResponseBody;
  readonly timings: Timings;
  /** True when the request went out on a connection that had served an earlier one. */
  readonly reused: boolean;
  /** The URL this response answers (after redirects, the last one). */
  readonly url: string;
  /** True when at least one redirect was followed to get here. */
  readonly redirected: boolean;
  readonly localAddress: SocketAddress | undefined;
  readonly remoteAddress: SocketAddress | undefined;
  readonly #trailers: { readonly trailers: readonly string[] };
  readonly #init: ClientResponseInit;

  constructor(init: ClientResponseInit) {
    this.#init = init;
    this.status = init.status;
    this.statusText = init.statusText;
    this.version = init.version;
    this.headers = init.headers;
    this.body = init.body;
    this.timings = init.timings;
    this.reused = init.reused;
    this.url = init.url;
    this.redirected = init.redirected ?? false;
    this.localAddress = init.localAddress;
    this.remoteAddress = init.remoteAddress;
    this.#trailers = init.trailers ?? NO_TRAILERS;
  }

  /** True for a 2xx status. */
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  /** Trailer fields of a chunked body: empty until the body has been read to its end. */
  get trailers(): Headers {
    return new Headers(pairs(this.#trailers.trailers));
  }

  /** The same response with some parts replaced (interceptors use it: a decoded body, the final URL). */
  with(changes: Partial<Pick<ClientResponseInit, 'body' | 'headers' | 'url' | 'redirected'>>): ClientResponse {
    return new ClientResponse({ ...this.#init, ...changes });
  }
}

function* pairs(flat: readonly string[]): Generator<[string, string]> {
  for (let i = 0; i < flat.length; i += 2) yield [flat[i] as string, flat[i + 1] as string];
}
