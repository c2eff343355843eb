/**
 * permessage-deflate (RFC 7692 §7.2) through node:zlib, for one connection.
 *
 * A direction without context takeover (the default both ways) compresses or inflates each message
 * with a one-shot synchronous zlib call: no zlib stream, window or thread-pool job outlives the
 * message, so an idle connection holds no zlib memory at all, and a message's work is done in
 * order by construction. A direction with context takeover needs the LZ77 window kept between
 * messages: a zlib stream is created on that direction's first message and kept until the
 * connection closes (it cannot be released while idle without losing the context), and its jobs go
 * through a process-wide limiter (at most {@link ZLIB_CONCURRENCY} at once, as `ws` does, because
 * many concurrent zlib jobs fragment memory badly).
 *
 * Sending: compress with Z_SYNC_FLUSH and drop the trailing 00 00 ff ff (§7.2.1). Receiving: append
 * 00 00 ff ff and inflate (§7.2.2), stopping as soon as the output passes `maxBytes` (a zip bomb
 * costs at most that much work), and checking UTF-8 as the output comes for text.
 */
import zlib from 'node:zlib';
import type { ErrorCode } from '../errors.js';
import { Fifo } from '../util/fifo.js';
import type { DeflateParams } from './codec/deflate-params.js';
import type { WebSocketRole } from './codec/frame-parser.js';
import { Utf8Validator } from './codec/utf8.js';
import type { ResolvedDeflateOptions } from './options.js';

const TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);
const SYNC_FLUSH = zlib.constants.Z_SYNC_FLUSH;

/**
 * Most zlib stream jobs (context takeover) running at once in this process.
 *
 * @example
 * ```ts
 * console.log(`at most ${ZLIB_CONCURRENCY} zlib stream jobs at once`);
 * ```
 */
export const ZLIB_CONCURRENCY = 10;

/**
 * What inflating a message gave.
 *
 * @example
 * ```ts
 * const result: InflateResult = deflate.decompressSync(payload, 1 << 20, true);
 * if (!result.ok) ws.close(result.closeCode);
 * ```
 */
export type InflateResult =
  | { ok: true; data: Buffer }
  | { ok: false; closeCode: 1007 | 1009; errorCode: ErrorCode; message: string };

type Job = (done: () => void) => void;

/** A FIFO of zlib jobs with at most ZLIB_CONCURRENCY running. */
const limiter = {
  running: 0,
  queue: new Fifo<Job>(),
  add(job: Job): void {
    this.queue.push(job);
    this.next();
  },
  next(): void {
    while (this.running < ZLIB_CONCURRENCY && this.queue.length > 0) {
      const job = this.queue.shift() as Job;
      this.running++;
      let finished = false;
      job(() => {
        if (finished) return;
        finished = true;
        this.running--;
        this.next();
      });
    }
  },
};

/** Our compressor's window: Node raises 8 to 9 for raw deflate anyway (negotiation never agrees to 8 for us). */
function bits(value: number): number {
  return Math.max(value, 9);
}

function tooBig(maxBytes: number): InflateResult {
  return {
    ok: false,
    closeCode: 1009,
    errorCode: 'WK_ERR_WS_MESSAGE_TOO_LARGE',
    message: `a compressed message inflates past ${maxBytes} bytes`,
  };
}

function badData(message: string): InflateResult {
  return { ok: false, closeCode: 1007, errorCode: 'WK_ERR_WS_INVALID_UTF8', message };
}

/**
 * Compresses one message with a fresh context (no context takeover): the payload to send with RSV1.
 * Topics call it once per published message and share the result among subscribers.
 *
 * @example
 * ```ts
 * const payload = compressMessage(Buffer.from('hello'), 15, 6, 8);
 * ```
 */
export function compressMessage(data: Uint8Array, windowBits: number, level: number, memLevel: number): Buffer {
  const out = zlib.deflateRawSync(data, { finishFlush: SYNC_FLUSH, windowBits: bits(windowBits), level, memLevel });
  return out.subarray(0, out.length - 4);
}

/**
 * The compression state of one connection, for the parameters it negotiated.
 *
 * @example
 * ```ts
 * const deflate = new PerMessageDeflate(params, 'server', resolvedOptions);
 * if (deflate.syncCompress) socket.write(frame(deflate.compressSync(data)));
 * ```
 */
export class PerMessageDeflate {
  readonly options: ResolvedDeflateOptions;
  /** Our compressor resets after each message (no context takeover): one-shot, shareable. */
  readonly syncCompress: boolean;
  /** The peer's compressor resets after each message: we inflate one-shot. */
  readonly syncInflate: boolean;
  /** Our compressor's window bits. */
  readonly compressBits: number;
  readonly #inflateBits: number;
  #deflater: zlib.DeflateRaw | undefined;
  #inflater: zlib.InflateRaw | undefined;
  #closed = false;

