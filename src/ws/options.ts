/**
 * Options of a WebSocket connection, with a default for every limit and wait.
 * They are resolved once per endpoint (a route, a server, a client) and shared by its connections.
 */
import { WirekitError } from '../errors.js';
import { anyOf, boolean, duration, func, integer, nested, OptionsSchema, oneOf } from '../util/options.js';
import type { DeflateWishes } from './codec/deflate-params.js';
import { DEFAULT_WS_MAX_FRAGMENTS, DEFAULT_WS_MAX_FRAME_BYTES, DEFAULT_WS_MAX_MESSAGE_BYTES } from './codec/limits.js';

/**
 * What happens to a message for a peer whose `bufferedAmount` is already over `maxBufferedBytes`.
 *
 * @example
 * ```ts
 * app.ws('/ticker', { backpressure: 'drop', open: (ws) => ws.subscribe('prices') });
 * ```
 */
export type BackpressurePolicy = 'close' | 'drop';

/**
 * permessage-deflate settings (RFC 7692): what to accept or ask for, and how to compress.
 *
 * @example
 * ```ts
 * app.ws('/feed', { perMessageDeflate: { serverNoContextTakeover: false, thresholdBytes: 256 }, message() {} });
 * ```
 */
export interface PerMessageDeflateOptions extends DeflateWishes {
  /** The server resets its compressor after every message. Default true (no zlib state kept). */
  serverNoContextTakeover?: boolean;
  /** The client resets its compressor after every message. Default true (no zlib state kept). */
  clientNoContextTakeover?: boolean;
  /** Messages smaller than this go uncompressed. Default 1024 bytes. */
  thresholdBytes?: number;
  /** zlib compression level, 0-9. Default 6. */
  level?: number;
  /** zlib memLevel, 1-9: memory of the compressor's state. Default 8. */
  memLevel?: number;
}

/**
 * Options of a WebSocket endpoint (`app.ws`, `WebSocketServer`, `app.connect`).
 *
 * @example
 * ```ts
 * new WebSocketServer({ message: (ws, data) => ws.send(data) }, { maxMessageBytes: 64 * 1024, pingIntervalMs: 15_000 });
 * ```
 */
export interface WebSocketOptions {
  /** Largest message received, inflated size included. Default 16 MiB; over it: close 1009. */
  maxMessageBytes?: number;
  /** Largest frame payload received. Default 16 MiB; over it: close 1009 (from the frame header alone). */
  maxFrameBytes?: number;
  /** Most frames in one message. Default 131,072; over it: close 1009. */
  maxFragments?: number;
  /** `send()` resolves, and `sendNow()` returns true, while `bufferedAmount` is at most this. Default 64 KiB. */
  sendHighWaterBytes?: number;
  /** A message for a peer with more than this buffered is handled by `backpressure`. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** `'close'` (default): close the peer with 1013; `'drop'`: drop the message and count it in `droppedMessages`. */
  backpressure?: BackpressurePolicy;
  /** Messages (bytes) queued for `for await` before reading pauses. Default 1 MiB. */
  receiveHighWaterBytes?: number;
  /** Send a ping after this long without receiving anything; 0 = never. Default 30 s. */
  pingIntervalMs?: number;
  /** Destroy the connection if nothing (a pong, any frame) arrives this long after a ping. Default 10 s. */
  pongTimeoutMs?: number;
  /** Close (1001) after this long without a message either way; 0 = never. Default 0. */
  idleTimeoutMs?: number;
  /** How long the closing handshake may take before TCP is destroyed. Default 10 s. */
  closeTimeoutMs?: number;
  /** Negotiate permessage-deflate (RFC 7692). Default false. `true` uses the defaults below. */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /**
   * Told about handlers that threw or rejected (the connection is closed with 1011). Default:
   * `process.emitWarning`. The peer's protocol errors are not reported here (see the diagnostics channels).
   */
  onError?: (error: Error) => void;
}

/**
 * Options with every default filled in; shared by the connections of one endpoint.
 *
 * @example
 * ```ts
 * const options: ResolvedWebSocketOptions = resolveWebSocketOptions({ pingIntervalMs: 0 });
 * ```
 */
export interface ResolvedWebSocketOptions {
  readonly maxMessageBytes: number;
  readonly maxFrameBytes: number;
  readonly maxFragments: number;
  readonly sendHighWaterBytes: number;
  readonly maxBufferedBytes: number;
  readonly backpressure: BackpressurePolicy;
  readonly receiveHighWaterBytes: number;
  readonly pingIntervalMs: number;
  readonly pongTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly closeTimeoutMs: number;
  readonly deflate: ResolvedDeflateOptions | undefined;
  readonly onError: (error: Error) => void;
}

/**
 * permessage-deflate settings with defaults filled in.
 *
 * @example
 * ```ts
 * const deflate = resolveWebSocketOptions({ perMessageDeflate: true }).deflate; // thresholdBytes 1024, level 6
 * ```
 */
export interface ResolvedDeflateOptions {
  readonly wishes: DeflateWishes;
  readonly thresholdBytes: number;
  readonly level: number;
  readonly memLevel: number;
}

/**
 * The defaults, in one place (README's WebSockets section lists them).
 *
 * @example
 * ```ts
 * app.ws('/chat', { closeTimeoutMs: WEBSOCKET_DEFAULTS.closeTimeoutMs / 2, message() {} });
 * ```
 */
