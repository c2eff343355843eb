import { WirekitError } from '../../errors.js';
import type { WriteBatch } from '../../net/write-batch.js';
import { CHUNK_END, chunkHeader, lastChunk, serializeResponseHead } from '../codec/serializer.js';
import { isBodylessStatus } from '../codec/status.js';
import { type BodySink, declaredLength, pumpBody, releaseBody, trailerFields } from '../message/body-pump.js';
import type { Response } from '../message/response.js';

/** Where a response is written: the connection, through its write batch. */
type Output = WriteBatch;

/** What the connection tells the writer about the exchange. */
export interface WriteContext {
  requestVersion: '1.0' | '1.1';
  /** A HEAD request: send the head the GET would get, never the body. */
  head: boolean;
  /** A CONNECT request: a 2xx to it carries no Content-Length or Transfer-Encoding (RFC 9110 §9.3.6). */
  connect: boolean;
  keepAlive: boolean;
}

/** The outcome of starting a response: the keep-alive decision and, for a streamed body, its completion. */
export interface WriteResult {
  keepAlive: boolean;
  /** Body bytes written (fixed bodies; 0 for HEAD, 204, 304). */
  bytes: number;
  /** Present for streamed bodies: resolves with the body bytes once the last one is handed to the socket. */
  pending: Promise<number> | undefined;
}

/** Bodies up to this size are copied behind the head so the response leaves in one write. */
const COALESCE_BYTES = 16 * 1024;

/**
 * Writes `response` on `conn`: framing chosen by the serializer, fixed bodies in one write with the
 * head, streamed bodies chunk by chunk with backpressure (every wait for the client to read is
 * bounded by the connection's send timeout, which the write batch arms). A client that goes away mid-stream ends the iteration, which calls the body
 * iterator's `return()`, so the producer learns it was cancelled.
 */
export function writeResponse(conn: Output, response: Response, ctx: WriteContext): WriteResult {
  const content = response.takeContent();
  if (content !== null && typeof content !== 'string' && !(content instanceof Uint8Array)) {
    return writeStream(conn, response, content, ctx);
  }
  const bodyless = ctx.head || isBodylessStatus(response.status);
  const bytes = content === null ? 0 : typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
  const serialized = serializeResponseHead({
    status: response.status,
    reason: response.statusText,
    headers: response.headers.raw(),
    requestVersion: ctx.requestVersion,
    bodyLength: isBodylessStatus(response.status) ? 'none' : tunnels(response, ctx) ? 'close' : bytes,
    keepAlive: ctx.keepAlive,
    trusted: true,
  });
  const head = serialized.head;
  const asciiHead = serialized.ascii;
  if (bodyless || bytes === 0 || content === null) {
    conn.send(asciiHead ? head : Buffer.from(head, 'latin1'));
  } else if (typeof content === 'string' && asciiHead) {
    // One string, encoded once by the socket: no intermediate Buffer (the common JSON/text case).
    conn.send(head + content);
  } else if (typeof content === 'string' || bytes <= COALESCE_BYTES) {
    conn.send(joinHeadAndBody(head, content, bytes));
  } else {
    conn.cork();
    conn.send(Buffer.from(head, 'latin1'));
    conn.send(content);
    conn.uncork();
  }
  return { keepAlive: serialized.keepAlive, bytes: bodyless ? 0 : bytes, pending: undefined };
}

function joinHeadAndBody(head: string, body: string | Uint8Array, bodyBytes: number): Buffer {
  const out = Buffer.allocUnsafe(head.length + bodyBytes);
  out.write(head, 0, 'latin1');
  if (typeof body === 'string') out.write(body, head.length, 'utf8');
  else out.set(body, head.length);
  return out;
}

function writeStream(
  conn: Output,
  response: Response,
  body: AsyncIterable<Uint8Array>,
  ctx: WriteContext,
): WriteResult {
  const declared = tunnels(response, ctx) ? undefined : declaredLength(response.headers.get('content-length'));
  const bodyless = ctx.head || isBodylessStatus(response.status);
  const serialized = serializeResponseHead({
    status: response.status,
    reason: response.statusText,
    headers: response.headers.raw(),
    requestVersion: ctx.requestVersion,
    bodyLength: isBodylessStatus(response.status) ? 'none' : tunnels(response, ctx) ? 'close' : (declared ?? 'chunked'),
    keepAlive: ctx.keepAlive,
    trusted: true,
  });
  conn.send(Buffer.from(serialized.head, 'latin1'));
  if (bodyless) {
    releaseBody(body);
    return { keepAlive: serialized.keepAlive, bytes: 0, pending: undefined };
  }
  const chunked = serialized.bodyFraming === 'chunked';
  const pending = pumpBody(body, declared, sinkOf(conn, chunked)).then(async (total) => {
    if (chunked) conn.send(lastChunk(await trailerFields(response)));
    return total;
  });
  return { keepAlive: serialized.keepAlive, bytes: 0, pending };
}

/** A 2xx to CONNECT switches the client to tunnel mode after the head: no framing fields, the body runs to the close. */
function tunnels(response: Response, ctx: WriteContext): boolean {
  return ctx.connect && response.status >= 200 && response.status < 300;
}

/** The HTTP/1.1 sink of a streamed body, chunked or not (the connection bounds each wait for drain). */
function sinkOf(conn: Output, chunked: boolean): BodySink {
  return {
    send: (chunk) => (chunked ? sendChunk(conn, chunk) : conn.send(chunk)),
    drained: () => drained(conn),
  };
}

function sendChunk(conn: Output, chunk: Uint8Array): boolean {
  const header = chunkHeader(chunk.byteLength);
  if (chunk.byteLength <= COALESCE_BYTES) {
    const out = Buffer.allocUnsafe(header.length + chunk.byteLength + 2);
    out.write(header, 0, 'latin1');
    out.set(chunk, header.length);
    out.write(CHUNK_END, header.length + chunk.byteLength, 'latin1');
    return conn.send(out);
  }
  conn.cork();
  conn.send(header);
  conn.send(chunk);
  const ok = conn.send(CHUNK_END);
  conn.uncork();
  return ok;
}

/** Waits for the client to read; the connection destroys a client that reads nothing for `sendTimeoutMs`. */
async function drained(conn: Output): Promise<void> {
  if (conn.destroyed) throw new WirekitError('WK_ERR_HTTP_CLIENT_GONE');
  await conn.drained();
}