  constructor(params: DeflateParams, role: WebSocketRole, options: ResolvedDeflateOptions) {
    const server = role === 'server';
    this.options = options;
    this.syncCompress = server ? params.serverNoContextTakeover : params.clientNoContextTakeover;
    this.syncInflate = server ? params.clientNoContextTakeover : params.serverNoContextTakeover;
    this.compressBits = bits(server ? params.serverMaxWindowBits : params.clientMaxWindowBits);
    // At least 9: a peer whose zlib was asked for 8 really used 9 (see codec/deflate-params.ts).
    this.#inflateBits = bits(server ? params.clientMaxWindowBits : params.serverMaxWindowBits);
  }

  /** A message compressed with a fresh context (only when {@link PerMessageDeflate.syncCompress}). */
  compressSync(data: Uint8Array): Buffer {
    return compressMessage(data, this.compressBits, this.options.level, this.options.memLevel);
  }

  /** A message compressed with the context kept; `callback` gets the payload, in call order. */
  compress(data: Uint8Array, callback: (payload: Buffer | undefined) => void): void {
    limiter.add((done) => {
      if (this.#closed) {
        done();
        callback(undefined);
        return;
      }
      const deflater = this.#deflaterStream();
      const chunks: Buffer[] = [];
      const collect = (chunk: Buffer): void => {
        chunks.push(chunk);
      };
      deflater.on('data', collect);
      deflater.write(data);
      deflater.flush(SYNC_FLUSH, () => {
        deflater.off('data', collect);
        done();
        if (this.#closed) {
          callback(undefined);
          return;
        }
        const out = Buffer.concat(chunks);
        callback(out.subarray(0, out.length - 4));
      });
    });
  }

  /** Inflates a message one-shot (only when {@link PerMessageDeflate.syncInflate}). */
  decompressSync(data: Buffer, maxBytes: number, text: boolean): InflateResult {
    let out: Buffer;
    try {
      out = zlib.inflateRawSync(Buffer.concat([data, TRAILER]), {
        finishFlush: SYNC_FLUSH,
        windowBits: this.#inflateBits,
        maxOutputLength: Math.max(maxBytes, 1),
      });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return tooBig(maxBytes);
      return badData(`a compressed message does not inflate: ${(error as Error).message}`);
    }
    if (out.length > maxBytes) return tooBig(maxBytes);
    if (text) {
      const validator = new Utf8Validator();
      if (validator.check(out) !== -1 || !validator.complete)
        return badData('invalid UTF-8 in a compressed text message');
    }
    return { ok: true, data: out };
  }

  /**
   * Inflates a message with the context kept; `callback` is called once with the result. Output
   * is counted and checked (UTF-8 for text) chunk by chunk; past `maxBytes`, or at the first
   * invalid byte, inflating stops.
   */
  decompress(data: Buffer, maxBytes: number, text: boolean, callback: (result: InflateResult) => void): void {
    limiter.add((done) => {
      if (this.#closed) {
        done();
        return;
      }
      const inflater = this.#inflaterStream();
      const chunks: Buffer[] = [];
      const validator = text ? new Utf8Validator() : undefined;
      let total = 0;
      let failure: InflateResult | undefined;
      const finish = (result: InflateResult): void => {
        inflater.off('data', collect);
        inflater.off('error', onError);
        done();
        if (!result.ok) this.#dropInflater();
        if (!this.#closed || !result.ok) callback(result);
      };
      const collect = (chunk: Buffer): void => {
        if (failure !== undefined) return;
        total += chunk.length;
        if (total > maxBytes) failure = tooBig(maxBytes);
        else if (validator !== undefined && validator.check(chunk) !== -1)
          failure = badData('invalid UTF-8 in a compressed text message');
        if (failure === undefined) chunks.push(chunk);
        // Stop the work now: the stream's remaining output is never produced.
        else inflater.reset();
      };
      const onError = (error: Error): void =>
        finish(failure ?? badData(`a compressed message does not inflate: ${error.message}`));
      inflater.on('data', collect);
      inflater.once('error', onError);
      inflater.write(data);
      inflater.write(TRAILER);
      inflater.flush(() => {
        if (failure !== undefined) return finish(failure);
        if (validator !== undefined && !validator.complete)
          return finish(badData('a compressed text message ends inside a UTF-8 sequence'));
        finish({ ok: true, data: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total) });
      });
    });
  }

  /** Releases the zlib streams (the connection closed); pending jobs end without a result. */
  close(): void {
    this.#closed = true;
    this.#deflater?.close();
    this.#deflater = undefined;
    this.#dropInflater();
  }

  #deflaterStream(): zlib.DeflateRaw {
    this.#deflater ??= zlib.createDeflateRaw({
      windowBits: this.compressBits,
      level: this.options.level,
      memLevel: this.options.memLevel,
    });
    return this.#deflater;
  }

  #inflaterStream(): zlib.InflateRaw {
    if (this.#inflater === undefined) {
      this.#inflater = zlib.createInflateRaw({ windowBits: this.#inflateBits });
      // A failed stream is dropped by the job that saw it fail; later errors have nobody to tell.
      this.#inflater.on('error', () => {});
    }
    return this.#inflater;
  }

  #dropInflater(): void {
    this.#inflater?.close();
    this.#inflater = undefined;
  }
}
