/**
 * The redirect interceptor: follows 301, 302, 303, 307 and 308 up to a limit, the way browsers do
 * (RFC 9110 §15.4, Fetch §4.4): 303 (and 301/302 after a POST) becomes a GET without a body, 307
 * and 308 repeat the method and body (when the body can be sent again), and credentials never
 * cross to another origin.
 */
import { WirekitError } from '../errors.js';
import { isReplayable } from './body.js';
import type { ClientResponse } from './response.js';
import type { DispatchRequest, Interceptor } from './types.js';

/**
 * Options of {@link redirect}.
 *
 * @example
 * ```ts
 * redirect({ maxRedirections: 5 });
 * ```
 */
export interface RedirectOptions {
  /** Redirects to follow; one more is `WK_ERR_REDIRECT_LIMIT`. */
  maxRedirections: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Fields that carry credentials: dropped when a redirect leaves the origin. */
const CREDENTIALS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/** Fields that describe the body: dropped when a redirect turns the request into a GET. */
const BODY_FIELDS = new Set([
  'content-type',
  'content-length',
  'content-encoding',
  'content-language',
  'content-location',
]);

/**
 * Follows redirects. A redirect that cannot be followed (no or bad `Location`, a scheme other than
 * http/https, a 307/308 whose body was a stream) is returned as it is.
 *
 * @example
 * ```ts
 * const api = withInterceptors(new Agent(), redirect({ maxRedirections: 5 }));
 * const res = await api.dispatch({ origin: 'http://127.0.0.1:8080', path: '/old', method: 'GET', headers: [] });
 * console.log(res.url, res.redirected);
 * ```
 */
export function redirect(options: RedirectOptions): Interceptor {
  const max = options.maxRedirections;
  return (next) => async (first) => {
    let request = first;
    const chain: string[] = [];
    for (;;) {
      const response = await next(request);
      const follow = REDIRECTS.has(response.status) ? nextRequest(request, response) : undefined;
      if (follow === undefined) return chain.length === 0 ? response : response.with({ redirected: true });
      chain.push(response.url);
      await response.body.dump();
      if (chain.length > max) {
        throw new WirekitError(
          'WK_ERR_REDIRECT_LIMIT',
          `more than ${max} redirects: ${[...chain, follow.origin + follow.path].join(' -> ')}`,
        );
      }
      request = follow;
    }
  };
}

/** The request a redirect response asks for, or undefined when it cannot be followed. */
function nextRequest(request: DispatchRequest, response: ClientResponse): DispatchRequest | undefined {
  const location = response.headers.get('location');
  if (location === null) return undefined;
  let url: URL;
  try {
    url = new URL(location, response.url);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const status = response.status;
  const toGet =
    (status === 303 && request.method !== 'HEAD') || ((status === 301 || status === 302) && request.method === 'POST');
  if (!toGet && !isReplayable(request.body)) return undefined;
  const crossOrigin = url.origin !== request.origin;
  const headers: string[] = [];
  for (let i = 0; i < request.headers.length; i += 2) {
    const name = request.headers[i] as string;
    const lower = name.toLowerCase();
    if (lower === 'host') continue;
    if (crossOrigin && CREDENTIALS.has(lower)) continue;
    if (toGet && BODY_FIELDS.has(lower)) continue;
    headers.push(name, request.headers[i + 1] as string);
  }
  return {
    ...request,
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: toGet ? 'GET' : request.method,
    headers,
    body: toGet ? null : request.body,
  };
}
