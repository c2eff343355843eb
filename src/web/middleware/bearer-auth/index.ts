import { WirekitError } from '../../../errors.js';
import { anyOf, func, listOf, OptionsSchema, object, string } from '../../../util/options.js';
import type { Middleware } from '../../compose.js';
import type { Context } from '../../context.js';
import { BadRequestError, UnauthorizedError } from '../../http-error.js';
import { digest, exactlyOne, matchingEntry, presented, realmParam } from '../shared/credentials.js';

const BEARER_AUTH_OPTIONS = new OptionsSchema<BearerAuthOptions>('bearerAuth()', {
  token: string(),
  tokens: anyOf(listOf(string()), object()),
  verify: func(),
  realm: string(),
});

/**
 * Options of {@link bearerAuth}: `token`, `tokens` or `verify` (exactly one), and a realm. `U` is
 * the type of the user `verify` returns.
 */
export interface BearerAuthOptions<V extends object = Record<string, unknown>, U = unknown> {
  /** The one token accepted. */
  token?: string;
  /**
   * The tokens accepted: a list, or names and tokens (`{ ci: '…', grafana: '…' }`), whose name is then
   * `c.var.user`.
   */
  tokens?: readonly string[] | Readonly<Record<string, string>>;
  /**
   * Decides instead (a database, a JWT check): `true` or a user (any value but false, null or
   * undefined, which refuse) lets the request in; a user becomes `c.var.user`. Its timing is yours
   * to keep independent of the secret.
   */
  verify?: (token: string, c: Context<V>) => U | boolean | null | undefined | Promise<U | boolean | null | undefined>;
  /** The protection space named in the challenge. Default `Restricted`. */
  realm?: string;
}

/**
 * What {@link bearerAuth} adds to `c.var`: the user `verify` returned, or the name of a named token;
 * undefined for an anonymous `token` or a token of a list.
 */
export interface BearerAuthVariables<U = string> {
  user: U | undefined;
}

/** RFC 6750 §2.1 `b64token`: the only form a bearer token takes in the field. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/**
 * Bearer token authentication (RFC 6750 §2.1, the `Authorization: Bearer <token>` field only; tokens
 * in the query or the body are not looked at). The answers follow RFC 6750 §3:
 * no credentials → 401 `WWW-Authenticate: Bearer realm="…"` (no error code); a malformed field
 * (repeated, empty, or not a b64token) → 400 with `error="invalid_request"`; a well-formed token
 * that is not accepted → 401 with `error="invalid_token"`. Configured tokens are compared as SHA-256
 * digests with `crypto.timingSafeEqual`, all of them each time, so neither length nor position leaks.
 *
 * @example
 * ```ts
 * const app = new App<BearerAuthVariables>();
 * app.use('/api/*', bearerAuth({ tokens: { ci: process.env.CI_TOKEN ?? '', grafana: process.env.GRAFANA_TOKEN ?? '' } }));
 * app.get('/api/metrics', (c) => c.json({ caller: c.var.user }));
 * ```
 */
export function bearerAuth<V extends object = Record<string, unknown>, U = unknown>(
  options: BearerAuthOptions<V, U>,
): Middleware<V> {
  BEARER_AUTH_OPTIONS.check(options as BearerAuthOptions);
  const source = exactlyOne('bearerAuth', { token: options.token, tokens: options.tokens, verify: options.verify });
  const realm = realmParam(options.realm ?? 'Restricted');
  const verify = source === 'verify' ? checkVerify(options.verify) : checkTokens(options.token, options.tokens);
  const challenge = (error?: string) => `Bearer ${realm}${error === undefined ? '' : `, error="${error}"`}`;
  return async (c, next) => {
    const sent = presented(c.req, 'bearer');
    if (sent.kind === 'none') {
      // RFC 6750 §3.1: a request without credentials gets no error code.
      throw new UnauthorizedError('authentication required', { headers: { 'WWW-Authenticate': challenge() } });
    }
    if (sent.kind === 'malformed' || !B64TOKEN.test(sent.value)) {
      throw new BadRequestError('malformed Authorization field', {
        headers: { 'WWW-Authenticate': challenge('invalid_request') },
      });
    }
    const user = await verify(sent.value, c);
    if (user === false || user === null || user === undefined) {
      throw new UnauthorizedError('invalid token', { headers: { 'WWW-Authenticate': challenge('invalid_token') } });
    }
    (c.var as Partial<BearerAuthVariables<unknown>>).user = user === true ? undefined : user;
    await next();
  };
}

type Verify<V extends object, U> = NonNullable<BearerAuthOptions<V, U>['verify']>;

function checkVerify<V extends object, U>(verify: BearerAuthOptions<V, U>['verify']): Verify<V, U> {
  if (typeof verify !== 'function') throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'verify must be a function');
  return verify;
}

/** A check against fixed tokens: answers the token's name (named tokens), true (anonymous) or false. */
function checkTokens(
  token: string | undefined,
  tokens: readonly string[] | Readonly<Record<string, string>> | undefined,
): (given: string) => string | boolean {
  if (tokens !== undefined && (tokens === null || typeof tokens !== 'object')) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'tokens must be a list or an object of { name: token }');
  }
  const named = tokens !== undefined && !Array.isArray(tokens);
  const list: [string, unknown][] =
    token !== undefined
      ? [['token', token]]
      : Object.entries(tokens ?? {}).map(([k, v]) => [named ? `tokens.${k}` : `tokens[${k}]`, v]);
  if (list.length === 0) throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'tokens must hold at least one token');
  for (const [name, value] of list) {
    // A token outside b64token could never be presented; the message names the option, never the token.
    if (typeof value !== 'string' || !B64TOKEN.test(value)) {
      throw new WirekitError(
        'WK_ERR_INVALID_ARGUMENT',
        `${name} is not a bearer token (RFC 6750 §2.1: b64token characters)`,
      );
    }
  }
  const names = named ? Object.keys(tokens) : undefined;
  const digests = list.map(([, value]) => digest(value as string));
  return (given) => {
    const index = matchingEntry(digests, digest(given));
    if (index === -1) return false;
    return names === undefined ? true : (names[index] as string);
  };
}
