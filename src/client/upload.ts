/**
 * Writing a streamed request body, under its declared length when there is one (and checked against
 * it), waiting for the transport to drain between chunks so a slow server holds the producer back
 * (docs/architecture.md, Rules). The transport frames the chunks: chunked on HTTP/1.1 when the length
 * is unknown (RFC 9112 §7.1), DATA frames on HTTP/2.
 */
import type { Socket } from 'node:net';
import { CHUNK_END, chunkHeader, lastChunk } from '../http/codec/serializer.js';
import type { WireBody } from './body.js';

/** A body the connection streams (a `WireBody` of kind `'stream'`). */
export type StreamedBody = Extract<WireBody, { kind: 'stream' }>;

/** What {@link writeBody} writes to and reports to. */
export interface UploadTarget {
  /** Sends one chunk; false when the transport is behind (then wait for {@link UploadTarget.drained}). */
  write(bytes: Uint8Array): boolean;
  /** The body ended: writes what ends it. */
  end(): void;
  /** Resolves when the transport has drained; rejects if it dies. */
  drained(): Promise<void>;
  /** True when writing should stop (the connection closed, or the exchange ended early). */
  stopped(): boolean;
  /** Called after each chunk is handed over (the upload timeout is re-armed). */
  progress(): void;
}

/**
 * Writes `wire`'s chunks to `target` (the head must already be out). Resolves with undefined on
 * success or when stopped, or with the failure: the source threw, the transport died, or the length
 * was not the one declared.
 *
 * @example
 * ```ts
 * const failure = await writeBody(wire, { ...http1Framing(socket, wire), drained: () => conn.drained(), stopped: () => false, progress() {} });
 * if (failure !== undefined) conn.destroy(failure);
 * ```
 */
export async function writeBody(wire: StreamedBody, target: UploadTarget): Promise<unknown> {
  const length = wire.length;
  let sent = 0;
  try {
    for await (const chunk of wire.source) {
      if (target.stopped()) return undefined;
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      if (!(bytes instanceof Uint8Array)) throw new TypeError('request body chunks must be Uint8Array or string');
      if (bytes.byteLength === 0) continue;
      sent += bytes.byteLength;
      if (length !== undefined && sent > length) throw new RangeError(`the body is longer than its length ${length}`);
      const ok = target.write(bytes);
      target.progress();
      if (!ok) await target.drained();
    }
    if (target.stopped()) return undefined;
    if (length !== undefined && sent !== length) throw new RangeError(`the body ended at ${sent} of ${length} bytes`);
    target.end();
    return undefined;
  } catch (error) {
    return error;
  }
}

/**
 * HTTP/1.1 framing of a streamed body on `socket`: chunked when its length is unknown, raw bytes
 * under a Content-Length otherwise.
 *
 * @example
 * ```ts
 * const framing = http1Framing(socket, wire); // { write, end }
 * ```
 */
export function http1Framing(socket: Socket, wire: StreamedBody): Pick<UploadTarget, 'write' | 'end'> {
  if (wire.length !== undefined) return { write: (bytes) => socket.write(bytes), end: () => {} };
  return {
    write: (bytes) => {
      socket.cork();
      socket.write(chunkHeader(bytes.byteLength), 'latin1');
      socket.write(bytes);
      const ok = socket.write(CHUNK_END, 'latin1');
      socket.uncork();
      return ok;
    },
    end: () => socket.write(lastChunk(), 'latin1'),
  };
}
