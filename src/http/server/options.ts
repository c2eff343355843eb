import { isWirekitError, ProtocolError } from '../../errors.js';
import type { TlsServerOptions } from '../../net/index.js';
import type { ProxyProtocolOptions } from '../../net/proxy-header.js';
import { faultLog, type Logger, loggerSpec } from '../../util/logger.js';
import {
  anyOf,
  boolean,
  duration,
  func,
  instanceOf,
  integer,
  listOf,
  nested,
  OptionsSchema,
  object,
  oneOf,
  port,
  string,
} from '../../util/options.js';
import { processWarnings } from '../../util/warning-limiter.js';
import type { ParserLimits } from '../codec/limits.js';
import { HTTP2_OPTIONS, type Http2Options } from '../h2/options.js';
import { DEFAULT_MAX_BODY_BYTES } from '../message/body.js';
import type { ConnInfo } from '../message/conn-info.js';
import { compileTrustProxy, type ProxyTrust, type TrustProxy } from '../message/trust-proxy.js';
import type { RedirectHttpOptions } from './https-redirect.js';

/** Options of `serve()`. Every limit and wait has a default; units are in the names. */
export interface ServeOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  /** Address to bind. Default `127.0.0.1` (loopback: exposing a server is a decision, not a default). */
  host?: string;
  /** A Unix socket path instead of a TCP port. */
  path?: string;
  backlog?: number;
  /** Most open connections; more are refused at accept. Default: unlimited by us (the OS limits). */
  maxConnections?: number;
  /** Closes the server (gracefully, without a deadline) when aborted. */
  signal?: AbortSignal;
  /**
   * Connections start with a PROXY protocol header (v1 or v2, from HAProxy `send-proxy[-v2]`,
   * nginx `proxy_protocol on`): `info.remoteAddress` is then the client's, `info.proxiedBy` the
   * proxy's. Missing or malformed headers close the connection. Default false. See `listen()`.
   */
  proxyProtocol?: boolean | ProxyProtocolOptions;
  /** Share the port with other processes' listeners, the kernel balancing (`SO_REUSEPORT`). See `listen()`. Default false. */
  reusePort?: boolean;
  /** Listen on a socket handle received from another process instead of binding (see `listen()`). */
  handle?: object;
  /**
   * Serve HTTPS: certificates (`key`/`cert`, or `keyFile`/`certFile` reloaded when they change),
   * SNI, client certificates, protocol versions and the handshake limits. `url` is then `https://…`,
   * `info.secure` true and `info.tls` tells what each connection negotiated.
   */
  tls?: TlsServerOptions;
  /** With `tls`: also listen for plain HTTP on this port and redirect every request there to HTTPS (308). */
  redirectHttp?: RedirectHttpOptions;

  /**
   * HTTP/2. `'h2c'`: cleartext HTTP/2 with prior knowledge (a client that opens with the HTTP/2
   * preface, as a proxy in front does) on the same port as HTTP/1.1. Over TLS, `h2` is offered by
   * ALPN unless this is `false`. Default `true`.
   */
  http2?: boolean | 'h2c';
  /** HTTP/2 limits (streams per connection, rapid-reset defence, SETTINGS timeout, windows). */
  http2Options?: Http2Options;

  /** From the first byte of a request head to its end (slowloris guard). Default 10 s; then 408 and close. */
  headerTimeoutMs?: number;
  /** From the first byte of a request to the end of its body. Default 60 s; then 408 (or a reset) and close. */
  requestTimeoutMs?: number;
  /** Keep-alive: how long an idle connection waits for its next request. Default 5 s; then it is closed. */
  idleTimeoutMs?: number;
  /**
   * How long any response write (fixed-length, bodiless, a pipelined batch, a stream) may wait for
   * a client that reads nothing. Default 30 s; then the socket is destroyed. A client that reads,
   * however slowly, gets a new period each time it takes some bytes.
   */
  sendTimeoutMs?: number;
  /**
   * After `close()` begins: how long a keep-alive connection still takes new requests. An idle
   * one waits this long for a request already on its way (answered with `Connection: close`, then
   * closed) instead of racing it with a close; a request whose head arrives before the grace ends
   * is served.
   * Default 500 ms; 0 closes idle connections at once (what node:http does).
   */
  closeGraceMs?: number;
  /** Requests served on one connection; the last response says `Connection: close`. Default 10,000. */
  maxRequestsPerConnection?: number;
  /** Pipelined requests parsed ahead of their responses before reading pauses. Default 16. */
  maxPipelinedRequests?: number;

  /** Longest request line. Default 8 KiB; over it: 414. */
  maxRequestLineBytes?: number;
  /** Largest request head. Default 16 KiB; over it: 431. */
  maxHeadBytes?: number;
  /** Most header fields. Default 256 (proxied requests reach 100 and more); over it: 431. The bytes are bounded by `maxHeadBytes`. */
  maxHeaderCount?: number;
  /** Most chunk-extension bytes per chunk. Default 1 KiB; over it: 413. */
  maxChunkExtensionBytes?: number;
  /** Limit of buffered body reads (`req.text()`, `json()`, `bytes()`). Default 1 MiB; over it: 413. */
  maxBodyBytes?: number;
  /** Hard limit of any request body, streamed or not. Default unlimited; over it: 413 and close. */
  maxStreamedBodyBytes?: number;
  /** Unread request-body bytes buffered before the socket pauses. Default 64 KiB. */
  bodyHighWaterBytes?: number;
  /** Request-body bytes the server reads and drops after a response that did not read them, to keep the connection. Default 64 KiB; beyond it the connection is closed instead. */
  maxDiscardBytes?: number;

  /**
   * Called with errors thrown by the handler (the client gets their 4xx status, or 500) and
   * responses that failed midway. A client that goes away mid-response (closes, resets) is not an
   * error and is not reported here (the `request.end` channel says `clientGone`). Default:
   * `process.emitWarning`, except for errors that answer 4xx (the client's fault) and
   * `WK_ERR_HTTP_CLIENT_GONE` (a handler that read the body of a client that left).
   */
  onError?: (error: Error, info: ConnInfo | undefined) => void;

  /**
   * Which reverse proxies in front are trusted to say who the client is (`X-Forwarded-For`,
   * `-Proto`, `-Host`, or RFC 7239 `Forwarded`): `info.trustProxy`, read by `clientOf(request,
   * info)` and an App's `c.req.ip`/`protocol`/`host`. Default false: nobody, the fields are
   * ignored. See the README's "Behind a proxy".
   */
  trustProxy?: TrustProxy;
  /**
   * Called once when `close()` begins (or `signal` aborts), before idle connections are ended: the
   * place to tell upgraded connections to finish (`webSockets.close()` sends them 1001). `close()`
   * still waits for them, up to its `timeoutMs`.
   */
  onClose?: () => void;
  /**
   * Where the server logs (a pino logger, `jsonLogger()`, anything with pino's `error/warn/info/debug`
   * and `child`). With a logger and no `onError`, server-side faults (5xx handler errors, responses
   * that failed midway) go to `logger.error` with their stack, instead of a process warning. The
   * client never sees a stack either way.
   */
  logger?: Logger;
}

