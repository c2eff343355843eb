/**
 * The client's opening handshake (RFC 6455 §4.1) over a net `Connection` someone already opened:
 * writes the upgrade request, reads the answer's head with the HTTP codec, checks it, and starts a
 * client-role `WebSocketConnection` over the same connection, with the offer, checks and start that
 * `connectWebSocket()` and `app.connect()` use (client-end.ts). An internal seam for tools that open
 * their own connections (the load generator's WebSocket driver); applications use the client.
 */
import { TimeoutError } from '../errors.js';
import { ResponseParser } from '../http/codec/response-parser.js';
import { Headers } from '../http/message/headers.js';
import type { Connection } from '../net/connection.js';
import { checkServerAnswer, clientOffer, startClientEnd } from './client-end.js';
import type { WebSocketConnection } from './connection.js';
import type { WebSocketHandlers } from './handlers.js';
import { WebSocketHandshakeError } from './handshake-error.js';
import type { ResolvedWebSocketOptions } from './options.js';
import { connectionTransport } from './transport.js';

/** Bytes the answer's head may take before the handshake fails (as the client's head limit). */
const MAX_ANSWER_HEAD_BYTES = 16 * 1024;

/**
 * What to ask for and how long to wait.
 *
 * @example
 * ```ts
 * const request: ClientHandshakeRequest = { host: '127.0.0.1:8080', path: '/echo', timeoutMs: 10_000 };
 * ```
 */
export interface ClientHandshakeRequest {
  /** The `Host` field: `host[:port]` as in the URL. */
  host: string;
  /** The request target: path and query. */
  path: string;
  /** More fields for the upgrade request (cookies, authorization...). */
  headers?: readonly (readonly [string, string])[];
  /** Subprotocols to offer, in order of preference. */
  protocols?: readonly string[];
  /** Limit for the answer's head, in milliseconds (`WK_ERR_HEADERS_TIMEOUT`); 0 = none. */
  timeoutMs: number;
}

/**
 * Performs the client handshake over `conn` and returns the open client end. On any failure the
 * connection is destroyed and the promise rejects: `WK_ERR_WS_HANDSHAKE` (refused or a bad
 * answer), `WK_ERR_HEADERS_TIMEOUT`, or the connection's own error (reset, EOF).
 *
 * @example
 * ```ts
 * const conn = await connect({ port: 8080 });
 * const ws = await clientHandshake(conn, { host: '127.0.0.1:8080', path: '/', timeoutMs: 5_000 },
 *   resolveWebSocketOptions({ pingIntervalMs: 0 }), { message: (ws, data) => console.log(data) }, undefined);
 * ws.sendNow('hi');
 * ```
 */
export async function clientHandshake<D>(
  conn: Connection,
  request: ClientHandshakeRequest,
  options: ResolvedWebSocketOptions,
  handlers: WebSocketHandlers<D>,
  data: D,
): Promise<WebSocketConnection<D>> {
  const offer = clientOffer(request.protocols ?? [], options);
  const lines = [`GET ${request.path} HTTP/1.1`, `Host: ${request.host}`, 'Upgrade: websocket', 'Connection: Upgrade'];
  for (const [name, value] of [...offer.fields, ...(request.headers ?? [])]) lines.push(`${name}: ${value}`);
  let timer: NodeJS.Timeout | undefined;
  try {
    conn.send(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
    const head = await withTimeout(
      conn.readUntil('\r\n\r\n', { maxBytes: MAX_ANSWER_HEAD_BYTES }),
      request.timeoutMs,
      conn,
      (t) => {
        timer = t;
      },
    );
    const answer = parseAnswer(head);
    const accepted = checkServerAnswer(answer.status, answer.headers, offer);
    if (!accepted.ok) throw new WebSocketHandshakeError(`the WebSocket upgrade was refused: ${accepted.message}`);
    // What came after the head stays buffered in `conn`: push mode delivers it first.
    return startClientEnd(connectionTransport(conn), offer, accepted, handlers, data);
  } catch (error) {
    conn.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Rejects with `WK_ERR_HEADERS_TIMEOUT` (and destroys `conn`) when `read` takes longer than `ms`. */
function withTimeout<T>(
  read: Promise<T>,
  ms: number,
  conn: Connection,
  setTimer: (timer: NodeJS.Timeout) => void,
): Promise<T> {
  if (ms <= 0) return read;
  return new Promise<T>((resolve, reject) => {
    setTimer(
      setTimeout(() => {
        reject(new TimeoutError('WK_ERR_HEADERS_TIMEOUT', `no answer to the WebSocket upgrade within ${ms} ms`));
        conn.destroy();
      }, ms),
    );
    read.then(resolve, reject);
  });
}

/** The status and fields of the answer's head (the delimiter was consumed by `readUntil`). */
function parseAnswer(head: Uint8Array): { status: number; headers: Headers } {
  const parser = new ResponseParser();
  parser.expect('GET');
  const events = parser.push(Buffer.concat([head, Buffer.from('\r\n\r\n')]));
  for (const event of events) {
    if (event.type === 'error')
      throw new WebSocketHandshakeError(`a malformed answer: ${event.error.message}`, undefined, event.error);
    if (event.type === 'head' && !event.interim) {
      const headers = new Headers();
      for (let i = 0; i < event.headers.length; i += 2)
        headers.append(event.headers[i] as string, event.headers[i + 1] as string);
      return { status: event.status, headers };
    }
  }
  throw new WebSocketHandshakeError('the answer to the WebSocket upgrade has no final head');
}
