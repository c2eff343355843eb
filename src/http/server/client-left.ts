import { WirekitError } from '../../errors.js';

/** What the OS reports when the peer reset the connection or closed it while we were writing. */
const PEER_GONE_CAUSES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/**
 * True when a response failed because the client went away (closed its download, reset the
 * connection), not because of anything the server did. That is the client's choice: node:http does
 * not report it either, and a warning per abandoned download would let any client flood the log.
 * `socketDestroyed` must be true for anything but `WK_ERR_HTTP_CLIENT_GONE`: a streamed body that
 * fails with a reset of its own upstream connection, while our client is still there, is a fault.
 *
 * @example
 * ```ts
 * if (!clientLeft(error, conn.socket.destroyed)) options.onError(error, info);
 * ```
 */
export function clientLeft(error: unknown, socketDestroyed: boolean): boolean {
  if (!(error instanceof WirekitError)) return false;
  if (error.code === 'WK_ERR_HTTP_CLIENT_GONE') return true;
  if (!socketDestroyed) return false;
  if (error.code === 'WK_ERR_SOCKET_CLOSED') return true;
  const cause = error.cause as { code?: unknown } | undefined;
  return error.code === 'WK_ERR_SOCKET' && typeof cause?.code === 'string' && PEER_GONE_CAUSES.has(cause.code);
}