/** Resolved server options: every default filled in. */
export interface ResolvedServeOptions {
  headerTimeoutMs: number;
  requestTimeoutMs: number;
  idleTimeoutMs: number;
  sendTimeoutMs: number;
  closeGraceMs: number;
  maxRequestsPerConnection: number;
  maxPipelinedRequests: number;
  maxBodyBytes: number;
  bodyHighWaterBytes: number;
  maxDiscardBytes: number;
  limits: Partial<ParserLimits>;
  onError: (error: Error, info: ConnInfo | undefined) => void;
  trustProxy: ProxyTrust | undefined;
}

export const SERVE_DEFAULTS = Object.freeze({
  headerTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  idleTimeoutMs: 5_000,
  sendTimeoutMs: 30_000,
  closeGraceMs: 500,
  maxRequestsPerConnection: 10_000,
  maxPipelinedRequests: 16,
  maxBodyBytes: DEFAULT_MAX_BODY_BYTES,
  bodyHighWaterBytes: 64 * 1024,
  maxDiscardBytes: 64 * 1024,
});

/**
 * The options of `serve()` and `app.listen()`: unknown keys and bad values fail at the call
 * (util/options.ts); a port may be a string of digits (`process.env.PORT`).
 *
 * @example
 * ```ts
 * const options = SERVE_OPTIONS.check({ port: '3000' }); // { port: 3000 }
 * ```
 */
