/**
 * The framing codecs over a {@link Connection}: async iterators of lines and frames, and their
 * writers. They read through the connection's own buffer (`readUntil` / `readExactly`), so leaving
 * a loop early loses nothing: the bytes after the last line or frame stay unread on the connection.
 */
import { isWirekitError, LimitError } from '../../errors.js';
import type { Connection } from '../connection.js';
import { checkFrameLength, encodeFrame, frameFormat, type LengthPrefixOptions, readLength } from './length-prefix.js';
import {
  DEFAULT_MAX_LINE_BYTES,
  decodeLine,
  encodeLine,
  type LineOptions,
  lineTooLarge,
  stripLineEnd,
} from './lines.js';

/**
 * Yields the connection's lines as strings (UTF-8, without the delimiter) until the peer ends; a
 * last line without a delimiter is yielded too. Throws `WK_ERR_FRAME_TOO_LARGE` for a line over
 * `maxLineBytes` (default 64 KiB), never buffering more.
 *
 * @example
 * ```ts
 * for await (const line of lines(conn)) await writeLine(conn, line.toUpperCase());
 * ```
 */
export async function* lines(conn: Connection, options: LineOptions = {}): AsyncGenerator<string, void, undefined> {
  const delimiter = options.delimiter ?? '\n';
  const maxBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const stripCR = options.stripCR ?? true;
  for (;;) {
    let line: Uint8Array;
    try {
      line = await conn.readUntil(delimiter, { maxBytes });
    } catch (error) {
      if (isWirekitError(error, 'WK_ERR_READ_LIMIT')) throw withEndpoints(lineTooLarge(maxBytes, error), conn);
      if (!isWirekitError(error, 'WK_ERR_UNEXPECTED_EOF')) throw error;
      // The peer ended: what is left (at most maxBytes) is the last line, if any. It is yielded
      // before the final read reports the EOF as seen, so replies to it go out before our end().
      const buffered = conn.bufferedBytes;
      if (buffered > 0) yield decodeLine(stripLineEnd(await conn.readExactly(buffered), stripCR));
      await conn.read(); // null
      return;
    }
    yield decodeLine(stripLineEnd(line, stripCR));
  }
}

/**
 * Writes `text` and the delimiter (default `'\n'`) in one write; resolves like `conn.write()`.
 *
 * @example
 * ```ts
 * await writeLine(conn, 'hello');
 * ```
 */
export function writeLine(conn: Connection, text: string | Uint8Array, delimiter: string | Uint8Array = '\n') {
  return conn.write(encodeLine(text, delimiter));
}

/**
 * Yields the connection's length-prefixed frames (payloads) until the peer ends. A prefix over
 * `maxFrameBytes` throws `WK_ERR_FRAME_TOO_LARGE` before any of its body is read; a frame cut
 * short by the peer throws `WK_ERR_UNEXPECTED_EOF`.
 *
 * @example
 * ```ts
 * for await (const frame of frames(conn, { prefix: 'u16' })) await writeFrame(conn, frame, { prefix: 'u16' });
 * ```
 */
export async function* frames(
  conn: Connection,
  options: LengthPrefixOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const format = frameFormat(options);
  for (;;) {
    let prefix: Uint8Array;
    try {
      prefix = await conn.readExactly(format.prefixBytes);
    } catch (error) {
      // EOF between frames is the normal end; EOF inside a prefix is not.
      if (isWirekitError(error, 'WK_ERR_UNEXPECTED_EOF') && conn.bufferedBytes === 0) return;
      throw error;
    }
    const length = readLength(prefix, format.prefix);
    try {
      checkFrameLength(length, format);
    } catch (error) {
      throw error instanceof LimitError ? withEndpoints(error, conn) : error;
    }
    yield await conn.readExactly(length);
  }
}

/** A codec's limit error with the connection's addresses (the pure codecs know of no socket). */
function withEndpoints(error: LimitError, conn: Connection): LimitError {
  const { localAddress, remoteAddress } = conn;
  return new LimitError(error.code, error.message, { cause: error.cause, localAddress, remoteAddress });
}

/**
 * Writes `payload` with its length prefix in one write; resolves like `conn.write()`.
 * Throws `WK_ERR_FRAME_TOO_LARGE` (before writing) when the payload is over the limit.
 *
 * @example
 * ```ts
 * await writeFrame(conn, new TextEncoder().encode('{"op":"ping"}'));
 * ```
 */
export function writeFrame(conn: Connection, payload: Uint8Array, options: LengthPrefixOptions = {}) {
  return conn.write(encodeFrame(payload, options));
}
