import { WirekitError } from '../../../errors.js';

/**
 * Put it among a directive's sources (`scriptSrc: ["'self'", CSP_NONCE]`) to allow inline scripts
 * that carry this request's nonce: `secureHeaders()` makes a fresh one per request, writes
 * `'nonce-…'` in its place and hands it to the handler as `c.var.cspNonce`.
 *
 * @example
 * ```ts
 * app.use(secureHeaders({ contentSecurityPolicy: { directives: { scriptSrc: ["'self'", CSP_NONCE] } } }));
 * app.get('/', (c) => c.html(`<script nonce="${c.var.cspNonce}">boot()</script>`));
 * ```
 */
export const CSP_NONCE: unique symbol = Symbol('wirekit.cspNonce');

/** One source of a directive: text such as `'self'` or `https://cdn.example`, or {@link CSP_NONCE}. */
export type CspSource = string | typeof CSP_NONCE;

/**
 * A directive's value: its sources, `true` (or `[]`) for a directive without a value
 * (`upgradeInsecureRequests: true`), `false` to leave out a default directive.
 */
export type CspValue = readonly CspSource[] | boolean;

/**
 * CSP directives by name, camelCase (`scriptSrc`) or as written in the header (`'script-src'`).
 * Listed names get completion; any other valid directive name is accepted too.
 */
export interface CspDirectives {
  defaultSrc?: CspValue;
  baseUri?: CspValue;
  connectSrc?: CspValue;
  fontSrc?: CspValue;
  formAction?: CspValue;
  frameAncestors?: CspValue;
  frameSrc?: CspValue;
  imgSrc?: CspValue;
  manifestSrc?: CspValue;
  mediaSrc?: CspValue;
  objectSrc?: CspValue;
  reportTo?: CspValue;
  sandbox?: CspValue;
  scriptSrc?: CspValue;
  scriptSrcAttr?: CspValue;
  scriptSrcElem?: CspValue;
  styleSrc?: CspValue;
  styleSrcAttr?: CspValue;
  styleSrcElem?: CspValue;
  upgradeInsecureRequests?: CspValue;
  workerSrc?: CspValue;
  [directive: string]: CspValue | undefined;
}

/** The Content-Security-Policy part of `secureHeaders()`'s options. */
export interface ContentSecurityPolicyOptions {
  /** Directives, merged over the defaults one by one (a directive given replaces the default's). */
  directives?: CspDirectives;
  /** Start from the defaults (below). Default true; false sends only `directives`. */
  useDefaults?: boolean;
  /** Send `Content-Security-Policy-Report-Only` instead: the browser reports, and blocks nothing. Default false. */
  reportOnly?: boolean;
}

/**
 * helmet's default policy: same-origin everything, no plugins (`object-src 'none'`), no inline
 * event handlers (`script-src-attr 'none'`), nobody frames the page but itself, forms post only
 * here, and `upgrade-insecure-requests` (sent over HTTPS only: see {@link compilePolicy}). Frozen,
 * lists included.
 *
 * @example
 * ```ts
 * DEFAULT_CSP_DIRECTIVES['script-src']; // ["'self'"]
 * ```
 */
export const DEFAULT_CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = Object.freeze(
  Object.fromEntries(
    Object.entries({
      'default-src': ["'self'"],
      'base-uri': ["'self'"],
      'font-src': ["'self'", 'https:', 'data:'],
      'form-action': ["'self'"],
      'frame-ancestors': ["'self'"],
      'img-src': ["'self'", 'data:'],
      'object-src': ["'none'"],
      'script-src': ["'self'"],
      'script-src-attr': ["'none'"],
      'style-src': ["'self'", 'https:', "'unsafe-inline'"],
      'upgrade-insecure-requests': [],
    }).map(([name, sources]) => [name, Object.freeze(sources)]),
  ),
);

/**
 * A policy compiled once: the header text cut where the nonce goes, for requests over HTTPS and
 * over plain HTTP. `upgrade-insecure-requests` is left out of the plain-HTTP policy: over HTTP it
 * sends every subresource to an `https://` URL the server does not serve (Safari does so even for
 * localhost), which is how helmet's users lose their styles and scripts in development.
 */
export interface CompiledPolicy {
  readonly header: 'Content-Security-Policy' | 'Content-Security-Policy-Report-Only';
  /** Whether a nonce must be made per request. */
  readonly usesNonce: boolean;
  /** The header text (segments to join with the nonce) over HTTPS; undefined when empty. */
  readonly secure: readonly string[] | undefined;
  /** The same over plain HTTP. */
  readonly plain: readonly string[] | undefined;
}

