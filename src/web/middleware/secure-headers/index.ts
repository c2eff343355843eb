import { WirekitError } from '../../../errors.js';
import { isFieldName, isFieldValue } from '../../../http/codec/field-validation.js';
import { anyOf, boolean, listOf, nested, OptionsSchema, object, oneOf, string } from '../../../util/options.js';
import type { Middleware } from '../../compose.js';
import type { Context } from '../../context.js';
import { type CompiledPolicy, type ContentSecurityPolicyOptions, compilePolicy, renderPolicy } from './csp.js';
import { freshNonce } from './nonce.js';

/** A field's value, or false to leave the field out. */
const FIELD = anyOf(string(), oneOf(false));

const SECURE_HEADERS_OPTIONS = new OptionsSchema<SecureHeadersOptions>('secureHeaders()', {
  contentSecurityPolicy: anyOf(
    nested(
      new OptionsSchema<ContentSecurityPolicyOptions>('secureHeaders() contentSecurityPolicy', {
        directives: object(),
        useDefaults: boolean(),
        reportOnly: boolean(),
      }),
    ),
    oneOf(false),
  ),
  strictTransportSecurity: FIELD,
  xContentTypeOptions: FIELD,
  referrerPolicy: FIELD,
  crossOriginOpenerPolicy: FIELD,
  crossOriginResourcePolicy: FIELD,
  crossOriginEmbedderPolicy: FIELD,
  originAgentCluster: FIELD,
  xFrameOptions: FIELD,
  xDnsPrefetchControl: FIELD,
  xPermittedCrossDomainPolicies: FIELD,
  xXssProtection: FIELD,
  permissionsPolicy: FIELD,
  removeHeaders: listOf(string(), 'a list of field names'),
});

/**
 * Options of {@link secureHeaders}. Each field option takes a string (the value to send) or
 * `false` (leave the field out); left undefined, it has the default shown.
 */
export interface SecureHeadersOptions {
  /** `Content-Security-Policy`: directives merged over helmet's defaults; false for none. */
  contentSecurityPolicy?: ContentSecurityPolicyOptions | false;
  /** `Strict-Transport-Security`, sent over HTTPS only (RFC 6797 §7.2). Default `max-age=31536000; includeSubDomains`. */
  strictTransportSecurity?: string | false;
  /** `X-Content-Type-Options`. Default `nosniff`. */
  xContentTypeOptions?: string | false;
  /** `Referrer-Policy`. Default `no-referrer`. */
  referrerPolicy?: string | false;
  /** `Cross-Origin-Opener-Policy`. Default `same-origin`. */
  crossOriginOpenerPolicy?: string | false;
  /** `Cross-Origin-Resource-Policy`. Default `same-origin`. */
  crossOriginResourcePolicy?: string | false;
  /** `Cross-Origin-Embedder-Policy`. Default false (`require-corp` breaks cross-origin images without CORP). */
  crossOriginEmbedderPolicy?: string | false;
  /** `Origin-Agent-Cluster`. Default `?1`. */
  originAgentCluster?: string | false;
  /** `X-Frame-Options`, for browsers without CSP `frame-ancestors`. Default `SAMEORIGIN`. */
  xFrameOptions?: string | false;
  /** `X-DNS-Prefetch-Control`. Default `off`. */
  xDnsPrefetchControl?: string | false;
  /** `X-Permitted-Cross-Domain-Policies` (Adobe clients). Default `none`. */
  xPermittedCrossDomainPolicies?: string | false;
  /** `X-XSS-Protection`: `0` turns off the old filters, which opened leaks of their own. Default `0`. */
  xXssProtection?: string | false;
  /** `Permissions-Policy`, e.g. `camera=(), geolocation=()`. Default false. */
  permissionsPolicy?: string | false;
  /** Fields removed from every response: what tells an attacker the stack. Default `X-Powered-By`, `X-AspNet-Version`, `X-AspNetMvc-Version`. */
  removeHeaders?: readonly string[];
}

/** What {@link secureHeaders} adds to `c.var` when its policy uses `CSP_NONCE`. */
export interface SecureHeadersVariables {
  /** This request's nonce (base64 of 16 random bytes): `<script nonce="${c.var.cspNonce}">`. */
  cspNonce: string;
}

/** The plain field options: option name, field name, default value. */
const FIELDS: readonly [keyof SecureHeadersOptions, string, string | false][] = [
  ['xContentTypeOptions', 'X-Content-Type-Options', 'nosniff'],
  ['referrerPolicy', 'Referrer-Policy', 'no-referrer'],
  ['crossOriginOpenerPolicy', 'Cross-Origin-Opener-Policy', 'same-origin'],
  ['crossOriginResourcePolicy', 'Cross-Origin-Resource-Policy', 'same-origin'],
  ['crossOriginEmbedderPolicy', 'Cross-Origin-Embedder-Policy', false],
  ['originAgentCluster', 'Origin-Agent-Cluster', '?1'],
  ['xFrameOptions', 'X-Frame-Options', 'SAMEORIGIN'],
  ['xDnsPrefetchControl', 'X-DNS-Prefetch-Control', 'off'],
  ['xPermittedCrossDomainPolicies', 'X-Permitted-Cross-Domain-Policies', 'none'],
  ['xXssProtection', 'X-XSS-Protection', '0'],
  ['permissionsPolicy', 'Permissions-Policy', false],
];

