/**
 * The one error table of wirekit. Every error the library raises is a {@link WirekitError}
 * whose `code` is a key of {@link ERROR_CODES}; codes are stable API, messages are not.
 * `docs/errors.md` lists every code and a test keeps the two in sync (docs/architecture.md, Errors).
 *
 * This file imports nothing: every layer may depend on it.
 */

/** Stable error codes and the one-line meaning that `docs/errors.md` repeats. */
export const ERROR_CODES = {
  WK_ERR_INVALID_ARGUMENT: 'An option or argument has the wrong type or is out of range.',
  WK_ERR_CONNECT: 'The TCP (or Unix socket) connection could not be established.',
  WK_ERR_CONNECT_TIMEOUT: 'The connection was not established within connectTimeoutMs.',
  WK_ERR_LISTEN: 'The server could not bind or listen (address in use, permission denied, ...).',
  WK_ERR_IDLE_TIMEOUT: 'Nothing was read or written for idleTimeoutMs; the connection was destroyed.',
  WK_ERR_SOCKET: 'The socket failed after it was established (reset, broken pipe, ...).',
  WK_ERR_SOCKET_CLOSED: 'The operation needs an open socket, but it was closed or destroyed.',
  WK_ERR_UNEXPECTED_EOF: 'The peer ended the stream before the expected bytes arrived.',
  WK_ERR_READ_LIMIT: 'A read would have buffered more than its maxBytes limit.',
  WK_ERR_READ_BUSY: 'A second read was started while another read is still pending.',
  WK_ERR_FRAME_TOO_LARGE: 'A line or length-prefixed frame is larger than its limit.',
  WK_ERR_SERVER_CLOSING:
    "The server is closing: a streamed response, already streaming or starting while it closes, is asked to stop (its request's signal aborts with this).",
  WK_ERR_CLOSE_TIMEOUT: 'A graceful close hit its deadline and destroyed the connections left.',
  WK_ERR_UDP:
    'A UDP socket operation (bind, send, membership) failed, or the OS reported an error for a connected socket (ECONNREFUSED) to the next receive().',
  WK_ERR_RECEIVE_TIMEOUT: "No datagram arrived within receive()'s timeoutMs.",
  WK_ERR_DATAGRAM_TOO_LARGE: 'A UDP datagram is larger than maxDatagramBytes.',
  WK_ERR_ABORTED: 'The operation was aborted by its AbortSignal.',
  WK_ERR_ROUTE_CONFLICT: 'A route with the same method and pattern is already registered.',
  WK_ERR_ROUTE_PATTERN: 'A route pattern is malformed or uses a form the router does not support.',
  WK_ERR_HTTP_INVALID_REQUEST_LINE: 'The request line is malformed (method, spacing, line ending).',
  WK_ERR_HTTP_INVALID_TARGET: 'The request-target has a form or character HTTP/1.1 does not allow there.',
  WK_ERR_HTTP_VERSION_NOT_SUPPORTED: 'The HTTP version is well-formed but neither 1.0 nor 1.1 (505).',
  WK_ERR_HTTP_INVALID_HEADER: 'A header or trailer line is malformed (name token, colon, value characters, obs-fold).',
  WK_ERR_HTTP_INVALID_LINE_ENDING: 'A bare CR or bare LF where CRLF is required (RFC 9112 §2.2).',
  WK_ERR_HTTP_INVALID_HOST: 'An HTTP/1.1 request without exactly one valid Host header.',
  WK_ERR_HTTP_INVALID_FRAMING:
    'The body length cannot be determined safely (Content-Length with Transfer-Encoding, bad or conflicting Content-Length, chunked not final).',
  WK_ERR_HTTP_UNSUPPORTED_CODING: 'A transfer-coding other than chunked (501).',
  WK_ERR_HTTP_INVALID_CHUNK: 'A chunk size, chunk extension or chunk terminator is malformed.',
  WK_ERR_HTTP_URI_TOO_LONG: 'The request line is longer than maxRequestLineBytes (414).',
  WK_ERR_HTTP_HEADERS_TOO_LARGE: 'The head is larger than maxHeadBytes or has more than maxHeaderCount fields (431).',
  WK_ERR_HTTP_BODY_TOO_LARGE: 'The body, or a chunk extension, is larger than its limit (413).',
  WK_ERR_HTTP_INVALID_FIELD:
    'A header name or value given to a serializer would be unsafe on the wire (CR, LF, NUL, non-token name).',
  WK_ERR_HTTP_INVALID_STATUS: 'A status code outside 100-999 was given to a serializer.',
  WK_ERR_HTTP_INVALID_STATUS_LINE:
    'A response status line is malformed: not HTTP/1.0 or HTTP/1.1, a status code that is not 3 digits within 100-599, bad spacing or reason characters (502).',
  WK_ERR_HTTP_UNSOLICITED_RESPONSE:
    'Bytes arrived when no response was expected (no request pending, or after a response that closes the connection); they are held, never parsed (RFC 9112 §6.3) (502).',
  WK_ERR_RESPONSE_HEAD_TOO_LARGE:
    'A response head or trailer section is larger than maxHeadBytes (its status line: maxRequestLineBytes) or has more than maxHeaderCount fields (502).',
  WK_ERR_RESPONSE_TOO_LARGE:
    'A response body, or a chunk extension in it, is larger than its limit (maxBodyBytes, maxChunkExtensionBytes) (502).',
  WK_ERR_BODY_USED: 'The body was already read (a body is a stream: read it once).',
  WK_ERR_INVALID_JSON: 'A body read with json() is not valid JSON (400).',
  WK_ERR_JSON_PROTOTYPE_KEY:
    'A request body read with json() has a `__proto__` key or a `constructor` holding a `prototype`, which poison prototypes when merged (400).',
  WK_ERR_JSON_TOO_DEEP:
    'A request body read with json() nests arrays and objects deeper than maxJsonDepth (default 128), which recursive code (JSON.stringify, validators) cannot handle (400).',
  WK_ERR_HTTP_HANDLER: 'A request handler threw or returned something that is not a response (500).',
  WK_ERR_HTTP_REQUEST_TIMEOUT: 'A request head or body did not arrive within headerTimeoutMs / requestTimeoutMs (408).',
  WK_ERR_HTTP_CLIENT_GONE: 'The client closed the connection before the response was complete.',
  WK_ERR_FILE_CHANGED:
    'A file served by serveStatic changed, moved or vanished after its response head was sent; the response was cut short (a race with whoever edits the files, not reported as a fault).',
  WK_ERR_HTTP_UPGRADE:
    'An upgrade hand-off was asked for where none is possible (no Upgrade or CONNECT request, or a response already started).',
  WK_ERR_HTTP_STATUS: 'An HttpError thrown by application code: answered with its status and message.',
  WK_ERR_VALIDATION:
    'c.req.valid(target) was called for a part no validate() middleware checked (a programming error: 500). Failed checks answer 400 through HttpError.',
  WK_ERR_INVALID_FORM: 'A form body is malformed (bad urlencoding, multipart boundary or part) (400).',
  WK_ERR_COOKIE: 'A cookie name, value or option cannot be serialized safely.',
  WK_ERR_DNS:
    'The host name could not be resolved, or its lookup outlived connectTimeoutMs (the resolver error is the cause).',
  WK_ERR_TLS: "The TLS handshake failed or the server's certificate was refused (the TLS error is the cause).",
  WK_ERR_TLS_TIMEOUT: 'The TLS handshake did not finish within tlsTimeoutMs.',
  WK_ERR_TLS_CREDENTIALS:
    'A TLS key or certificate cannot be used: missing, unreadable, not PEM, a wrong passphrase, or a key that does not match its certificate (a reload refused this way keeps the old pair serving).',
  WK_ERR_TLS_HANDSHAKE:
    "A client's TLS handshake with the server failed (no common protocol version or cipher, a malformed hello, an unknown server name, a reset); counted and published, never thrown.",
  WK_ERR_TLS_HANDSHAKE_TIMEOUT: "A client's TLS handshake with the server did not finish within handshakeTimeoutMs.",
  WK_ERR_TLS_HANDSHAKE_DROPPED:
    'A TLS handshake in progress was dropped to make room for a new connection: maxConcurrentHandshakes were in progress and it was the oldest.',
  WK_ERR_TLS_CLIENT_CERT:
    'A client certificate was required (requestCert with rejectUnauthorized) and the client sent none or one the CAs do not vouch for; the connection was closed.',
  WK_ERR_HEADERS_TIMEOUT: 'The response head did not arrive within headersTimeoutMs of sending the request.',
  WK_ERR_BODY_TIMEOUT: 'No response body byte arrived (or no request body byte could be written) for bodyTimeoutMs.',
  WK_ERR_TOTAL_TIMEOUT: 'The request, from the call to the end of the response body, took longer than totalTimeoutMs.',
  WK_ERR_REDIRECT_LIMIT: 'A response redirected again after maxRedirections redirects were followed.',
  WK_ERR_QUEUE_TIMEOUT:
    'The request waited longer than queueTimeoutMs for a connection (all busy, often with response bodies nobody reads).',
  WK_ERR_POOL_QUEUE_FULL: 'The pool already holds maxQueue waiting requests; the request was refused at once.',
  WK_ERR_CLIENT_CLOSED: 'The client, pool or agent is closed or closing; the request was not sent.',
  WK_ERR_CLUSTER:
    'A cluster worker could not start or listen (it exited first, or the primary did not answer in time).',
  WK_ERR_CLUSTER_RELOAD:
    'A reload failed: a new worker did not listen (or the cluster was closing); the old workers keep serving.',
  WK_ERR_REDIS: 'A Redis command failed or Redis could not be reached (the client error is the cause).',
  WK_ERR_PUBSUB_DROPPED:
    'Messages published while the pub/sub adapter was disconnected overflowed its buffer and were dropped (counted).',
  WK_ERR_PROXY_PROTOCOL:
    'A connection to a proxyProtocol listener did not start with a valid PROXY protocol header (v1 or v2) within its limit; it was closed.',
  WK_ERR_PROXY_PROTOCOL_TIMEOUT:
    'No complete PROXY protocol header arrived within headerTimeoutMs; the connection was closed.',
  WK_ERR_PROXY: 'The proxy could not be reached or refused the CONNECT tunnel (its status is on the error).',
  WK_ERR_DECOMPRESS: 'A response body is not valid for its Content-Encoding (gzip, deflate, br).',
  WK_ERR_REQUEST_BODY:
    'The request body could not be sent: its stream failed, or its length differs from the Content-Length given.',
  WK_ERR_H2_STREAM:
    'An HTTP/2 stream closed before its response was complete: reset by the server (RST_STREAM, its error code in the message) or cut short.',
  WK_ERR_H2_REFUSED:
    'The HTTP/2 server did not process the request (RST_STREAM REFUSED_STREAM, or a GOAWAY below its stream): it was retried if idempotent and replayable, else not sent again.',
  WK_ERR_H2_SESSION:
    'The HTTP/2 connection failed (a protocol or socket error, a GOAWAY with an error code); its requests in flight fail with this. A server closes a client this way (GOAWAY ENHANCE_YOUR_CALM, SETTINGS_TIMEOUT) for resetting streams too fast or never acknowledging its SETTINGS.',
  WK_ERR_WS_PROTOCOL:
    'The WebSocket peer broke RFC 6455 (framing, masking, opcode, fragmentation or close frame rules): closed with 1002.',
  WK_ERR_WS_INVALID_UTF8:
    'A WebSocket text message or close reason is not valid UTF-8, or a compressed message does not inflate: closed with 1007.',
  WK_ERR_WS_MESSAGE_TOO_LARGE:
    'A WebSocket frame or message (inflated size included) is over maxFrameBytes, maxMessageBytes or maxFragments: closed with 1009.',
  WK_ERR_WS_HANDSHAKE:
    'The WebSocket opening handshake was refused (the HTTP status and response are on the error) or its response is invalid.',
  WK_ERR_WS_HANDSHAKE_TIMEOUT:
    'The server did not answer a WebSocket upgrade request within handshakeTimeoutMs: the connection was destroyed.',
  WK_ERR_WS_PONG_TIMEOUT:
    'The WebSocket peer did not answer a ping within pongTimeoutMs: the connection was destroyed.',
  WK_ERR_WS_BACKPRESSURE:
    "A WebSocket peer does not read: its bufferedAmount passed maxBufferedBytes and the 'close' policy closed it with 1013.",
  WK_ERR_WS_HANDLER: 'A WebSocket handler (open, message, close, drain) threw or rejected: closed with 1011.',
} as const;

