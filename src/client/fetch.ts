/**
 * `fetch()` with the WHATWG signature, on wirekit's client: pooled keep-alive connections, the
 * per-phase timeouts, and errors that say what failed. It returns a WHATWG `Response` (through the
 * message converters), decodes gzip/deflate/br and follows up to 20 redirects, like the standard.
 *
 * Where it differs from the standard: a failure rejects with a `WirekitError` naming the phase
 * (`WK_ERR_CONNECT`, `WK_ERR_TLS`, `WK_ERR_HEADERS_TIMEOUT`, … with cause and addresses), not with
 * `TypeError: fetch failed`. An abort follows the standard (Fetch §4.1, "abort fetch"): the call, or
 * the body being read, rejects with the signal's reason, as undici's fetch does (see `abortReason`).
 * No CORS, cache modes, credentials modes or cookies: it is a server-side client.
 */
import { WirekitError } from '../errors.js';
import { responseToFetch } from '../http/message/fetch.js';
import { Response } from '../http/message/response.js';
import { anything, OptionsSchema } from '../util/options.js';
import { getGlobalDispatcher } from './agent.js';
import type { RequestBodyInit } from './body.js';
import { TIMEOUT_OPTIONS } from './pool-options.js';
import { runRequest } from './request-options.js';
import type { ClientResponse } from './response.js';
import type { Timeouts } from './timeouts.js';
import type { Dispatcher } from './types.js';

/**
 * The standard `RequestInit`, plus wirekit's dispatcher and timeouts.
 *
 * @example
 * ```ts
 * await fetch(url, { method: 'POST', body: 'x', timeouts: { headersTimeoutMs: 2_000 }, dispatcher: agent });
 * ```
 */
export interface FetchInit extends Omit<globalThis.RequestInit, 'dispatcher'> {
  /** Default: the global dispatcher. */
  dispatcher?: Dispatcher;
  timeouts?: Partial<Timeouts>;
  /** Redirects followed with `redirect: 'follow'`. Default 20 (as Fetch). */
  maxRedirections?: number;
}

/**
 * Fetch users routinely drop a Response without reading its body (an error page, a HEAD-like
 * check). Unread, a body larger than the pool's buffer keeps its connection busy for good, so once
 * the body's stream is garbage-collected, unread, the client body under it is cancelled, which
 * closes that connection. The stream is watched, not the Response: a caller may keep
 * `response.body` and drop the Response (undici watches the Response and empties such a body).
 * The client body does not reference the stream, so holding it here keeps nothing alive; cancelling
 * a body that was read to its end changes nothing.
 */
const dropped = new FinalizationRegistry<ClientResponse['body']>((body) => body.cancel());

/** The standard RequestInit's keys (some are absent from Node 20's types), and wirekit's. */
type FetchKey =
  | keyof FetchInit
  | 'body'
  | 'cache'
  | 'credentials'
  | 'headers'
  | 'integrity'
  | 'keepalive'
  | 'method'
  | 'mode'
  | 'redirect'
  | 'referrer'
  | 'referrerPolicy'
  | 'signal'
  | 'window'
  | 'duplex'
  | 'priority';

/**
 * The keys `fetch()` takes: the standard RequestInit's (Node's fetch and undici take the same) and
 * wirekit's three. Checked per call against a Set.
 */
const FETCH_INIT = new OptionsSchema<{ [K in FetchKey]?: unknown }>('fetch()', {
  body: anything(),
  cache: anything(),
  credentials: anything(),
  headers: anything(),
  integrity: anything(),
  keepalive: anything(),
  method: anything(),
  mode: anything(),
  redirect: anything(),
  referrer: anything(),
  referrerPolicy: anything(),
  signal: anything(),
  window: anything(),
  duplex: anything(),
  priority: anything(),
  dispatcher: anything(),
  timeouts: anything(),
  maxRedirections: anything(),
});

/** Methods Fetch normalises to upper case (Fetch §2.2.1). */
const NORMALISED = new Set(['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT']);

