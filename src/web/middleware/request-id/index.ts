import { nodeCrypto } from '../../../http/message/node-crypto.js';
import type { Middleware } from '../../compose.js';

/** Options of {@link requestId}; every one has a default. */
export interface RequestIdOptions {
  /** The request and response field. Default `X-Request-Id`. */
  header?: string;
  /** Makes a new id. Default `crypto.randomUUID`. */
  generator?: () => string;
  /**
   * Reuse the id a client or proxy sent (tracing across services), if it is valid: 1–200 visible
   * ASCII characters, sent once. Default true; turn it off on a server facing untrusted clients
   * whose ids must not reach your logs.
   */
  trustIncoming?: boolean;
}

/** What {@link requestId} adds to `c.var`: declare it in your App's variables, `new App<RequestIdVariables>()`. */
export interface RequestIdVariables {
  requestId: string;
}

/** Visible ASCII (VCHAR, RFC 5234), no spaces: safe to log and to echo in a header. */
const VALID_ID = /^[\x21-\x7e]{1,200}$/;

/**
 * Whether an incoming id is one we reuse: 1–200 visible ASCII characters.
 *
 * @example
 * ```ts
 * isValidRequestId('4bf92f35-77b3'); // true
 * isValidRequestId('a b'); // false
 * ```
 */
export function isValidRequestId(id: string): boolean {
  return VALID_ID.test(id);
}

/**
 * Gives every request an id: the valid one it came with (when trusted) or a new one. It is
 * `c.var.requestId` for handlers and logs, and the same field on the response, error responses
 * included. `accessLog()` reports it.
 *
 * @example
 * ```ts
 * const app = new App<RequestIdVariables>();
 * app.use(requestId());
 * app.get('/', (c) => c.text(`you are ${c.var.requestId}`));
 * ```
 */
export function requestId<V extends object = Record<string, unknown>>(options: RequestIdOptions = {}): Middleware<V> {
  const header = options.header ?? 'X-Request-Id';
  const generate = options.generator ?? (() => nodeCrypto().randomUUID());
  const trust = options.trustIncoming ?? true;
  return async (c, next) => {
    const incoming = trust ? c.req.headers.getAll(header) : [];
    // Two copies of the field are ambiguous (which one did the proxy add?): make a new id.
    const id = incoming.length === 1 && isValidRequestId(incoming[0] as string) ? (incoming[0] as string) : generate();
    (c.var as Partial<RequestIdVariables>).requestId = id;
    // Before next() for responses built by helpers and for error responses; after, for any other.
    c.header(header, id);
    await next();
    c.res?.headers.set(header, id);
  };
}
