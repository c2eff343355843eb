/**
 * Errors the client builds from other errors: the reason a request was not retried after a reuse
 * race, and a failed request body. Each keeps the original as `cause` and the socket addresses.
 */
import {
  LimitError,
  NetError,
  ProtocolError,
  type SocketAddress,
  TimeoutError,
  WirekitError,
  type WirekitErrorOptions,
} from '../errors.js';
import type { ClientExchange } from './exchange.js';
import { MAX_REUSE_RESENDS } from './retry.js';

interface Located {
  readonly localAddress: SocketAddress | undefined;
  readonly remoteAddress: SocketAddress | undefined;
}

/**
 * The error of a request that failed on a reused connection before any response byte and was not
 * sent again: same code and class as `error`, with the reason it was not retried.
 *
 * @example
 * ```ts
 * notRetried(closedError, exchange).message;
 * // '… POST /orders was not retried: POST is not idempotent (send an Idempotency-Key header to allow it)'
 * ```
 */
export function notRetried(error: WirekitError, exchange: ClientExchange): WirekitError {
  const what = `${exchange.method} ${exchange.request.path}`;
  let why: string;
  if (exchange.resends >= MAX_REUSE_RESENDS) why = `it was already resent ${exchange.resends} times`;
  else if (!exchange.idempotent)
    why = `${exchange.method} is not idempotent (send an Idempotency-Key header to allow it)`;
  else why = 'its body is a stream and cannot be sent again';
  return sameKind(error, `${error.message}; ${what} was sent on a reused connection and was not retried: ${why}`);
}

/** Subclasses whose constructor is the base class's. */
const SAME_SIGNATURE = [TimeoutError, NetError, LimitError] as const;

/** `error` told again with `message` (and `error` as cause), of the same class: `instanceof` checks still hold. */
function sameKind(error: WirekitError, message: string): WirekitError {
  const options: WirekitErrorOptions = {
    cause: error,
    localAddress: error.localAddress,
    remoteAddress: error.remoteAddress,
  };
  if (error.status !== undefined) options.status = error.status;
  if (error instanceof ProtocolError) return new ProtocolError(error.code, error.status, message, options);
  const Kind = SAME_SIGNATURE.find((kind) => error instanceof kind) ?? WirekitError;
  return new Kind(error.code, message, options);
}

/**
 * `WK_ERR_REQUEST_BODY` for a request body that failed while being sent (its stream threw, or its
 * length was not the one declared); a wirekit error from the socket is kept as it is.
 *
 * @example
 * ```ts
 * requestBodyError(new RangeError('the body ended at 3 of 5 bytes'), conn).code; // 'WK_ERR_REQUEST_BODY'
 * ```
 */
export function requestBodyError(failure: unknown, conn: Located): WirekitError {
  if (failure instanceof WirekitError) return failure;
  const detail = failure instanceof Error ? failure.message : String(failure);
  return new WirekitError('WK_ERR_REQUEST_BODY', `the request body could not be sent: ${detail}`, {
    cause: failure,
    localAddress: conn.localAddress,
    remoteAddress: conn.remoteAddress,
  });
}

/**
 * A parser error with the connection's addresses (the codec knows no sockets).
 *
 * @example
 * ```ts
 * exchange.settleError(locate(event.error, connection));
 * ```
 */
export function locate(error: ProtocolError, conn: Located): ProtocolError {
  return new ProtocolError(error.code, error.status, error.message, {
    localAddress: conn.localAddress,
    remoteAddress: conn.remoteAddress,
  });
}

/**
 * `WK_ERR_SOCKET_CLOSED` with a message saying when the server closed.
 *
 * @example
 * ```ts
 * closedBefore(conn, 'the server closed the connection before responding');
 * ```
 */
export function closedBefore(conn: Located, message: string): NetError {
  return new NetError('WK_ERR_SOCKET_CLOSED', message, {
    localAddress: conn.localAddress,
    remoteAddress: conn.remoteAddress,
  });
}

/**
 * `WK_ERR_SOCKET_CLOSED` for the requests that shared a connection with one that was given up
 * (aborted, timed out, its body cancelled): the connection is closed to skip that response, and
 * they learn that, not the other request's error.
 *
 * @example
 * ```ts
 * conn.destroy(abandoned(exchange, conn)); // '… closed to skip the response to GET /b, which was abandoned …'
 * ```
 */
export function abandoned(exchange: ClientExchange, conn: Located): NetError {
  return closedBefore(
    conn,
    `the connection was closed to skip the response to ${exchange.method} ${exchange.request.path}, which was abandoned (aborted, timed out or cancelled)`,
  );
}

/**
 * `WK_ERR_RESPONSE_TOO_LARGE` for a response body over the exchange's `maxResponseBytes`.
 *
 * @example
 * ```ts
 * if (exchange.received > exchange.maxResponseBytes) conn.destroy(tooLarge(exchange, conn));
 * ```
 */
export function tooLarge(exchange: ClientExchange, conn: Located): LimitError {
  return new LimitError(
    'WK_ERR_RESPONSE_TOO_LARGE',
    `the response body of ${exchange.method} ${exchange.request.path} is larger than ${exchange.maxResponseBytes} bytes`,
    { status: 502, localAddress: conn.localAddress, remoteAddress: conn.remoteAddress },
  );
}
