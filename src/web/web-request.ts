import { WirekitError } from '../errors.js';
import { parseJson, readBytes } from '../http/message/body.js';
import type { ConnInfo } from '../http/message/conn-info.js';
import { parseCookies, unsignCookieValue } from '../http/message/cookies.js';
import { DEFAULT_FORM_LIMITS, type FormLimits, formTypeOf, readForm } from '../http/message/form.js';
import { type ForwardedClient, forwardedClient, peerIp } from '../http/message/forwarded.js';
import type { Headers } from '../http/message/headers.js';
import type { Request } from '../http/message/request.js';
import type { ProxyTrust } from '../http/message/trust-proxy.js';
import { utf8 } from '../util/bytes.js';
import type { Params } from './router/router.js';

/** Which part of a request a validator checked. */
export type ValidationTarget = 'params' | 'query' | 'body' | 'headers' | 'cookies';

/**
 * `c.req`: the request as a handler sees it, with the route's params, the query, cookies and
 * body readers. The underlying {@link Request} is `c.req.raw`.
 *
 * @example
 * ```ts
 * app.post('/users/:id', async (c) => {
 *   const id = c.req.param('id');
 *   const tags = c.req.query.getAll('tag');
 *   const body = await c.req.json<{ name: string }>();
 *   return { id, tags, name: body.name };
 * });
 * ```
 */
export class WebRequest {
  readonly raw: Request;
  /** The route's params, percent-decoded once. */
  params: Params;
  /** The route pattern that matched (`/users/:id`), or undefined for not-found. */
  routePattern: string | undefined;
  #cookies: Record<string, string> | undefined;
  /** Made by the first `validate()`: most requests are never validated. */
  #valid: Partial<Record<ValidationTarget, unknown>> | undefined;
  #bytes: Promise<Uint8Array> | undefined;
  #form: Promise<FormData> | undefined;
  readonly #formLimits: FormLimits;
  readonly #secrets: readonly string[];
  readonly #info: ConnInfo | undefined;
  readonly #trust: ProxyTrust | 'server';
  #client: ForwardedClient | undefined;

  /**
   * `info` is the connection (for `ip`, `protocol`, `host`); `trust` the App's `trustProxy`
   * or `'server'` to use the server's (`info.trustProxy`).
   */
  constructor(
    raw: Request,
    params: Params,
    routePattern: string | undefined,
    formLimits: FormLimits,
    secrets: readonly string[],
    info?: ConnInfo,
    trust: ProxyTrust | 'server' = 'server',
  ) {
    this.raw = raw;
    this.params = params;
    this.routePattern = routePattern;
    this.#formLimits = formLimits;
    this.#secrets = secrets;
    this.#info = info;
    this.#trust = trust;
  }

  /**
   * The client's IP address: the connection's peer, or behind trusted proxies (`trustProxy`) the
   * right-most address they did not vouch for. Undefined on a Unix socket.
   */
  get ip(): string | undefined {
    return this.#forwarded().ip;
  }

  /** The scheme the client used: the connection's, or a trusted proxy's `X-Forwarded-Proto`/`proto=`. */
  get protocol(): 'http' | 'https' {
    return this.#forwarded().protocol;
  }

  /** The host the client asked for: `Host`, or a trusted proxy's `X-Forwarded-Host`/`host=`. */
  get host(): string | undefined {
    return this.#forwarded().host;
  }

  #forwarded(): ForwardedClient {
    if (this.#client !== undefined) return this.#client;
    const info = this.#info;
    if (info === undefined) {
      const host = this.raw.headers.get('host') ?? undefined;
      this.#client = { ip: undefined, protocol: this.raw.protocol, host, forwarded: false };
    } else {
      const trust = this.#trust === 'server' ? info.trustProxy : this.#trust;
      this.#client = forwardedClient(this.raw.headers, peerIp(info), info.secure, trust);
    }
    return this.#client;
  }

  get method(): string {
    return this.raw.method;
  }

  /** The path, still percent-encoded. */
  get path(): string {
    return this.raw.path;
  }