export const WEBSOCKET_DEFAULTS = Object.freeze({
  maxMessageBytes: DEFAULT_WS_MAX_MESSAGE_BYTES,
  maxFrameBytes: DEFAULT_WS_MAX_FRAME_BYTES,
  maxFragments: DEFAULT_WS_MAX_FRAGMENTS,
  sendHighWaterBytes: 64 * 1024,
  maxBufferedBytes: 1024 * 1024,
  backpressure: 'close' as BackpressurePolicy,
  receiveHighWaterBytes: 1024 * 1024,
  pingIntervalMs: 30_000,
  pongTimeoutMs: 10_000,
  idleTimeoutMs: 0,
  closeTimeoutMs: 10_000,
  deflateThresholdBytes: 1024,
  deflateLevel: 6,
  deflateMemLevel: 8,
});

function warnHandlerError(error: Error): void {
  process.emitWarning(error);
}

const DEFLATE_OPTIONS = new OptionsSchema<PerMessageDeflateOptions>('perMessageDeflate', {
  serverNoContextTakeover: boolean(),
  clientNoContextTakeover: boolean(),
  // 8 cannot be honoured by zlib for our own compressor (see codec/deflate-params.ts).
  serverMaxWindowBits: integer(9, 15),
  clientMaxWindowBits: integer(8, 15),
  thresholdBytes: integer(0),
  level: integer(0, 9),
  memLevel: integer(1, 9),
});

/**
 * The options every WebSocket endpoint takes; `app.ws()`, `new WebSocketServer()` and
 * `app.connect()` extend it with their own keys.
 *
 * @example
 * ```ts
 * WEBSOCKET_OPTIONS.check({ maxMesageBytes: 1 }); // throws: unknown option … did you mean "maxMessageBytes"?
 * ```
 */
export const WEBSOCKET_OPTIONS = new OptionsSchema<WebSocketOptions>('WebSocket options', {
  maxMessageBytes: integer(1),
  maxFrameBytes: integer(1),
  maxFragments: integer(1),
  sendHighWaterBytes: integer(1),
  maxBufferedBytes: integer(1),
  backpressure: oneOf('close', 'drop'),
  receiveHighWaterBytes: integer(1),
  pingIntervalMs: duration(),
  pongTimeoutMs: duration(),
  idleTimeoutMs: duration(),
  closeTimeoutMs: duration(),
  perMessageDeflate: anyOf(boolean(), nested(DEFLATE_OPTIONS)),
  onError: func(),
});

/**
 * Checks options against `schema` (`WK_ERR_INVALID_ARGUMENT` for an unknown key or a bad value)
 * and fills in the defaults. Keys of `schema` beyond the WebSocket options (handlers, handshake
 * hooks) are left to their users.
 *
 * @example
 * ```ts
 * const resolved = resolveWebSocketOptions({ maxMessageBytes: 1 << 20 });
 * ```
 */
export function resolveWebSocketOptions<T extends WebSocketOptions>(
  given: T = {} as T,
  schema: OptionsSchema<T> = WEBSOCKET_OPTIONS as OptionsSchema<T>,
): ResolvedWebSocketOptions {
  const options = schema.check(given);
  const d = WEBSOCKET_DEFAULTS;
  const mark = options.sendHighWaterBytes ?? d.sendHighWaterBytes;
  const limit = options.maxBufferedBytes ?? Math.max(d.maxBufferedBytes, mark);
  if (mark > limit) {
    throw new WirekitError(
      'WK_ERR_INVALID_ARGUMENT',
      `${schema.where}: sendHighWaterBytes must not be over maxBufferedBytes`,
    );
  }
  return Object.freeze({
    maxMessageBytes: options.maxMessageBytes ?? d.maxMessageBytes,
    maxFrameBytes: options.maxFrameBytes ?? d.maxFrameBytes,
    maxFragments: options.maxFragments ?? d.maxFragments,
    sendHighWaterBytes: mark,
    maxBufferedBytes: limit,
    backpressure: options.backpressure ?? d.backpressure,
    receiveHighWaterBytes: options.receiveHighWaterBytes ?? d.receiveHighWaterBytes,
    pingIntervalMs: options.pingIntervalMs ?? d.pingIntervalMs,
    pongTimeoutMs: options.pongTimeoutMs ?? d.pongTimeoutMs,
    idleTimeoutMs: options.idleTimeoutMs ?? d.idleTimeoutMs,
    closeTimeoutMs: options.closeTimeoutMs ?? d.closeTimeoutMs,
    deflate: resolveDeflate(options.perMessageDeflate),
    onError: options.onError ?? warnHandlerError,
  });
}

function resolveDeflate(option: WebSocketOptions['perMessageDeflate']): ResolvedDeflateOptions | undefined {
  if (option === undefined || option === false) return undefined;
  const o = option === true ? {} : option;
  // No context takeover either way unless asked: no zlib state is kept between messages, so an
  // idle compressed connection costs little more than a plain one (see docs/websockets.md).
  const wishes: DeflateWishes = {
    serverNoContextTakeover: o.serverNoContextTakeover ?? true,
    clientNoContextTakeover: o.clientNoContextTakeover ?? true,
  };
  if (o.serverMaxWindowBits !== undefined) wishes.serverMaxWindowBits = o.serverMaxWindowBits;
  if (o.clientMaxWindowBits !== undefined) wishes.clientMaxWindowBits = o.clientMaxWindowBits;
  return Object.freeze({
    wishes,
    thresholdBytes: o.thresholdBytes ?? WEBSOCKET_DEFAULTS.deflateThresholdBytes,
    level: o.level ?? WEBSOCKET_DEFAULTS.deflateLevel,
    memLevel: o.memLevel ?? WEBSOCKET_DEFAULTS.deflateMemLevel,
  });
}
