import { WirekitError } from '../../../errors.js';
import { anything, OptionsSchema } from '../../../util/options.js';
import type { Middleware } from '../../compose.js';
import type { Context } from '../../context.js';
import { ForbiddenError } from '../../http-error.js';

/** The values of `Sec-Fetch-Site` (Fetch Metadata Request Headers). */
export type FetchSite = 'same-origin' | 'same-site' | 'cross-site' | 'none';

const CSRF_OPTIONS = new OptionsSchema<CsrfOptions>('csrf()', { origin: anything(), secFetchSite: anything() });

/**
 * Which origins may send unsafe form-like requests: one origin (`https://app.example`), a list, or
 * a function. Origins are serialized as browsers send them: scheme, host, port if not the default,
 * no path, no trailing slash.
 */
export type CsrfOrigin<V extends object = Record<string, unknown>> =
  | string
  | readonly string[]
  | ((origin: string, c: Context<V>) => boolean);

/** Which `Sec-Fetch-Site` values let a request through: one, a list, or a function. */
export type CsrfFetchSite<V extends object = Record<string, unknown>> =
  | FetchSite
  | readonly FetchSite[]
  | ((site: string, c: Context<V>) => boolean);

/** Options of {@link csrf}; every one has a default. */
export interface CsrfOptions<V extends object = Record<string, unknown>> {
  /** Origins allowed besides what `secFetchSite` lets through. Default: the request's own origin. */
  origin?: CsrfOrigin<V>;
  /** `Sec-Fetch-Site` values that let a request through whatever its `Origin`. Default `'same-origin'`. */
  secFetchSite?: CsrfFetchSite<V>;
}

/** Methods a cross-site page cannot use to change state: a form only sends GET and POST, and OPTIONS is a preflight. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Media types a cross-site page can send without a CORS preflight (a `<form>`, or `fetch` in
 * `no-cors` mode): the Fetch standard's CORS-safelisted `Content-Type` values. Any other type makes
 * the browser ask first, and `cors()` decides.
 */
const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);

const FETCH_SITES = new Set<string>(['same-origin', 'same-site', 'cross-site', 'none']);

/**
 * Cross-site request forgery protection by the browser's own request fields, as Hono's `csrf()`: an
 * unsafe request (not GET, HEAD or OPTIONS) whose body a cross-site page could have sent without a
 * preflight (a form's `application/x-www-form-urlencoded`, `multipart/form-data`, `text/plain`, or
 * no `Content-Type`) must come with `Sec-Fetch-Site` allowed by `secFetchSite` (default
 * `same-origin`) or an `Origin` allowed by `origin` (default the request's own origin); else it is
 * refused with 403 before any route runs. Media types are compared as the Fetch standard parses
 * them (case-insensitive, parameters ignored), so `Text/Plain; charset=x` is checked too.
 *
 * Other requests pass: JSON bodies need a CORS preflight, which `cors()` answers. Clients that are not
 * browsers send neither field, so a form-like POST from curl is refused: send `Origin` there, or list it.
 * Behind a proxy that terminates TLS the request's own origin looks like `http://…`: set `origin`.
 *
 * @example
 * ```ts
 * app.use(csrf({ origin: ['https://app.example', 'https://admin.app.example'] }));
 * app.post('/transfer', async (c) => c.text(`sent ${(await c.req.form()).get('amount')}`));
 * ```
 */
export function csrf<V extends object = Record<string, unknown>>(options: CsrfOptions<V> = {}): Middleware<V> {
  CSRF_OPTIONS.check(options as CsrfOptions);
  const originAllowed = originPolicy(options.origin);
  const siteAllowed = sitePolicy(options.secFetchSite ?? 'same-origin');
  return (c, next) => {
    if (SAFE_METHODS.has(c.req.method) || !formLike(c.req.header('content-type'))) return next();
    const site = c.req.header('sec-fetch-site');
    if (site !== null && siteAllowed(site, c)) return next();
    const origin = c.req.header('origin');
    if (origin !== null && originAllowed(origin, c)) return next();
    throw new ForbiddenError('cross-site request refused');
  };
}

/** Whether a request with this `Content-Type` could have come from a cross-site form without a preflight. */
function formLike(contentType: string | null): boolean {
  if (contentType === null) return true;
  const semicolon = contentType.indexOf(';');
  const essence = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return essence === '' || FORM_TYPES.has(essence);
}

type Check<V extends object> = (value: string, c: Context<V>) => boolean;

function originPolicy<V extends object>(origin: CsrfOrigin<V> | undefined): Check<V> {
  if (origin === undefined) return (sent, c) => sent === ownOrigin(c);
  if (typeof origin === 'function') return (sent, c) => origin(sent, c) === true;
  const list = typeof origin === 'string' ? [origin] : origin;
  if (!Array.isArray(list))
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'csrf origin must be a string, a list or a function');
  for (const entry of list) checkOrigin(entry);
  const allowed = new Set<string>(list);
  return (sent) => allowed.has(sent);
}

/**
 * Refuses what can never equal an `Origin` field: a host without a scheme (`app.example`), a path or
 * a trailing slash. Such a typo would otherwise refuse every request from the site it meant to allow.
 */
function checkOrigin(entry: unknown): void {
  let serialized: string | undefined;
  try {
    serialized = typeof entry === 'string' ? new URL(entry).origin : undefined;
  } catch {
    serialized = undefined;
  }
  if (serialized === undefined || serialized === 'null' || serialized !== entry) {
    const hint = serialized !== undefined && serialized !== 'null' ? ` (did you mean ${serialized}?)` : '';
    throw new WirekitError(
      'WK_ERR_INVALID_ARGUMENT',
      `csrf origin ${JSON.stringify(entry)} is not an origin: scheme://host[:port], no path${hint}`,
    );
  }
}

function sitePolicy<V extends object>(site: CsrfFetchSite<V>): Check<V> {
  if (typeof site === 'function') return (sent, c) => site(sent, c) === true;
  const list: readonly unknown[] = typeof site === 'string' ? [site] : site;
  if (!Array.isArray(list) || !list.every((value) => typeof value === 'string' && FETCH_SITES.has(value))) {
    throw new WirekitError(
      'WK_ERR_INVALID_ARGUMENT',
      "csrf secFetchSite must be 'same-origin', 'same-site', 'cross-site' or 'none' (or a list, or a function)",
    );
  }
  const allowed = new Set(list as string[]);
  return (sent) => allowed.has(sent);
}

/** The origin the request was sent to, as a browser on this site would name it in `Origin`. */
function ownOrigin<V extends object>(c: Context<V>): string | undefined {
  try {
    return new URL(c.req.url).origin;
  } catch {
    return undefined;
  }
}
