/**
 * Writing a streamed request body: chunked when its length is unknown (RFC 9112 §7.1; HTTP/2 frames
 * it itself), under the declared length otherwise (and checked against it), waiting for the
 * transport to drain between chunks so a slow server holds the producer back (docs/architecture.md,
 * Rules).
 */
import { CHUNK_END, chunkHeader, lastChunk } from '../http/codec/serializer.js';
import type { WriteBatch } from '../net/write-batch.js';
import type { WireBody } from './body.js';

/** A body the connection streams (a `WireBody` of kind `'stream'`). */
export type StreamedBody = Extract<WireBody, { kind: 'stream' }>;

/** What {@link writeBody} writes to and reports to. */
export interface UploadTarget {
  /** The connection's writes (held with the head until the turn ends, then straight through). */
  readonly output: Pick<WriteBatch, 'send' | 'cork' | 'uncork' | 'drained'>;
  /** True when writing should stop (the connection closed, or the exchange ended early). */
  stopped(): boolean;
  /** Called after each chunk is handed to the socket (the upload timeout is re-armed). */
  progress(): void;
  /**
   * The transport frames the body itself (HTTP/2 DATA frames, END_STREAM at the end): no chunked
   * coding even when the length is unknown, and nothing written at the end. Default false.
   */
  readonly framed?: boolean;
}

/**
 * Writes `wire`'s chunks to `target.output` (the head must already be written). Resolves with
 * undefined on success or when stopped, or with the failure: the source threw, the socket died, or
 * the length was not the one declared.
 *
 * @example
 * ```ts
 * const failure = await writeBody(wire, { output: new WriteBatch(conn), stopped: () => false, progress() {} });
 * if (failure !== undefined) conn.destroy(failure);
 * ```
 */
export async function writeBody(wire: StreamedBody, target: UploadTarget): Promise<unknown> {
  const { output } = target;
  const length = wire.length;
  const chunked = length === undefined && target.framed !== true;
  let sent = 0;
  try {
    for await (const chunk of wire.source) {
      if (target.stopped()) return undefined;
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      if (!(bytes instanceof Uint8Array)) throw new TypeError('request body chunks must be Uint8Array or string');
      if (bytes.byteLength === 0) continue;
      sent += bytes.byteLength;
      if (length !== undefined && sent > length) throw new RangeError(`the body is longer than its length ${length}`);
      let ok: boolean;
      if (chunked) {
        output.cork();
        output.send(chunkHeader(bytes.byteLength));
        output.send(bytes);
        ok = output.send(CHUNK_END);
        output.uncork();
      } else {
        ok = output.send(bytes);
      }
      target.progress();
      if (!ok) await output.drained();
    }
    if (target.stopped()) return undefined;
    if (length !== undefined && sent !== length) throw new RangeError(`the body ended at ${sent} of ${length} bytes`);
    if (chunked) output.send(lastChunk());
    return undefined;
  } catch (error) {
    return error;
  }
}