  get url(): string {
    return this.raw.url;
  }

  get headers(): Headers {
    return this.raw.headers;
  }

  /** The query parameters; repeated keys are kept (`query.getAll('tag')`). */
  get query(): URLSearchParams {
    return this.raw.query;
  }

  get signal(): AbortSignal {
    return this.raw.signal;
  }

  /** One route param (decoded), or undefined. */
  param(name: string): string | undefined {
    return this.params[name];
  }

  /** One field value (`, `-joined when repeated), or null. */
  header(name: string): string | null {
    return this.raw.headers.get(name);
  }

  /** Cookies sent with the request (decoded). */
  get cookies(): Record<string, string> {
    this.#cookies ??= parseCookies(this.raw.headers.get('cookie'));
    return this.#cookies;
  }

  /** One cookie, or undefined. */
  cookie(name: string): string | undefined {
    return this.cookies[name];
  }

  /**
   * A cookie set with `c.cookie(name, value, { signed: true })`: its value if the signature verifies
   * with one of the app's secrets, `false` if it was tampered with, undefined if absent.
   */
  signedCookie(name: string): string | false | undefined {
    const value = this.cookies[name];
    if (value === undefined) return undefined;
    if (this.#secrets.length === 0)
      throw new WirekitError('WK_ERR_COOKIE', 'signed cookies need `secrets` in the App options');
    return unsignCookieValue(value, this.#secrets) ?? false;
  }

  /** The body as a stream of chunks (read once). */
  get body(): AsyncIterable<Uint8Array> {
    return this.raw.body;
  }

  /**
   * The body parsed as JSON, with `Request#json()`'s rules (400 for malformed JSON or a prototype
   * key). The body is read once, as bytes, and kept: `json()`, `text()`, `bytes()` and `form()` may
   * be called again, in any order, after `validate()` too (each `json()` parses anew, so edits to
   * one result stay there; `bytes()` gives exactly the bytes received, valid UTF-8 or not). Arrays
   * and objects nested deeper than `c.req.raw.maxJsonDepth` (the App's `maxJsonDepth`, default
   * 128) are a 400 `WK_ERR_JSON_TOO_DEEP`.
   */
  json<T = unknown>(): Promise<T> {
    return this.text().then((text) => parseJson<T>(text, true, this.raw.maxJsonDepth));
  }

  text(): Promise<string> {
    return this.bytes().then(utf8);
  }

  bytes(): Promise<Uint8Array> {
    this.#bytes ??= this.raw.bytes();
    return this.#bytes;
  }

  /**
   * A urlencoded or multipart body as `FormData`, within the app's form limits (or `limits`). Read
   * once: a second call gives the same form (its `limits` are not applied again). The form's own
   * `maxBodyBytes` (10 MiB by default) bounds the read, not the request's.
   */
  form(limits: FormLimits = {}): Promise<FormData> {
    const merged = { ...DEFAULT_FORM_LIMITS, ...this.#formLimits, ...limits };
    const type = this.raw.headers.get('content-type');
    // Not a form: refused (415) before any of the body is read.
    if (formTypeOf(type) === undefined) return readForm(type, null, merged);
    this.#bytes ??= readBytes(contentOf(this.raw), merged.maxBodyBytes);
    this.#form ??= this.#bytes.then((bytes) => readForm(type, bytes, merged));
    return this.#form;
  }

  /** What `validate()` produced for `target` (typed by the validator's output at the call site). */
  valid<T = unknown>(target: ValidationTarget): T {
    const valid = this.#valid;
    if (valid === undefined || !(target in valid))
      throw new WirekitError('WK_ERR_VALIDATION', `no validated ${target}: add validate({ ${target} })`);
    return valid[target] as T;
  }

  /** Stores a validated value (used by `validate()`). */
  setValid(target: ValidationTarget, value: unknown): void {
    this.#valid ??= {};
    this.#valid[target] = value;
  }
}

/** The request's body as a stream, taken once (form() reads it whole, under the form limits). */
function contentOf(raw: Request): AsyncIterable<Uint8Array> {
  return raw.body;
}
