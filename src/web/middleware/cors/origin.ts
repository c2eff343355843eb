import type { WebRequest } from '../../web-request.js';

/**
 * Which origins may read responses: `'*'` (any), one origin, a list, a pattern, or a function that
 * answers `true` (allow, echoing the origin), a string (the `Access-Control-Allow-Origin` value to
 * send) or `false`/`null`/`undefined` (refuse).
 */
export type CorsOrigin =
  | string
  | readonly string[]
  | RegExp
  | ((origin: string, req: WebRequest) => boolean | string | null | undefined);

/**
 * The `Access-Control-Allow-Origin` value for a request from `origin`, or undefined when the origin
 * is not allowed. `cors()` refuses `'*'` with credentials, so `*` is only ever sent without them.
 *
 * @example
 * ```ts
 * allowedOrigin(['https://a.example'], 'https://a.example', c.req); // 'https://a.example'
 * ```
 */
export function allowedOrigin(policy: CorsOrigin, origin: string, req: WebRequest): string | undefined {
  if (policy === '*') return '*';
  if (typeof policy === 'string') return policy === origin ? origin : undefined;
  if (policy instanceof RegExp) {
    // A /g or /y pattern keeps lastIndex between calls: reset it so every request is judged alone.
    policy.lastIndex = 0;
    return policy.test(origin) ? origin : undefined;
  }
  if (typeof policy === 'function') {
    const answer = policy(origin, req);
    if (answer === true) return origin;
    return typeof answer === 'string' && answer !== '' ? answer : undefined;
  }
  return policy.includes(origin) ? origin : undefined;
}

/**
 * Whether the answer depends on the request's `Origin`: everything but a plain `*` does, and then
 * every response carries `Vary: Origin`, those to requests without `Origin` included, so a shared
 * cache never hands one origin's answer to another (Fetch standard, "CORS protocol and HTTP caches").
 *
 * @example
 * ```ts
 * variesByOrigin('*'); // false: every origin gets `*`
 * variesByOrigin(['https://a.example']); // true
 * ```
 */
export function variesByOrigin(policy: CorsOrigin): boolean {
  return policy !== '*';
}
