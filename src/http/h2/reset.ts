/**
 * Stream resets, told apart by who sent them: the rapid-reset defence (CVE-2023-44487) counts the
 * client's, never the server's own (a send timeout, a body over its limit).
 */
import { constants, type Http2Stream } from 'node:http2';

/** Streams this server reset itself. Weak: a stream is forgotten with its object. */
const ours = new WeakSet<Http2Stream>();

/**
 * Resets `stream` (RST_STREAM with `code`), remembering that the server did.
 *
 * @example
 * ```ts
 * resetStream(stream, constants.NGHTTP2_CANCEL);
 * ```
 */
export function resetStream(stream: Http2Stream, code: number): void {
  ours.add(stream);
  stream.close(code);
}

/**
 * True when a closed `stream` ended with an error code the server did not send: the peer reset it.
 *
 * @example
 * ```ts
 * stream.on('close', () => { if (resetByPeer(stream)) resets++; });
 * ```
 */
export function resetByPeer(stream: Http2Stream): boolean {
  const code = stream.rstCode;
  return code !== undefined && code !== constants.NGHTTP2_NO_ERROR && !ours.has(stream);
}
