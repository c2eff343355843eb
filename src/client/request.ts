/** `request()`: one request to any URL through the global dispatcher (or the one given). */
import { WirekitError } from '../errors.js';
import { object } from '../util/options.js';
import { getGlobalDispatcher } from './agent.js';
import { REQUEST_OPTIONS, type RequestOptions, runRequest } from './request-options.js';
import type { ClientResponse } from './response.js';
import type { Dispatcher } from './types.js';

/**
 * Options of {@link request}: a request's, and the dispatcher to send it through.
 *
 * @example
 * ```ts
 * await request('http://127.0.0.1:8080/', { dispatcher: new Agent({ connections: 4 }) });
 * ```
 */
export interface RequestInit extends RequestOptions {
  /** Default: the global dispatcher (`getGlobalDispatcher()`, an `Agent`). */
  dispatcher?: Dispatcher;
}

/** The keys of `request(url, init)`: a request's options and `dispatcher`. */
const REQUEST_INIT = REQUEST_OPTIONS.extend<RequestInit>('request()', { dispatcher: object() });

/**
 * Sends one request and resolves with the response head; read the body from `response.body`.
 * Every failure is a `WirekitError` whose code names the phase (`WK_ERR_DNS`, `WK_ERR_CONNECT`,
 * `WK_ERR_TLS`, `WK_ERR_HEADERS_TIMEOUT`, …) with the cause and the socket addresses.
 *
 * @example
 * ```ts
 * const res = await request('http://127.0.0.1:8080/echo', {
 *   method: 'POST',
 *   headers: { 'content-type': 'application/json' },
 *   body: JSON.stringify({ hello: 'world' }),
 *   timeouts: { headersTimeoutMs: 5_000 },
 * });
 * console.log(res.status, await res.body.json(), res.timings.total);
 * ```
 */
export function request(url: string | URL, options: RequestInit = {}): Promise<ClientResponse> {
  let target: URL;
  try {
    target = typeof url === 'string' ? new URL(url) : url;
  } catch (cause) {
    return Promise.reject(new WirekitError('WK_ERR_INVALID_ARGUMENT', `not a URL: ${String(url)}`, { cause }));
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return Promise.reject(
      new WirekitError('WK_ERR_INVALID_ARGUMENT', `only http: and https: URLs are supported, not ${target.protocol}`),
    );
  }
  const dispatcher = options.dispatcher ?? getGlobalDispatcher();
  return runRequest(dispatcher, target.origin, `${target.pathname}${target.search}`, options, REQUEST_INIT);
}