/** A stable wirekit error code such as `WK_ERR_CONNECT_TIMEOUT`. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** A socket endpoint as reported on errors and connections. */
export interface SocketAddress {
  address: string;
  port: number;
  family: 'IPv4' | 'IPv6' | 'unix';
}

/** What an error may carry besides its code and message. */
export interface WirekitErrorOptions {
  cause?: unknown;
  localAddress?: SocketAddress | undefined;
  remoteAddress?: SocketAddress | undefined;
  /** The HTTP status this error maps to, for errors raised while handling HTTP. */
  status?: number;
}

/**
 * The base of every error wirekit raises.
 *
 * @example
 * ```ts
 * try { await connect({ port: 1 }); }
 * catch (err) { if (err instanceof WirekitError && err.code === 'WK_ERR_CONNECT') console.log(err.cause); }
 * ```
 */
export class WirekitError extends Error {
  readonly code: ErrorCode;
  readonly localAddress: SocketAddress | undefined;
  readonly remoteAddress: SocketAddress | undefined;
  readonly status: number | undefined;

  constructor(code: ErrorCode, message?: string, options: WirekitErrorOptions = {}) {
    super(message ?? ERROR_CODES[code], options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.localAddress = options.localAddress;
    this.remoteAddress = options.remoteAddress;
    this.status = options.status;
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/** Any wait that ran past its deadline (connect, idle, close ...). */
export class TimeoutError extends WirekitError {}

/** A limit (bytes, count, size) was crossed: the input was refused rather than buffered. */
export class LimitError extends WirekitError {}

/** A socket-level failure; carries the local and remote addresses where known. */
export class NetError extends WirekitError {}

/** True when `value` is a wirekit error, optionally with the given code. */
export function isWirekitError(value: unknown, code?: ErrorCode): value is WirekitError {
  return value instanceof WirekitError && (code === undefined || value.code === code);
}

/**
 * Malformed or refused HTTP input. `status` is the response a server sends before closing
 * (400, 413, 414, 431, 501, 505), so the mapping lives with the error, not in the server.
 */
export class ProtocolError extends WirekitError {
  declare readonly status: number;

  constructor(code: ErrorCode, status: number, message?: string, options: WirekitErrorOptions = {}) {
    super(code, message, { ...options, status });
  }
}
