/**
 * What a WebSocket frame parser is given and gives back: the reading role, its limits, its sink of
 * events, and the failure it reports (close code and error code).
 */
import type { ErrorCode } from '../../errors.js';

/**
 * Which end of the connection the parser runs at: servers receive masked frames, clients unmasked ones.
 *
 * @example
 * ```ts
 * const role: WebSocketRole = 'client'; // its frames are masked, the server's are not
 * ```
 */
export type WebSocketRole = 'server' | 'client';

/**
 * Limits and mode of a {@link FrameParser}.
 *
 * @example
 * ```ts
 * new FrameParser(sink, { role: 'server', maxMessageBytes: 1 << 20, maxFrameBytes: 1 << 20, maxFragments: 1024 });
 * ```
 */
export interface FrameParserOptions {
  role: WebSocketRole;
  /** Largest message (the sum of its frames' payloads); larger fails with 1009. */
  maxMessageBytes: number;
  /** Largest frame payload; larger fails with 1009 as soon as the header says so. */
  maxFrameBytes: number;
  /** Most frames in one message (empty ones count); more fail with 1009. */
  maxFragments: number;
  /** permessage-deflate was negotiated: RSV1 on a message's first frame marks it compressed. */
  compression?: boolean;
}

/**
 * Why the parser failed the connection: the close code to send and the wirekit error code.
 *
 * @example
 * ```ts
 * onFail: (f) => console.log(f.closeCode, f.errorCode, f.message) // 1002 WK_ERR_WS_PROTOCOL ...
 * ```
 */
export interface FrameFailure {
  closeCode: 1002 | 1007 | 1009;
  errorCode: ErrorCode;
  message: string;
}

/**
 * What the parser produces. Callbacks may call `parser.pause()` (to stop after this event) and,
 * later, `resume()`.
 *
 * @example
 * ```ts
 * const sink: FrameParserSink = { onMessage: (p, text) => console.log(text ? p.toString() : p), onPing() {}, onPong() {}, onCloseFrame() {}, onFail() {} };
 * ```
 */
export interface FrameParserSink {
  /** A complete data message. Text is valid UTF-8 unless `compressed` (inflate it, then check). */
  onMessage(payload: Buffer, isText: boolean, compressed: boolean): void;
  onPing(payload: Buffer): void;
  onPong(payload: Buffer): void;
  /** A valid close frame (code 1005 when it had no payload). The parser stops. */
  onCloseFrame(code: number, reason: string): void;
  /** The peer broke the protocol or a limit. The parser stops; close with `closeCode`. */
  onFail(failure: FrameFailure): void;
}
