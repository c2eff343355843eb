/** The channel {@link accessLog} publishes on. */
export const ACCESS_CHANNEL = 'wirekit:web.access';

/** One request, as `accessLog()` publishes it on `wirekit:web.access`. */
export interface AccessEvent {
  /** When the request reached the middleware (ms since the epoch). */
  time: number;
  method: string;
  /** The path, still percent-encoded, without the query (which often carries tokens). */
  path: string;
  status: number;
  /**
   * Body bytes: of a body held whole (0 for HEAD and bodiless statuses), or what a stream handed to
   * the connection. Absent only when a stream never ended (the connection dropped it unsent).
   */
  bytes?: number;
  /**
   * From the request reaching the middleware to its response being ready, or, for a stream, to
   * its end: the event of a streamed response is published when the stream ends.
   */
  durationMs: number;
  /** A streamed body that did not end normally: it failed, or the client went away first. */
  incomplete?: true;
  /** `c.var.requestId` when `requestId()` runs. */
  requestId?: string;
  /** The client's address (IP), when there is a socket. */
  remoteAddress: string | undefined;
}