export const SERVE_OPTIONS = new OptionsSchema<ServeOptions>('serve()', {
  port: port(),
  host: string(),
  path: string(),
  backlog: integer(0, 2 ** 31 - 1),
  maxConnections: integer(0),
  signal: instanceOf(AbortSignal, 'an AbortSignal'),
  tls: object(),
  http2: anyOf(boolean(), oneOf('h2c')),
  http2Options: nested(HTTP2_OPTIONS),
  redirectHttp: nested(
    new OptionsSchema<RedirectHttpOptions>('serve() redirectHttp', { port: port(), host: string(), httpsPort: port() }),
  ),
  headerTimeoutMs: duration(),
  requestTimeoutMs: duration(),
  idleTimeoutMs: duration(),
  sendTimeoutMs: duration(),
  closeGraceMs: duration(),
  maxRequestsPerConnection: integer(0),
  maxPipelinedRequests: integer(0),
  maxRequestLineBytes: integer(1),
  maxHeadBytes: integer(1),
  maxHeaderCount: integer(1),
  maxChunkExtensionBytes: integer(0),
  maxBodyBytes: integer(0),
  maxStreamedBodyBytes: integer(0),
  bodyHighWaterBytes: integer(0),
  maxDiscardBytes: integer(0),
  onError: func(),
  logger: loggerSpec(),
  trustProxy: anyOf(boolean(), integer(0), string(), listOf(string()), func(), object()),
  proxyProtocol: anyOf(boolean(), object()),
  reusePort: boolean(),
  handle: object(),
  onClose: func(),
});

/** Fills defaults (the values were checked by {@link SERVE_OPTIONS}). */
export function resolveServeOptions(options: ServeOptions): ResolvedServeOptions {
  const out: Record<keyof typeof SERVE_DEFAULTS, number> = { ...SERVE_DEFAULTS };
  for (const key of Object.keys(SERVE_DEFAULTS) as (keyof typeof SERVE_DEFAULTS)[]) {
    const value = options[key];
    if (value !== undefined) out[key] = value;
  }
  const limits: Partial<ParserLimits> = {};
  if (options.maxRequestLineBytes !== undefined) limits.maxRequestLineBytes = options.maxRequestLineBytes;
  if (options.maxHeadBytes !== undefined) limits.maxHeadBytes = options.maxHeadBytes;
  if (options.maxHeaderCount !== undefined) limits.maxHeaderCount = options.maxHeaderCount;
  if (options.maxChunkExtensionBytes !== undefined) limits.maxChunkExtensionBytes = options.maxChunkExtensionBytes;
  if (options.maxStreamedBodyBytes !== undefined) limits.maxBodyBytes = options.maxStreamedBodyBytes;
  const onError = options.onError ?? (options.logger === undefined ? warnServerFault : logServerFault(options.logger));
  return { ...out, limits, onError, trustProxy: compileTrustProxy(options.trustProxy) };
}

/**
 * The default `onError`: a process warning for what is the server's fault. A handler error that
 * answers 4xx (a body that is not JSON, one over the limit) is the client's, and so is a body read
 * that failed because the client left, and so is a file that changed under a response already
 * started (a race with whoever edits the files); a warning per such request would let any client
 * flood the server's log. Faults that do warn are rate-limited per kind (see util/warning-limiter.ts).
 */
export function warnServerFault(error: Error): void {
  if (isServerFault(error)) processWarnings.warn(error);
}

/**
 * The default `onError` of a server given a `logger`: the faults {@link warnServerFault} would
 * warn of go to `logger.error`, with the stack and the client's address, rate-limited per kind as
 * the warnings are.
 *
 * @example
 * ```ts
 * const onError = logServerFault(jsonLogger());
 * ```
 */
export function logServerFault(logger: Logger): (error: Error, info: ConnInfo | undefined) => void {
  const faults = faultLog();
  return (error, info) => {
    if (!isServerFault(error)) return;
    const address = info?.remoteAddress?.address;
    faults(logger, error, address === undefined ? undefined : { remoteAddress: address });
  };
}

/** Whether an error reported to the server is its own fault (see {@link warnServerFault}). */
function isServerFault(error: Error): boolean {
  if (error instanceof ProtocolError && error.status < 500) return false;
  return !isWirekitError(error, 'WK_ERR_HTTP_CLIENT_GONE') && !isWirekitError(error, 'WK_ERR_FILE_CHANGED');
}