const DEFAULT_HSTS = 'max-age=31536000; includeSubDomains';
const DEFAULT_REMOVED = ['X-Powered-By', 'X-AspNet-Version', 'X-AspNetMvc-Version'];

/**
 * Security response fields, after helmet and Hono's `secureHeaders()`: a Content-Security-Policy
 * (helmet's strict default, with a per-request nonce for inline scripts when asked), HSTS over
 * HTTPS, `nosniff`, `Referrer-Policy`, the cross-origin policies, `X-Frame-Options` and the rest
 * (see {@link SecureHeadersOptions}), and `X-Powered-By` removed. Every response gets them, streamed
 * ones, static files and error answers included.
 *
 * A field the handler set itself wins, as with `cors()`: a page that must be framed sets its own
 * `X-Frame-Options`, a route its own policy. The nonce then only reaches a policy this middleware
 * writes. The removed fields go whoever set them.
 *
 * @example
 * ```ts
 * const app = new App<SecureHeadersVariables>();
 * app.use(secureHeaders({ contentSecurityPolicy: { directives: { scriptSrc: ["'self'", CSP_NONCE] } } }));
 * app.get('/', (c) => c.html(`<script nonce="${c.var.cspNonce}">console.log('allowed')</script>`));
 * ```
 */
export function secureHeaders<V extends object = Record<string, unknown>>(
  options: SecureHeadersOptions = {},
): Middleware<V> {
  SECURE_HEADERS_OPTIONS.check(options);
  const fields = fixedFields(options);
  const hsts = fieldValue('strictTransportSecurity', options.strictTransportSecurity, DEFAULT_HSTS);
  if (hsts !== false && !/(?:^|;)\s*max-age=\d+\s*(?:;|$)/i.test(hsts)) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'strictTransportSecurity needs a max-age=<seconds> directive');
  }
  const policy =
    options.contentSecurityPolicy === false ? undefined : compilePolicy(options.contentSecurityPolicy ?? {});
  const removed = removedFields(options.removeHeaders ?? DEFAULT_REMOVED);
  return async (c, next) => {
    let nonce: string | undefined;
    if (policy?.usesNonce) {
      nonce = freshNonce();
      (c.var as Partial<SecureHeadersVariables>).cspNonce = nonce;
    }
    await next();
    const secure = isSecure(c);
    const headers = c.res?.headers;
    // No response yet (a handler that returned nothing): `c.header` puts them on the error answer made next.
    const set = (name: string, value: string) => {
      if (headers === undefined) c.header(name, value);
      else if (!headers.has(name)) headers.append(name, value); // absent: no second scan
    };
    for (const [name, value] of fields) set(name, value);
    if (hsts !== false && secure) set('Strict-Transport-Security', hsts);
    const text = policy === undefined ? undefined : policyText(policy, secure, nonce);
    if (text !== undefined) set((policy as CompiledPolicy).header, text);
    if (headers !== undefined) for (const name of removed) headers.delete(name);
  };
}

/**
 * Whether the request came over TLS: the connection says so, or the request's scheme is https (an
 * in-process request to an `https://` URL). HSTS over plain HTTP is ignored by browsers (RFC 6797
 * §8.1) and would only tell a man in the middle what to strip.
 */
function isSecure<V extends object>(c: Context<V>): boolean {
  return c.info.secure || c.req.raw.protocol === 'https';
}

function policyText(policy: CompiledPolicy, secure: boolean, nonce: string | undefined): string | undefined {
  const segments = secure ? policy.secure : policy.plain;
  return segments === undefined ? undefined : renderPolicy(segments, nonce);
}

/** The fields sent as configured, checked once: a CR or LF in a value would split the response. */
function fixedFields(options: SecureHeadersOptions): [string, string][] {
  const out: [string, string][] = [];
  for (const [option, name, fallback] of FIELDS) {
    const value = fieldValue(option, options[option], fallback);
    if (value !== false) out.push([name, value]);
  }
  return out;
}

function fieldValue(option: string, value: unknown, fallback: string | false): string | false {
  if (value === undefined) return fallback;
  if (value === false) return false;
  if (typeof value !== 'string' || value.trim() === '' || !isFieldValue(value)) {
    throw new WirekitError(
      'WK_ERR_INVALID_ARGUMENT',
      `${option} must be false or a field value without control characters, not ${JSON.stringify(value)}`,
    );
  }
  return value;
}

function removedFields(names: readonly string[]): readonly string[] {
  if (!Array.isArray(names) || !names.every((name) => typeof name === 'string' && isFieldName(name))) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'removeHeaders must be a list of field names');
  }
  return names;
}
