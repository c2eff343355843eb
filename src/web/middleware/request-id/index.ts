import { nodeCrypto } from '../../../http/message/node-crypto.js';
import { boolean, func, OptionsSchema, string } from '../../../util/options.js';
import type { Middleware } from '../../compose.js';
import { requestIdFor } from '../../request-ids.js';

export { isValidRequestId } from '../../request-ids.js';

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

const REQUEST_ID_OPTIONS = new OptionsSchema<RequestIdOptions>('requestId()', {
  header: string(),
  generator: func(),
  trustIncoming: boolean(),
});

/**
 * Gives every request an id: the valid one it came with (when trusted) or a new one. It is
 * `c.requestId` (and `c.var.requestId`) for handlers, the `reqId` of `c.log`'s records, and the same
 * field on the response, error responses included. `accessLog()` reports it.
 *
 * @example
 * ```ts
 * const app = new App<RequestIdVariables>();
 * app.use(requestId());
 * app.get('/', (c) => c.text(`you are ${c.var.requestId}`));
 * ```
 */
export function requestId<V extends object = Record<string, unknown>>(options: RequestIdOptions = {}): Middleware<V> {
  REQUEST_ID_OPTIONS.check(options);
  const header = options.header ?? 'X-Request-Id';
  const source = {
    header,
    generator: options.generator ?? (() => nodeCrypto().randomUUID()),
    trustIncoming: options.trustIncoming ?? true,
  };
  return async (c, next) => {
    const id = requestIdFor(c.req.headers, source);
    (c.var as Partial<RequestIdVariables>).requestId = id;
    c.requestId = id;
    // Before next() for responses built by helpers and for error responses; after, for any other.
    c.header(header, id);
    await next();
    c.res?.headers.set(header, id);
  };
}
