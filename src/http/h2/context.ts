/** What the HTTP/2 engine needs from the server that runs it: the handler, the limits, the observers. */
import type { ParserLimits } from '../codec/limits.js';
import type { ConnInfo, Handler } from '../message/conn-info.js';
import type { Request } from '../message/request.js';
import type { Response } from '../message/response.js';
import type { ProxyTrust } from '../message/trust-proxy.js';

/**
 * The per-request limits and timeouts of `serve()` that apply to HTTP/2 streams too (the server's
 * resolved options have this shape).
 *
 * @example
 * ```ts
 * const limits: H2StreamOptions = { maxBodyBytes: 1 << 20, bodyHighWaterBytes: 65_536, maxDiscardBytes: 65_536,
 *   requestTimeoutMs: 60_000, sendTimeoutMs: 30_000, idleTimeoutMs: 5_000, limits: {}, onError: console.error };
 * ```
 */
export interface H2StreamOptions {
  /** Limit of buffered body reads (`text()`, `json()`). */
  readonly maxBodyBytes: number;
  /** Unread request-body bytes a stream holds before its flow-control window stops the client. */
  readonly bodyHighWaterBytes: number;
  /** Request-body bytes read and dropped after a response that did not read them; beyond, the stream is reset. */
  readonly maxDiscardBytes: number;
  /** From a stream's head to the end of its request body. */
  readonly requestTimeoutMs: number;
  /** How long a response may wait for a client that does not open its window. */
  readonly sendTimeoutMs: number;
  /** How long a connection with no open stream is kept. */
  readonly idleTimeoutMs: number;
  /** The server's `trustProxy`, compiled (see `ConnInfo.trustProxy`). */
  readonly trustProxy?: ProxyTrust | undefined;
  /** Header and body limits (`maxBodyBytes` here is the hard limit of any request body). */
  readonly limits: Partial<ParserLimits>;
  onError(error: Error, info: ConnInfo | undefined): void;
}

/**
 * What every HTTP/2 connection of one server shares (the server's own context has this shape).
 *
 * @example
 * ```ts
 * const ctx: H2ServeContext = { handler: app.handler, options: resolved, closing: false };
 * ```
 */
export interface H2ServeContext {
  readonly handler: Handler;
  readonly options: H2StreamOptions;
  /** True once the server is closing: a response that starts streaming is asked to stop. */
  readonly closing: boolean;
  /** True once the server drains (`server.drain()`): readiness checks answer 503. */
  readonly draining?: boolean;
}

/**
 * Where the engine reports requests and connections (the server's diagnostics channels).
 *
 * @example
 * ```ts
 * const observer: H2Observer = { requestStart() {}, requestEnd() {}, connection() {} };
 * ```
 */
export interface H2Observer {
  requestStart(request: Request, info: ConnInfo): void;
  /** `bytes` of body sent, -1 when the response failed midway; `clientGone` when the client left. */
  requestEnd(
    request: Request,
    response: Response | undefined,
    info: ConnInfo,
    startedAt: number,
    bytes: number,
    clientGone: boolean,
  ): void;
  connection(kind: 'open' | 'close', info: ConnInfo): void;
}
