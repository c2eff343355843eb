/**
 * Request ids: the cheap one wirekit makes for `c.requestId` (and the child logger `c.log`), and the
 * check an incoming id must pass to be reused.
 */

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

/** Random per process, so ids from several processes (a cluster, restarts) do not collide in one log. */
const PREFIX = Math.floor(Math.random() * 36 ** 6)
  .toString(36)
  .padStart(6, '0');
let counter = 0;

/**
 * A new request id: this process's random prefix and a counter (`k3x9a2-1f`). Unique within a
 * process and unlikely to collide across processes; made with no clock or randomness per call, so
 * it costs about as much as one string concatenation. Not a secret: never use it as a token.
 *
 * @example
 * ```ts
 * nextRequestId(); // 'k3x9a2-1'
 * nextRequestId(); // 'k3x9a2-2'
 * ```
 */
export function nextRequestId(): string {
  counter = counter === Number.MAX_SAFE_INTEGER ? 1 : counter + 1;
  return `${PREFIX}-${counter.toString(36)}`;
}

/**
 * How an App gives each request its id (`c.requestId`), as the `requestId` App option.
 *
 * @example
 * ```ts
 * const app = new App({ requestId: { trustIncoming: true } }); // behind a proxy that sets X-Request-Id
 * ```
 */
export interface RequestIdSource {
  /** The request field an incoming id is read from. Default `X-Request-Id`. */
  header?: string;
  /**
   * Reuse the id a client or proxy sent in `header` when it is valid (1–200 visible ASCII
   * characters, sent once). Default false: a server facing untrusted clients makes its own.
   */
  trustIncoming?: boolean;
  /** Makes a new id. Default {@link nextRequestId} (a per-process prefix and a counter). */
  generator?: () => string;
}

/**
 * The id of a request with fields `headers`: the incoming one when trusted and valid, else a new one.
 *
 * @example
 * ```ts
 * requestIdFor(req.headers, { trustIncoming: true }); // the X-Request-Id it came with, or 'k3x9a2-7'
 * ```
 */
export function requestIdFor(headers: { getAll(name: string): string[] }, source: RequestIdSource): string {
  if (source.trustIncoming === true) {
    const incoming = headers.getAll(source.header ?? 'X-Request-Id');
    // Two copies of the field are ambiguous (which one did the proxy add?): make a new id.
    if (incoming.length === 1 && isValidRequestId(incoming[0] as string)) return incoming[0] as string;
  }
  return (source.generator ?? nextRequestId)();
}
