/**
 * Writing a `Response` on an HTTP/2 stream through node:http2's core API: the head as one header
 * object (connection-specific fields left out, `content-length` set as the HTTP/1.1 serializer
 * would), a fixed body in one `end()`, a streamed body chunk by chunk with backpressure (node's
 * writable buffer fills while the peer's flow-control window is closed), trailers after either.
 */
import { constants, type ServerHttp2Stream } from 'node:http2';
import { TimeoutError, WirekitError } from '../../errors.js';
import { timerWheel } from '../../util/timer-wheel.js';
import { isBodylessStatus } from '../codec/status.js';
import { contentStream } from '../message/body.js';
import { type BodySink, declaredLength, pumpBody, releaseBody, trailerFields } from '../message/body-pump.js';
import type { Response } from '../message/response.js';
import { addFields, type NodeHeaders } from './fields.js';
import { resetStream } from './reset.js';

/** Options objects of `respond()`, shared: nothing per response. */
const END_STREAM = Object.freeze({ endStream: true });
const WAIT_FOR_TRAILERS = Object.freeze({ waitForTrailers: true });

/**
 * Starts writing `response` on `stream`: the body bytes when it was written at once, or a promise of
 * them for a streamed body (or one with trailers). Throws, having sent nothing, when node:http2
 * refuses the head (a status it cannot send, such as 101).
 *
 * @example
 * ```ts
 * const sent = writeH2Response(stream, Response.json({ ok: true }), false, 30_000);
 * if (typeof sent !== 'number') await sent;
 * ```
 */
export function writeH2Response(
  stream: ServerHttp2Stream,
  response: Response,
  head: boolean,
  sendTimeoutMs: number,
): number | Promise<number> {
  const content = response.takeContent();
  const status = response.status;
  const headers = addFields({ ':status': status }, response.headers.raw(), false);
  if (content !== null && typeof content !== 'string' && !(content instanceof Uint8Array)) {
    return writeStream(stream, response, headers, content, head, sendTimeoutMs);
  }
  const bytes = content === null ? 0 : typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
  const bodyless = isBodylessStatus(status);
  if (!bodyless) headers['content-length'] = bytes;
  if (head || bodyless || bytes === 0 || content === null) {
    if (response.trailers !== undefined && !head && !bodyless) return withTrailers(stream, response, headers);
    stream.respond(headers, END_STREAM);
    return 0;
  }
  if (response.trailers !== undefined) {
    return writeStream(stream, response, headers, contentStream(content), false, sendTimeoutMs, bytes);
  }
  stream.respond(headers);
  stream.end(content);
  return bytes;
}

function writeStream(
  stream: ServerHttp2Stream,
  response: Response,
  headers: NodeHeaders,
  body: AsyncIterable<Uint8Array>,
  head: boolean,
  sendTimeoutMs: number,
  known?: number,
): number | Promise<number> {
  const status = response.status;
  const declared = known ?? declaredLength(response.headers.get('content-length'));
  const bodyless = isBodylessStatus(status);
  if (declared !== undefined && !bodyless) headers['content-length'] = declared;
  if (head || bodyless) {
    stream.respond(headers, END_STREAM);
    releaseBody(body);
    return 0;
  }
  const trailers = response.trailers !== undefined;
  stream.respond(headers, trailers ? WAIT_FOR_TRAILERS : undefined);
  return pumpBody(body, declared, streamSink(stream, sendTimeoutMs)).then(async (total) => {
    if (trailers) await endWithTrailers(stream, response);
    else stream.end();
    return total;
  });
}

/** An empty body followed by trailers. */
async function withTrailers(stream: ServerHttp2Stream, response: Response, headers: NodeHeaders): Promise<number> {
  stream.respond(headers, WAIT_FOR_TRAILERS);
  await endWithTrailers(stream, response);
  return 0;
}

/** Ends the body and sends the trailer fields (resolved first: node asks for them right after `end()`). */
async function endWithTrailers(stream: ServerHttp2Stream, response: Response): Promise<void> {
  const fields = await trailerFields(response);
  if (stream.destroyed) throw gone();
  const trailers = addFields({}, fields, false);
  stream.once('wantTrailers', () => stream.sendTrailers(trailers));
  stream.end();
}

/** The HTTP/2 sink of a streamed body: a stream that stays behind for `sendTimeoutMs` is reset. */
function streamSink(stream: ServerHttp2Stream, sendTimeoutMs: number): BodySink {
  return {
    send: (chunk) => {
      if (stream.destroyed) throw gone();
      return stream.write(chunk);
    },
    drained: () => drained(stream, sendTimeoutMs),
  };
}

function drained(stream: ServerHttp2Stream, sendTimeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (): void => {
      timer.cancel();
      stream.off('drain', settle);
      stream.off('close', settle);
      if (stream.destroyed) reject(gone());
      else resolve();
    };
    const timer = timerWheel.after(sendTimeoutMs, () => {
      stream.off('drain', settle);
      stream.off('close', settle);
      // The client keeps its window shut: give up this stream, not the connection (RFC 9113 §5.4.2).
      resetStream(stream, constants.NGHTTP2_CANCEL);
      reject(new TimeoutError('WK_ERR_IDLE_TIMEOUT', `client did not read for ${sendTimeoutMs} ms`));
    });
    stream.on('drain', settle);
    stream.on('close', settle);
  });
}

function gone(): WirekitError {
  return new WirekitError('WK_ERR_HTTP_CLIENT_GONE');
}
