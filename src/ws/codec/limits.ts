/** Default limits of the WebSocket codec: every buffer and count has one. */

/**
 * Default largest message, compressed or inflated: 16 MiB. Over it the connection closes with 1009.
 *
 * @example
 * ```ts
 * app.ws('/upload', { maxMessageBytes: DEFAULT_WS_MAX_MESSAGE_BYTES * 4, message() {} });
 * ```
 */
export const DEFAULT_WS_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/**
 * Default largest frame payload: 16 MiB (a frame is refused from its header alone).
 *
 * @example
 * ```ts
 * new FrameParser(sink, { role: 'server', maxFrameBytes: DEFAULT_WS_MAX_FRAME_BYTES, maxMessageBytes: DEFAULT_WS_MAX_MESSAGE_BYTES, maxFragments: DEFAULT_WS_MAX_FRAGMENTS });
 * ```
 */
export const DEFAULT_WS_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * Default most frames in one message: 131,072 (a 4 MiB message in 64-byte fragments fits; empty
 * fragments count, so a message of endless empty frames is refused).
 *
 * @example
 * ```ts
 * app.ws('/chat', { maxFragments: DEFAULT_WS_MAX_FRAGMENTS / 128, message() {} });
 * ```
 */
export const DEFAULT_WS_MAX_FRAGMENTS = 128 * 1024;
