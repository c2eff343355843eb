import { WirekitError } from '../../../errors.js';
import { func, OptionsSchema, object, string } from '../../../util/options.js';
import type { Middleware } from '../../compose.js';
import type { Context } from '../../context.js';
import { UnauthorizedError } from '../../http-error.js';
import { digest, exactlyOne, matchingEntry, presented, realmParam } from '../shared/credentials.js';

/** Options of {@link basicAuth}: `users` or `verify` (exactly one), and a realm. */
export interface BasicAuthOptions<V extends object = Record<string, unknown>> {
  /** User names and their passwords. A name cannot hold `:` (RFC 7617 §2: the first `:` ends it). */
  users?: Readonly<Record<string, string>>;
  /**
   * Decides instead of `users` (a password hash check, a database): true lets the request in. Its
   * timing is yours to keep independent of the secret (use `crypto.timingSafeEqual` or a slow hash
   * that compares in constant time, such as `scrypt` then `timingSafeEqual`).
   */
  verify?: (username: string, password: string, c: Context<V>) => boolean | Promise<boolean>;
  /** The protection space named in the challenge (browsers show it). Default `Restricted`. */
  realm?: string;
}

/** What {@link basicAuth} adds to `c.var`: declare it in your App's variables, `new App<BasicAuthVariables>()`. */
export interface BasicAuthVariables {
  /** The verified user name. */
  user: string;
}

/** Standard base64 (RFC 4648 §4), padded or not: what RFC 7617 §2 puts after `Basic`. */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

const BASIC_AUTH_OPTIONS = new OptionsSchema<BasicAuthOptions>('basicAuth()', {
  users: object(),
  verify: func(),
  realm: string(),
});

/**
 * HTTP Basic authentication (RFC 7617). A request without valid credentials gets 401 with
 * `WWW-Authenticate: Basic realm="…", charset="UTF-8"`, so a browser asks for a name and password;
 * RFC 7617 has no error codes, so a malformed field, a wrong scheme and a wrong password all get that
 * same 401. `name:password` is compared as a SHA-256 digest with `crypto.timingSafeEqual`, against
 * every configured user each time, so neither a password's length nor which user exists shows in the
 * response time. The verified name is `c.var.user`. Basic sends the password in every request: use
 * it over HTTPS only.
 *
 * @example
 * ```ts
 * const app = new App<BasicAuthVariables>();
 * app.use('/admin/*', basicAuth({ users: { ada: process.env.ADMIN_PASSWORD ?? '' }, realm: 'Admin' }));
 * app.get('/admin/whoami', (c) => c.text(`hello ${c.var.user}`));
 * ```
 */
export function basicAuth<V extends object = Record<string, unknown>>(options: BasicAuthOptions<V>): Middleware<V> {
  BASIC_AUTH_OPTIONS.check(options as BasicAuthOptions);
  exactlyOne('basicAuth', { users: options.users, verify: options.verify });
  const challenge = `Basic ${realmParam(options.realm ?? 'Restricted')}, charset="UTF-8"`;
  const check = options.verify ?? checkUsers(options.users as Readonly<Record<string, string>>);
  if (typeof check !== 'function') throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'verify must be a function');
  const refuse = () => new UnauthorizedError('authentication required', { headers: { 'WWW-Authenticate': challenge } });
  return async (c, next) => {
    const credentials = decode(c);
    if (credentials === undefined) throw refuse();
    const [username, password] = credentials;
    if ((await check(username, password, c)) !== true) throw refuse();
    (c.var as Partial<BasicAuthVariables>).user = username;
    await next();
  };
}

/** The user name and password of a `Basic` field, or undefined when there is none or it is malformed. */
function decode<V extends object>(c: Context<V>): [string, string] | undefined {
  const sent = presented(c.req, 'basic');
  if (sent.kind !== 'credentials' || !BASE64.test(sent.value)) return undefined;
  let text: string;
  try {
    text = UTF8.decode(Buffer.from(sent.value, 'base64'));
  } catch {
    return undefined;
  }
  const colon = text.indexOf(':');
  return colon === -1 ? undefined : [text.slice(0, colon), text.slice(colon + 1)];
}

/**
 * A check against a fixed list of users, in time independent of which part is wrong: the name and
 * password are hashed together (`name:password`, unambiguous since a name holds no `:`), one digest
 * per request, compared with every user's.
 */
function checkUsers(users: Readonly<Record<string, string>>): (username: string, password: string) => boolean {
  if (users === null || typeof users !== 'object') {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'users must be an object of { name: password }');
  }
  const secrets = Object.entries(users).map(([name, password]) => {
    if (name === '' || name.includes(':') || typeof password !== 'string') {
      // The message names the user, never the password.
      throw new WirekitError(
        'WK_ERR_INVALID_ARGUMENT',
        `users[${JSON.stringify(name)}]: a name is non-empty without ':', a password a string`,
      );
    }
    return digest(`${name}:${password}`);
  });
  if (secrets.length === 0) throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'users must list at least one user');
  return (username, password) => matchingEntry(secrets, digest(`${username}:${password}`)) !== -1;
}
