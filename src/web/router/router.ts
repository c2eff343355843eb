/**
 * The router contract shared by every implementation: `add` routes, `find` one per request.
 * Routers are pure (no I/O); the App turns a {@link RouteResult} into a response.
 * Pattern syntax and matching policies are documented in `docs/router.md`.
 */

import { WirekitError } from '../../errors.js';

/**
 * Route parameters by name, fully percent-decoded; a wildcard's capture is under `'*'`. Params
 * inherit nothing (their prototype chain holds no `Object.prototype`), so a parameter named
 * `constructor` or `__proto__` is just data.
 *
 * @example
 * ```ts
 * const params: Params = { id: '42', '*': 'a/b.txt' };
 * ```
 */
export type Params = Record<string, string>;

/**
 * A successful match: the route's value, its decoded params, and the method it was registered with.
 *
 * @example
 * ```ts
 * const hit: RouteFound<string> = { status: 'found', value: 'h', params: { id: '1' }, pattern: '/u/:id', method: 'GET' };
 * ```
 */
export interface RouteFound<T> {
  status: 'found';
  value: T;
  params: Params;
  /** The pattern as given to `add`, e.g. `/users/:id?`. */
  pattern: string;
  /** The method the route was registered with: `GET` for a HEAD served by a GET route, `ALL` for an ALL route. */
  method: string;
}

/**
 * The outcome of {@link Router.find}; `bad-path` means malformed percent-encoding (the App answers 400).
 * `allow` is sorted and lists HEAD where GET is. Results may be shared and frozen: read-only.
 *
 * @example
 * ```ts
 * const result = router.find('GET', '/users/42');
 * if (result.status === 'method-not-allowed') headers.set('allow', result.allow.join(', '));
 * ```
 */
export type RouteResult<T> =
  | RouteFound<T>
  | { status: 'method-not-allowed'; allow: readonly string[] }
  | { status: 'not-found' }
  | { status: 'bad-path' };

/**
 * A request router.
 *
 * @example
 * ```ts
 * const router: Router<string> = new RadixRouter();
 * router.add('GET', '/users/:id', 'user');
 * router.find('GET', '/users/42'); // { status: 'found', value: 'user', params: { id: '42' }, ... }
 * ```
 */
export interface Router<T> {
  /**
   * Registers `value` for `method` (`ALL` matches any method) and `pattern`.
   * Throws a {@link WirekitError} `WK_ERR_ROUTE_CONFLICT` when the same method and pattern shape
   * is already registered, `WK_ERR_ROUTE_PATTERN` for an invalid pattern.
   */
  add(method: string, pattern: string, value: T): void;
  /** Finds the route for `method` and `path`: the raw request path, percent-encoded, without query. */
  find(method: string, path: string): RouteResult<T>;
}

/**
 * Matching policies; every router implementation honours the same ones (see docs/router.md).
 *
 * @example
 * ```ts
 * const options: RouterOptions = { ignoreTrailingSlash: true, caseSensitive: false, maxParamLength: 100 };
 * ```
 */
export interface RouterOptions {
  /** Treat `/a` and `/a/` as the same path. Default `false`: they are different routes. */
  ignoreTrailingSlash?: boolean;
  /** Match static text case-sensitively. Default `true`. Param values always keep their case. */
  caseSensitive?: boolean;
  /** A param segment longer than this (UTF-16 units, as matched) never matches. Default 500. */
  maxParamLength?: number;
}

/**
 * {@link RouterOptions} with every default filled in.
 *
 * @example
 * ```ts
 * const { ignoreTrailingSlash } = resolveRouterOptions({}); // false
 * ```
 */
export interface ResolvedRouterOptions {
  readonly ignoreTrailingSlash: boolean;
  readonly caseSensitive: boolean;
  readonly maxParamLength: number;
}

/**
 * The default of {@link RouterOptions.maxParamLength}, as in find-my-way.
 *
 * @example
 * ```ts
 * new RadixRouter({ maxParamLength: DEFAULT_MAX_PARAM_LENGTH * 2 });
 * ```
 */
export const DEFAULT_MAX_PARAM_LENGTH = 500;

/**
 * Fills in defaults and validates {@link RouterOptions}.
 *
 * @example
 * ```ts
 * resolveRouterOptions({ caseSensitive: false }).maxParamLength; // 500
 * ```
 */
export function resolveRouterOptions(options: RouterOptions = {}): ResolvedRouterOptions {
  const maxParamLength = options.maxParamLength ?? DEFAULT_MAX_PARAM_LENGTH;
  if (!Number.isSafeInteger(maxParamLength) || maxParamLength < 1) {
    throw new WirekitError(
      'WK_ERR_INVALID_ARGUMENT',
      `maxParamLength must be a positive integer, got ${maxParamLength}`,
    );
  }
  return {
    ignoreTrailingSlash: options.ignoreTrailingSlash ?? false,
    caseSensitive: options.caseSensitive ?? true,
    maxParamLength,
  };
}

/**
 * The shared, frozen 404 result: a miss allocates nothing.
 *
 * @example
 * ```ts
 * router.find('GET', '/nothing') === NOT_FOUND; // true
 * ```
 */
export const NOT_FOUND: RouteResult<never> = Object.freeze({ status: 'not-found' });

/**
 * The shared, frozen result for a path with malformed percent-encoding.
 *
 * @example
 * ```ts
 * router.find('GET', '/%zz') === BAD_PATH; // true
 * ```
 */
export const BAD_PATH: RouteResult<never> = Object.freeze({ status: 'bad-path' });
