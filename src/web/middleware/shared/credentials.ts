import { WirekitError } from '../../../errors.js';
import { isFieldValue } from '../../../http/codec/field-validation.js';
import { nodeCrypto } from '../../../http/message/node-crypto.js';
import type { WebRequest } from '../../web-request.js';

/** What a request's `Authorization` field holds for one scheme. */
export type Presented =
  | { readonly kind: 'none' }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'credentials'; readonly value: string };

/** `auth-scheme 1*SP credentials` (RFC 9110 §11.4); the scheme is a token, compared case-insensitively. */
const AUTHORIZATION = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?: +(.*))?$/;

/**
 * The credentials a request presents for `scheme` (lower case): `none` when it sends no
 * `Authorization` or one for another scheme, `malformed` when the field is repeated or its scheme
 * has no credentials, else the credentials as sent (their syntax is the scheme's to check).
 *
 * @example
 * ```ts
 * presented(c.req, 'bearer'); // { kind: 'credentials', value: 'mF_9.B5f-4.1JqM' } for `Bearer mF_9.B5f-4.1JqM`
 * ```
 */
export function presented(req: WebRequest, scheme: string): Presented {
  const fields = req.headers.getAll('authorization');
  if (fields.length === 0) return NONE;
  // Two fields are ambiguous (which one would a proxy have checked?): refuse rather than pick.
  if (fields.length > 1) return MALFORMED;
  const match = AUTHORIZATION.exec((fields[0] as string).trim());
  if (match === null) return MALFORMED;
  if ((match[1] as string).toLowerCase() !== scheme) return NONE;
  const value = match[2];
  return value === undefined || value === '' ? MALFORMED : { kind: 'credentials', value };
}

const NONE: Presented = { kind: 'none' };
const MALFORMED: Presented = { kind: 'malformed' };

/**
 * A fixed-size digest of a secret or of what a client sent. Secrets are compared as digests so that
 * `timingSafeEqual` always sees equal lengths: comparing the raw strings would stop at the first
 * difference or at a length mismatch and tell an attacker how much of a guess was right.
 *
 * @example
 * ```ts
 * digest('s3cret').length; // 32
 * ```
 */
export function digest(text: string): Buffer {
  const crypto = nodeCrypto();
  // The one-shot `crypto.hash` (Node 20.12) takes 0.5 µs where `createHash` takes 6.
  return typeof crypto.hash === 'function'
    ? crypto.hash('sha256', text, 'buffer')
    : crypto.createHash('sha256').update(text, 'utf8').digest();
}

/**
 * The index of the secret whose digest equals `given`, or -1. Every secret is compared, without
 * stopping at a match, so the time taken does not say which one (or whether any) matched.
 *
 * @example
 * ```ts
 * const tokens = [digest('t1'), digest('t2')];
 * matchingEntry(tokens, digest('t2')); // 1
 * ```
 */
export function matchingEntry(secrets: readonly Buffer[], given: Buffer): number {
  const { timingSafeEqual } = nodeCrypto();
  let found = -1;
  for (let i = 0; i < secrets.length; i++) {
    if (timingSafeEqual(secrets[i] as Buffer, given) && found === -1) found = i;
  }
  return found;
}

/**
 * A challenge's `realm="…"` (RFC 9110 §11.5), quoted, checked when the middleware is made: a realm
 * with a control character would break the field, so it throws `WK_ERR_INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * realmParam('Admin "area"'); // 'realm="Admin \"area\""'
 * ```
 */
export function realmParam(realm: unknown): string {
  if (typeof realm !== 'string' || !isFieldValue(realm) || realm.includes('\t')) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'realm must be a string of visible characters and spaces');
  }
  return `realm=${quoted(realm)}`;
}

/** An RFC 9110 §5.6.4 quoted-string: `"` and `\` escaped. */
function quoted(text: string): string {
  return `"${text.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * Checks that exactly one way of knowing the secrets was given (`users` or `verify`, `token`,
 * `tokens` or `verify`): two would leave it unclear which one decides.
 *
 * @example
 * ```ts
 * exactlyOne('basicAuth', { users: options.users, verify: options.verify });
 * ```
 */
export function exactlyOne(middleware: string, sources: Record<string, unknown>): string {
  const given = Object.keys(sources).filter((name) => sources[name] !== undefined);
  if (given.length !== 1) {
    const names = Object.keys(sources).join(', ');
    const message = `${middleware}() needs exactly one of ${names}${given.length > 1 ? `, not ${given.join(' and ')}` : ''}`;
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', message);
  }
  return given[0] as string;
}
