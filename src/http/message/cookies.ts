import { WirekitError } from '../../errors.js';
import { nodeCrypto } from './node-crypto.js';

/** Options of a Set-Cookie (RFC 6265bis §4.1). */
export interface CookieOptions {
  /** Lifetime in seconds; 0 or negative expires it now. */
  maxAge?: number;
  expires?: Date;
  /** Default `/`. */
  path?: string;
  domain?: string;
  /** Default true: scripts cannot read it. */
  httpOnly?: boolean;
  secure?: boolean;
  /** Default `Lax`. */
  sameSite?: 'Strict' | 'Lax' | 'None';
  partitioned?: boolean;
  priority?: 'Low' | 'Medium' | 'High';
}

/** Characters of a cookie-name (a token) and of a cookie-value (cookie-octet, RFC 6265 §4.1.1). */
const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VALUE = /^[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*$/;
const ATTRIBUTE = /^[\x20-\x3a\x3c-\x7e]*$/;

/**
 * Parses a Cookie header into name → value. Values are percent-decoded when they decode cleanly
 * (and kept as sent when not); the first of two same-named cookies wins, as browsers send the most
 * specific first. A `__proto__` cookie is just data (null-prototype object).
 *
 * @example
 * ```ts
 * parseCookies('a=1; b=hello%20world'); // { a: '1', b: 'hello world' }
 * ```
 */
export function parseCookies(header: string | null): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (header === null || header === '') return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const name = part.slice(0, eq).trim();
    if (name === '' || name in out) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    out[name] = decode(value);
  }
  return out;
}

function decode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Serializes a Set-Cookie value. The value is percent-encoded; names and attributes that could
 * break the header (`;`, CR, LF, non-token names) throw `WK_ERR_COOKIE`.
 *
 * @example
 * ```ts
 * serializeCookie('session', 'abc', { maxAge: 3600, secure: true }); // 'session=abc; Max-Age=3600; Path=/; HttpOnly; Secure; SameSite=Lax'
 * ```
 */
export function serializeCookie(name: string, value: string, options: CookieOptions = {}): string {
  if (!NAME.test(name)) throw new WirekitError('WK_ERR_COOKIE', `invalid cookie name "${name}"`);
  const encoded = encodeURIComponent(value);
  if (!VALUE.test(encoded)) throw new WirekitError('WK_ERR_COOKIE', `invalid cookie value for ${name}`);
  let out = `${name}=${encoded}`;
  if (options.maxAge !== undefined) {
    if (!Number.isFinite(options.maxAge)) throw new WirekitError('WK_ERR_COOKIE', 'maxAge must be a finite number');
    out += `; Max-Age=${Math.trunc(options.maxAge)}`;
  }
  if (options.expires !== undefined) out += `; Expires=${options.expires.toUTCString()}`;
  out += `; Path=${attribute('path', options.path ?? '/')}`;
  if (options.domain !== undefined) out += `; Domain=${attribute('domain', options.domain)}`;
  if (options.httpOnly ?? true) out += '; HttpOnly';
  if (options.secure || options.sameSite === 'None' || options.partitioned) out += '; Secure';
  out += `; SameSite=${options.sameSite ?? 'Lax'}`;
  if (options.partitioned) out += '; Partitioned';
  if (options.priority !== undefined) out += `; Priority=${options.priority}`;
  return out;
}

function attribute(name: string, value: string): string {
  if (!ATTRIBUTE.test(value)) throw new WirekitError('WK_ERR_COOKIE', `invalid cookie ${name} "${value}"`);
  return value;
}

/**
 * Signs a cookie value: `value.signature` with HMAC-SHA256 (base64url), as cookie-signature does.
 *
 * @example
 * ```ts
 * const signed = signCookieValue('42', secret);
 * unsignCookieValue(signed, [secret]); // '42'
 * ```
 */
export function signCookieValue(value: string, secret: string): string {
  return `${value}.${hmac(value, secret)}`;
}

/**
 * Verifies a signed value against one or more secrets (the first signs; the others let old
 * signatures verify during a key rotation). Returns the value, or undefined when tampered.
 * The comparison is constant-time.
 */
export function unsignCookieValue(signed: string, secrets: readonly string[]): string | undefined {
  const dot = signed.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const value = signed.slice(0, dot);
  const given = Buffer.from(signed.slice(dot + 1));
  for (const secret of secrets) {
    const expected = Buffer.from(hmac(value, secret));
    if (expected.length === given.length && nodeCrypto().timingSafeEqual(expected, given)) return value;
  }
  return undefined;
}

function hmac(value: string, secret: string): string {
  return nodeCrypto().createHmac('sha256', secret).update(value).digest('base64url');
}
