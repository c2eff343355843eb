/**
 * The options of `request()` (and `pool.request()`, `agent.request()`), turned into a
 * {@link DispatchRequest} and sent through the interceptors they ask for (redirect, retry,
 * decompress), so a plain request pays for none of them.
 */

import {
  anyOf,
  anything,
  boolean,
  instanceOf,
  integer,
  nested,
  number,
  OptionsSchema,
  object,
  string,
} from '../util/options.js';
import { type PreparedBody, prepareBody, type RequestBodyInit } from './body.js';
import { decompress } from './decompress.js';
import { flattenHeaders, type HeadersLike, hasHeader } from './fields.js';
import { TIMEOUT_OPTIONS } from './pool-options.js';
import { redirect } from './redirect.js';
import type { ClientResponse } from './response.js';
import { type RetryOptions, retry } from './retry.js';
import type { Timeouts } from './timeouts.js';
import type { Dispatch, Dispatcher, DispatchRequest } from './types.js';

/**
 * The keys of {@link RequestOptions} (`agent.request(url, options)`); `runRequest` checks a request's
 * keys against it, or against one of its extensions.
 *
 * @example
 * ```ts
 * REQUEST_OPTIONS.checkKeys({ method: 'GET' });
 * ```
 */
export const REQUEST_OPTIONS = new OptionsSchema<RequestOptions>('request()', {
  method: string(),
  headers: anything(),
  body: anything(),
  signal: instanceOf(AbortSignal, 'an AbortSignal'),
  timeouts: nested(TIMEOUT_OPTIONS),
  maxRedirections: integer(0),
  retry: anyOf(boolean(), integer(0), object()),
  decompress: boolean(),
  maxResponseBytes: number(0),
});

/**
 * The keys of {@link TargetedRequestOptions} (`pool.request(options)`).
 *
 * @example
 * ```ts
 * TARGETED_REQUEST_OPTIONS.checkKeys({ path: '/users/1' });
 * ```
 */
export const TARGETED_REQUEST_OPTIONS = REQUEST_OPTIONS.extend<TargetedRequestOptions>('pool.request()', {
  path: string(),
});

/**
 * Options of one request.
 *
 * @example
 * ```ts
 * await request(url, { method: 'PUT', body: 'x', retry: 2, maxRedirections: 3, decompress: true });
 * ```
 */
export interface RequestOptions {
  /** Default `GET`. */
  method?: string;
  /** A wirekit or WHATWG `Headers`, a record, `[name, value]` pairs, or flat `[name, value, …]`. */
  headers?: HeadersLike;
  body?: RequestBodyInit;
  signal?: AbortSignal;
  timeouts?: Partial<Timeouts>;
  /** Redirects to follow (301, 302, 303, 307, 308). Default 0: a redirect is returned as it is. */
  maxRedirections?: number;
  /** Retry idempotent requests on network errors and 429/503: `true`, a count, or options. Default off. */
  retry?: boolean | number | RetryOptions;
  /** Send `Accept-Encoding` and decode gzip, deflate and br bodies. Default false (the body as sent). */
  decompress?: boolean;
  /** Largest response body let through (`WK_ERR_RESPONSE_TOO_LARGE`). Default: the dispatcher's. */
  maxResponseBytes?: number;
}

/**
 * {@link RequestOptions} for a dispatcher bound to one origin (`pool.request({ path })`).
 *
 * @example
 * ```ts
 * await pool.request({ path: '/users?id=1', headers: { accept: 'application/json' } });
 * ```
 */
export interface TargetedRequestOptions extends RequestOptions {
  /** Path and query (`/users?id=1`). Default `/`. */
  path?: string;
}

/**
 * Sends `options` to `origin` + `path` through `dispatcher`, with the interceptors the options ask for.
 *
 * @example
 * ```ts
 * const res = await runRequest(agent, 'http://127.0.0.1:8080', '/users/1', { maxRedirections: 3 });
 * ```
 */
export function runRequest(
  dispatcher: Dispatcher,
  origin: string,
  path: string,
  options: RequestOptions,
  schema: OptionsSchema<RequestOptions> = REQUEST_OPTIONS,
): Promise<ClientResponse> {
  let prepared: PreparedBody | Promise<PreparedBody>;
  let headers: readonly string[];
  try {
    // Per request: keys only, against a Set (values are checked where they are used).
    schema.checkKeys(options);
    if (options.timeouts !== undefined) TIMEOUT_OPTIONS.checkKeys(options.timeouts);
    headers = flattenHeaders(options.headers);
    prepared = prepareBody(options.body);
  } catch (error) {
    return Promise.reject(error);
  }
  if (prepared instanceof Promise)
    return prepared.then((ready) => send(dispatcher, origin, path, options, headers, ready));
  return send(dispatcher, origin, path, options, headers, prepared);
}

function send(
  dispatcher: Dispatcher,
  origin: string,
  path: string,
  options: RequestOptions,
  headers: readonly string[],
  prepared: PreparedBody,
): Promise<ClientResponse> {
  const contentType = prepared.contentType;
  const request: DispatchRequest = {
    origin,
    path,
    method: options.method ?? 'GET',
    headers:
      contentType === undefined || hasHeader(headers, 'content-type')
        ? headers
        : [...headers, 'Content-Type', contentType],
    body: prepared.body,
    signal: options.signal,
    timeouts: options.timeouts,
    maxResponseBytes: options.maxResponseBytes,
  };
  const retries = options.retry;
  const redirects = options.maxRedirections ?? 0;
  if ((retries === undefined || retries === false) && redirects === 0 && options.decompress !== true) {
    return dispatcher.dispatch(request);
  }
  let dispatch: Dispatch = (r) => dispatcher.dispatch(r);
  if (retries !== undefined && retries !== false && retries !== 0) {
    const settings = typeof retries === 'object' ? retries : retries === true ? {} : { maxRetries: retries };
    dispatch = retry(settings)(dispatch);
  }
  if (redirects > 0) dispatch = redirect({ maxRedirections: redirects })(dispatch);
  if (options.decompress === true) dispatch = decompress()(dispatch);
  return dispatch(request);
}