/** Keywords CSP wants in single quotes: unquoted, `self` would name a host called "self". */
const QUOTED_KEYWORDS = new Set([
  'self',
  'none',
  'unsafe-inline',
  'unsafe-eval',
  'unsafe-hashes',
  'strict-dynamic',
  'report-sample',
  'wasm-unsafe-eval',
  'inline-speculation-rules',
]);

/** CSP `directive-name` (CSP3 §2.2.1). */
const DIRECTIVE_NAME = /^[a-z0-9-]+$/;
/** A source: visible ASCII without the `;` and `,` that would end a directive or a policy (CSP3 §2.2.1). */
const SOURCE = /^[\x21-\x2b\x2d-\x3a\x3c-\x7e]+$/;

/**
 * Validates and compiles CSP options, when the middleware is made; bad input throws
 * `WK_ERR_INVALID_ARGUMENT` naming the directive.
 *
 * @example
 * ```ts
 * compilePolicy({ directives: { scriptSrc: ["'self'", CSP_NONCE] } }).secure;
 * // ["default-src 'self'; … script-src 'self' 'nonce-", "'; …"]
 * ```
 */
export function compilePolicy(options: ContentSecurityPolicyOptions): CompiledPolicy {
  const merged = new Map<string, readonly CspSource[]>();
  if (options.useDefaults ?? true)
    for (const [name, value] of Object.entries(DEFAULT_CSP_DIRECTIVES)) merged.set(name, value);
  const given = new Set<string>();
  for (const [key, value] of Object.entries(options.directives ?? {})) {
    if (value === undefined) continue;
    const name = directiveName(key);
    if (given.has(name)) throw invalid(`directive ${name} is given twice (camelCase and dashed)`);
    given.add(name);
    if (value === false) merged.delete(name);
    else merged.set(name, value === true ? [] : checkSources(name, value));
  }
  const usesNonce = [...merged.values()].some((sources) => sources.includes(CSP_NONCE));
  const header = options.reportOnly ? 'Content-Security-Policy-Report-Only' : 'Content-Security-Policy';
  const plain = new Map(merged);
  plain.delete('upgrade-insecure-requests');
  return { header, usesNonce, secure: segments(merged), plain: segments(plain) };
}

/**
 * Fills a compiled policy's nonce in.
 *
 * @example
 * ```ts
 * renderPolicy(["script-src 'nonce-", "'"], 'abc'); // "script-src 'nonce-abc'"
 * ```
 */
export function renderPolicy(segments: readonly string[], nonce: string | undefined): string {
  return segments.length === 1 ? (segments[0] as string) : segments.join(nonce ?? '');
}

function directiveName(key: string): string {
  const name = key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
  if (!DIRECTIVE_NAME.test(name)) throw invalid(`${JSON.stringify(key)} is not a directive name`);
  return name;
}

function checkSources(name: string, sources: unknown): readonly CspSource[] {
  if (!Array.isArray(sources)) throw invalid(`${name} must be a list of sources, true or false`);
  for (const source of sources as unknown[]) {
    if (source === CSP_NONCE) continue;
    if (typeof source !== 'string' || !SOURCE.test(source)) {
      // CR/LF would split the field; `;` and `,` would start a directive or a policy of the sender's choosing.
      throw invalid(`${name} has a source that is not one visible word without ';' or ',': ${JSON.stringify(source)}`);
    }
    const bare = source.toLowerCase();
    if (QUOTED_KEYWORDS.has(bare) || /^(nonce|sha256|sha384|sha512)-/.test(bare)) {
      throw invalid(`${name}: ${JSON.stringify(source)} must be quoted, as '${source}'`);
    }
  }
  return sources as readonly CspSource[];
}

/** The policy text, split where a nonce goes; undefined for an empty policy. */
function segments(directives: ReadonlyMap<string, readonly CspSource[]>): string[] | undefined {
  if (directives.size === 0) return undefined;
  const out: string[] = [];
  let current = '';
  for (const [name, sources] of directives) {
    current += current === '' && out.length === 0 ? name : `; ${name}`;
    for (const source of sources) {
      if (source === CSP_NONCE) {
        out.push(`${current} 'nonce-`);
        current = "'";
      } else {
        current += ` ${source}`;
      }
    }
  }
  out.push(current);
  return out;
}

function invalid(message: string): WirekitError {
  return new WirekitError('WK_ERR_INVALID_ARGUMENT', `contentSecurityPolicy: ${message}`);
}
