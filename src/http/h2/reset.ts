/**
 * Stream resets: sent without ever passing a cut body off as complete, and told apart by who sent
 * them (the rapid-reset defence, CVE-2023-44487, counts the client's, never the server's own).
 */
import { constants, type Http2Stream } from 'node:http2';

/** Streams this server reset itself. Weak: a stream is forgotten with its object. */
const ours = new WeakSet<Http2Stream>();

/** Why a stream was destroyed mid-message (node:http2 sends RST_STREAM INTERNAL_ERROR for it). */
const CUT_SHORT = new Error('the stream was reset before its message was complete');

/**
 * Resets `stream` (RST_STREAM), remembering that this side did. With its sending side still open,
 * `close(code)` of node:http2 would end that side first (END_STREAM, then RST_STREAM), and the peer
 * would take a body cut short for a complete one; such a stream is destroyed instead, which sends
 * RST_STREAM INTERNAL_ERROR at once. Otherwise it is reset with `code`.
 *
 * @example
 * ```ts
 * resetStream(stream, constants.NGHTTP2_CANCEL);
 * ```
 */
export function resetStream(stream: Http2Stream, code: number): void {
  if (stream.destroyed) return;
  ours.add(stream);
  if (stream.writableEnded) stream.close(code);
  else stream.destroy(CUT_SHORT);
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