/**
 * Fetches `input` (a URL, or a WHATWG `Request`) and resolves with a WHATWG `Response`.
 *
 * @example
 * ```ts
 * const res = await fetch('http://127.0.0.1:8080/json', { signal: AbortSignal.timeout(5_000) });
 * console.log(res.status, res.statusText, await res.json());
 * ```
 */
export async function fetch(
  input: string | URL | globalThis.Request,
  init: FetchInit = {},
): Promise<globalThis.Response> {
  FETCH_INIT.checkKeys(init);
  if (init.timeouts !== undefined) TIMEOUT_OPTIONS.checkKeys(init.timeouts);
  const source = input instanceof globalThis.Request ? input : undefined;
  const url = new URL(source === undefined ? String(input) : source.url);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `fetch supports http: and https: URLs, not ${url.protocol}`);
  }
  const raw = init.method ?? source?.method ?? 'GET';
  const method = NORMALISED.has(raw.toUpperCase()) ? raw.toUpperCase() : raw;
  const headers = new globalThis.Headers(init.headers ?? source?.headers);
  let body = (init.body ?? source?.body ?? null) as RequestBodyInit;
  if (typeof body === 'string' && !headers.has('content-type')) headers.set('Content-Type', 'text/plain;charset=UTF-8');
  if (method === 'GET' || method === 'HEAD') body = null;
  const mode = init.redirect ?? source?.redirect ?? 'follow';
  const signal = init.signal ?? source?.signal ?? undefined;
  if (signal?.aborted) throw signal.reason;
  const response = await runRequest(
    init.dispatcher ?? getGlobalDispatcher(),
    url.origin,
    `${url.pathname}${url.search}`,
    {
      method,
      headers,
      body,
      ...(signal === undefined ? {} : { signal }),
      ...(init.timeouts === undefined ? {} : { timeouts: init.timeouts }),
      maxRedirections: mode === 'follow' ? (init.maxRedirections ?? 20) : 0,
      decompress: true,
    },
  ).catch((error: unknown) => {
    throw abortReason(error, signal);
  });
  if (mode === 'error' && response.status >= 300 && response.status < 400 && response.headers.has('location')) {
    await response.body.dump();
    throw new WirekitError('WK_ERR_REDIRECT_LIMIT', `${url.href} redirected, and redirect is 'error'`);
  }
  return toFetchResponse(response, signal);
}

/**
 * What a fetch aborted by `signal` rejects with (Fetch §4.1: the signal's abort reason), given the
 * error wirekit failed with. A reason of your own (`controller.abort(myError)`) comes back as it
 * is. The reason the platform makes, a `DOMException` (`AbortError` from `abort()`, `TimeoutError`
 * from `AbortSignal.timeout()`), comes back as a `DOMException` of the same name and message whose
 * `cause` is wirekit's error, which names the phase and the addresses: `error.name` reads as
 * undici's, and nothing is written on the signal's own reason, which other calls may share.
 * Other failures, and a failure that is not the abort, are returned unchanged.
 *
 * @example
 * ```ts
 * catch (error) { if (error instanceof DOMException && error.name === 'TimeoutError') console.log(error.cause); }
 * ```
 */
function abortReason(error: unknown, signal: AbortSignal | undefined): unknown {
  if (signal === undefined || !signal.aborted) return error;
  const reason: unknown = signal.reason;
  if (!(reason instanceof DOMException)) return reason;
  return new DOMException(reason.message, { name: reason.name, cause: error });
}

/** The body's chunks, failing with the abort's reason (as the call does) when `signal` ended it. */
async function* abortable(body: AsyncIterable<Uint8Array>, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  try {
    yield* body;
  } catch (error) {
    throw abortReason(error, signal);
  }
}

function toFetchResponse(response: ClientResponse, signal: AbortSignal | undefined): globalThis.Response {
  const converted = responseToFetch(
    new Response(signal === undefined ? response.body : abortable(response.body, signal), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    }),
  );
  // The standard sets these from fetch's own state; a constructed Response has '' and false.
  Object.defineProperty(converted, 'url', { value: response.url });
  Object.defineProperty(converted, 'redirected', { value: response.redirected });
  if (converted.body !== null) dropped.register(converted.body, response.body);
  return converted;
}
