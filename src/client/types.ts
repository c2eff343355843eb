/**
 * The dispatch types: what an interceptor sees and returns. One request is a plain
 * {@link DispatchRequest}; its answer is a {@link ClientResponse}; a {@link Dispatcher} turns one into
 * the other (Client, Pool, Agent, or a composition), and an {@link Interceptor} wraps a dispatch.
 */
import type { ClientResponse } from './response.js';
import type { Timeouts } from './timeouts.js';

/**
 * A request body as dispatchers take it. Strings (UTF-8), bytes and Blobs are sent with a
 * Content-Length and can be sent again (a retry, a 307 redirect); an async iterable is streamed with
 * chunked encoding (or under the Content-Length the caller gives) and can be sent once.
 * `request()` also takes forms, which it turns into one of these first.
 *
 * @example
 * ```ts
 * const body: DispatchBody = fs.createReadStream('upload.bin'); // streamed, chunked
 * ```
 */
export type DispatchBody = string | Uint8Array | Blob | AsyncIterable<Uint8Array | string> | null;

/**
 * One request as it travels through interceptors to a dispatcher. Interceptors may copy it with
 * changes (`{ ...request, headers: [...] }`); dispatchers never mutate it.
 *
 * @example
 * ```ts
 * const request: DispatchRequest = { origin: 'http://127.0.0.1:8080', path: '/users/1', method: 'GET', headers: [] };
 * const response = await pool.dispatch(request);
 * ```
 */
export interface DispatchRequest {
  /** `scheme://host[:port]` with no path (`http://127.0.0.1:8080`). */
  readonly origin: string;
  /** The origin-form target: path and query (`/a?b=1`). */
  readonly path: string;
  /** A method token (`GET`, `POST`, …), sent as given. */
  readonly method: string;
  /** Fields as flat `[name, value, …]`. Host, Content-Length, Transfer-Encoding and Connection are ours. */
  readonly headers: readonly string[];
  readonly body?: DispatchBody | undefined;
  /** Aborts the request at any point (queued, connecting, waiting, reading the body): `WK_ERR_ABORTED`. */
  readonly signal?: AbortSignal | undefined;
  /** Per-request timeouts; each one not given falls back to the dispatcher's, then to the default. */
  readonly timeouts?: Partial<Timeouts> | undefined;
  /** Largest response body the parser lets through (`WK_ERR_RESPONSE_TOO_LARGE`). Default: the dispatcher's. */
  readonly maxResponseBytes?: number | undefined;
}

/**
 * Anything that sends a request and resolves with the response head (the body streams after).
 *
 * @example
 * ```ts
 * const logging: Dispatch = async (request) => {
 *   console.log(request.method, request.origin + request.path);
 *   return pool.dispatch(request);
 * };
 * ```
 */
export type Dispatch = (request: DispatchRequest) => Promise<ClientResponse>;

/**
 * A user concern around every request (auth, logging, caching, retries): given the next dispatch,
 * returns a dispatch that calls it (or not).
 *
 * @example
 * ```ts
 * const auth: Interceptor = (next) => (request) =>
 *   next({ ...request, headers: [...request.headers, 'authorization', `Bearer ${token}`] });
 * const api = withInterceptors(new Agent(), auth);
 * ```
 */
export type Interceptor = (next: Dispatch) => Dispatch;

/**
 * What `Client`, `Pool`, `Agent` and compositions have in common.
 *
 * @example
 * ```ts
 * async function ping(dispatcher: Dispatcher): Promise<number> {
 *   const response = await dispatcher.dispatch({ origin: 'http://127.0.0.1:8080', path: '/', method: 'HEAD', headers: [] });
 *   await response.body.dump();
 *   return response.status;
 * }
 * ```
 */
export interface Dispatcher {
  /** Sends one request; resolves when the response head has arrived. */
  dispatch(request: DispatchRequest): Promise<ClientResponse>;
  /** Refuses new requests, lets the ones accepted finish, then closes every connection. */
  close(): Promise<void>;
  /** Fails every request in progress with `error` (default `WK_ERR_CLIENT_CLOSED`) and closes now. */
  destroy(error?: unknown): Promise<void>;
}
