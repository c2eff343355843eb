/**
 * Opcodes and close codes of RFC 6455 (§5.2, §7.4), and the close codes registered since in the
 * IANA "WebSocket Close Code Number Registry" (1012-1014).
 */

/**
 * Frame opcodes (RFC 6455 §5.2). 0x3-0x7 and 0xB-0xF are reserved: a frame with one fails the
 * connection (1002).
 *
 * @example
 * ```ts
 * if (opcode === Opcode.Text) console.log('a text frame');
 * ```
 */
export const Opcode = {
  Continuation: 0x0,
  Text: 0x1,
  Binary: 0x2,
  Close: 0x8,
  Ping: 0x9,
  Pong: 0xa,
} as const;

/**
 * Close codes (RFC 6455 §7.4.1) with the names the RFC gives them.
 *
 * @example
 * ```ts
 * ws.close(CloseCode.GoingAway, 'server restarting');
 * ```
 */
export const CloseCode = {
  /** The purpose of the connection has been fulfilled. */
  Normal: 1000,
  /** The endpoint is going away (server shutdown, page navigated away). */
  GoingAway: 1001,
  /** The peer broke the protocol. */
  ProtocolError: 1002,
  /** A data type the endpoint cannot accept (e.g. binary to a text-only endpoint). */
  UnsupportedData: 1003,
  /** No status code was present in the close frame (never sent on the wire). */
  NoStatus: 1005,
  /** The connection closed without a close frame (never sent on the wire). */
  Abnormal: 1006,
  /** A text message was not valid UTF-8 (or a message was inconsistent with its type). */
  InvalidPayload: 1007,
  /** A message violated the endpoint's policy. */
  PolicyViolation: 1008,
  /** A message was too big to process. */
  MessageTooBig: 1009,
  /** The client expected an extension the server did not negotiate. */
  MandatoryExtension: 1010,
  /** The server met an unexpected condition (a handler threw). */
  InternalError: 1011,
  /** The service is restarting. */
  ServiceRestart: 1012,
  /** Try again later: the server is overloaded (or this client could not keep up). */
  TryAgainLater: 1013,
  /** A gateway received an invalid response. */
  BadGateway: 1014,
  /** The TLS handshake failed (never sent on the wire). */
  TlsHandshake: 1015,
} as const;

/**
 * True for a close code that may appear in a close frame (RFC 6455 §7.4): 1000-1003, 1007-1014 and
 * the application range 3000-4999. 1004 is reserved; 1005, 1006 and 1015 are never sent; everything
 * else below 3000 is unassigned.
 *
 * @example
 * ```ts
 * isValidCloseCode(1000); // true
 * isValidCloseCode(1005); // false: only reported locally
 * ```
 */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/**
 * The GUID of RFC 6455 §1.3 that `Sec-WebSocket-Accept` hashes with the client's key.
 *
 * @example
 * ```ts
 * createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
 * ```
 */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/**
 * Largest control frame payload (RFC 6455 §5.5).
 *
 * @example
 * ```ts
 * if (payload.length > MAX_CONTROL_PAYLOAD_BYTES) throw new RangeError('too long for a ping');
 * ```
 */
export const MAX_CONTROL_PAYLOAD_BYTES = 125;
