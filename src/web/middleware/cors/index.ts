import { WirekitError } from '../../../errors.js';
import { anything, boolean, integer, listOf, OptionsSchema, string } from '../../../util/options.js';
import type { Middleware } from '../../compose.js';
import type { Context } from '../../context.js';
import { integerOption } from '../shared/options.js';
import { addVary } from '../shared/vary.js';
import { allowedOrigin, type CorsOrigin, variesByOrigin } from './origin.js';

export type { CorsOrigin } from './origin.js';

/** Options of {@link cors}; every one has a default. */
export interface CorsOptions {
  /** Origins allowed to read responses. Default `'*'`. */
  origin?: CorsOrigin;
  /**
   * Allow cookies and HTTP auth (`Access-Control-Allow-Credentials: true`). Needs an explicit
   * `origin` (list, pattern or function): with `'*'` every site could read responses made with the
   * user's cookies, so `cors()` throws `WK_ERR_INVALID_ARGUMENT`. Default false.
   */
  credentials?: boolean;
  /** Methods a preflight allows. Default GET, HEAD, PUT, PATCH, POST, DELETE. */
  allowMethods?: readonly string[];
  /** Request headers a preflight allows. Default: the ones the preflight asks for (echoed). */
  allowHeaders?: readonly string[];
  /** Response headers scripts may read beyond the CORS-safelisted ones. Default none. */
  exposeHeaders?: readonly string[];
  /** How long, in seconds, a browser may cache a preflight answer. Default 600 (Chromium caps it at 7200). */
  maxAgeSeconds?: number;
}

const DEFAULT_METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE'];

const CORS_OPTIONS = new OptionsSchema<CorsOptions>('cors()', {
  origin: anything(),
  credentials: boolean(),
  allowMethods: listOf(string(), 'a list of strings'),
  allowHeaders: listOf(string(), 'a list of strings'),
  exposeHeaders: listOf(string(), 'a list of strings'),
  maxAgeSeconds: integer(0),
});

/**
 * Cross-origin resource sharing (Fetch standard, "CORS protocol"). A preflight (`OPTIONS` with
 * `Origin` and `Access-Control-Request-Method`) is answered here with 204 and never reaches the
 * routes; other requests with `Origin` get the allow fields on their response, error responses
 * included. Requests without `Origin` get no CORS field, only `Vary: Origin` when the answer
 * depends on the origin.
 *
 * @example
 * ```ts
 * app.use('/api/*', cors({ origin: ['https://app.example'], credentials: true, exposeHeaders: ['X-Request-Id'] }));
 * ```
 */
export function cors<V extends object = Record<string, unknown>>(options: CorsOptions = {}): Middleware<V> {
  CORS_OPTIONS.check(options);
  const policy = options.origin ?? '*';
  const credentials = options.credentials ?? false;
  if (credentials && policy === '*') {
    // Echoing any origin with credentials is the classic CORS hole; `origin: () => true` opts in knowingly.
    const message = "cors({ credentials: true }) needs an explicit origin (a list, a RegExp or a function), not '*'";
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', message);
  }
  const varies = variesByOrigin(policy);
  const methods = (options.allowMethods ?? DEFAULT_METHODS).join(', ');
  const allowHeaders = options.allowHeaders?.join(', ');
  const expose = options.exposeHeaders?.join(', ') ?? '';
  const maxAge = String(integerOption('maxAgeSeconds', options.maxAgeSeconds ?? 600));
  return async (c, next) => {
    const origin = c.req.header('origin');
    const allowed = origin === null ? undefined : allowedOrigin(policy, origin, c.req);
    if (origin !== null && c.req.method === 'OPTIONS' && c.req.header('access-control-request-method') !== null) {
      return preflight(c, allowed);
    }
    const fields: [string, string][] = [];
    if (allowed !== undefined) {
      fields.push(['Access-Control-Allow-Origin', allowed]);
      if (credentials) fields.push(['Access-Control-Allow-Credentials', 'true']);
      if (expose !== '') fields.push(['Access-Control-Expose-Headers', expose]);
    }
    // Set before next() as well, so an error response (mapped after the onion) carries them too.
    for (const [name, value] of fields) c.header(name, value);
    if (varies) c.header('Vary', 'Origin');
    await next();
    const headers = c.res?.headers;
    if (headers === undefined) return;
    // A handler that set a CORS field itself meant it (a route narrowing what it shares): it wins.
    for (const [name, value] of fields) if (!headers.has(name)) headers.set(name, value);
    if (varies) addVary(headers, 'Origin');
  };

  function preflight(c: Context<V>, allowed: string | undefined) {
    const headers: Record<string, string> = {};
    if (allowed !== undefined) {
      headers['Access-Control-Allow-Origin'] = allowed;
      if (credentials) headers['Access-Control-Allow-Credentials'] = 'true';
      headers['Access-Control-Allow-Methods'] = methods;
      const requested = c.req.header('access-control-request-headers');
      const allow = allowHeaders ?? requested;
      if (allow !== undefined && allow !== null && allow !== '') headers['Access-Control-Allow-Headers'] = allow;
      headers['Access-Control-Max-Age'] = maxAge;
    }
    const vary = [
      ...(varies ? ['Origin'] : []),
      ...(allowHeaders === undefined ? ['Access-Control-Request-Headers'] : []),
    ];
    if (vary.length > 0) headers.Vary = vary.join(', ');
    return c.body(null, 204, headers);
  }
}
