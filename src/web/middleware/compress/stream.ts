import type { Codec, CompressionStream } from './codecs.js';

/**
 * Drives one compression stream from a pull loop: every call writes input, waits for zlib to have
 * processed it, and hands back what came out. Nothing is written before the previous output was
 * taken, so memory stays at one chunk's worth and the consumer's pace reaches the producer.
 */
class Pump {
  readonly #stream: CompressionStream;
  #out: Buffer[] = [];
  #failure: Error | undefined;

  constructor(stream: CompressionStream) {
    this.#stream = stream;
    stream.on('data', (chunk: Buffer) => this.#out.push(chunk));
    // Kept for the whole life of the stream: an 'error' without a listener would crash the process.
    stream.on('error', (error: Error) => {
      this.#failure = error;
    });
  }

  /** Writes `chunk` and flushes it (so an SSE event or a streamed row leaves now, not later). */
  write(chunk: Uint8Array, flushKind: number): Promise<Buffer | undefined> {
    return this.#settle((done) => {
      this.#stream.write(chunk);
      this.#stream.flush(flushKind, done);
    });
  }

  /** Ends the stream (with a last chunk) and returns the rest of the output. */
  end(chunk?: Uint8Array): Promise<Buffer | undefined> {
    return this.#settle((done) => {
      this.#stream.once('end', done);
      if (chunk === undefined) this.#stream.end();
      else this.#stream.end(chunk);
    });
  }

  destroy(): void {
    this.#stream.destroy();
  }

  #settle(start: (done: () => void) => void): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
      if (this.#failure !== undefined) {
        reject(this.#failure);
        return;
      }
      const onError = (error: Error): void => reject(error);
      this.#stream.once('error', onError);
      start(() => {
        this.#stream.off('error', onError);
        resolve(this.#take());
      });
    });
  }

  #take(): Buffer | undefined {
    const out = this.#out;
    if (out.length === 0) return undefined;
    this.#out = [];
    return out.length === 1 ? out[0] : Buffer.concat(out);
  }
}

/**
 * Compresses a body held whole (on the libuv thread pool, not the event loop).
 *
 * @example
 * ```ts
 * const gz = await compressBytes(Buffer.from('hello'), gzipCodec);
 * ```
 */
export async function compressBytes(bytes: Uint8Array, codec: Codec): Promise<Uint8Array> {
  const pump = new Pump(codec.create(bytes.byteLength));
  try {
    return (await pump.end(bytes)) ?? new Uint8Array(0);
  } finally {
    pump.destroy();
  }
}

/**
 * Compresses a streamed body chunk by chunk: each source chunk is compressed and flushed before the
 * next is pulled, so the writer's backpressure (it pulls only when the socket drained) reaches the
 * producer, and what the producer yields reaches the client at once (SSE, progress rows). When the
 * consumer stops early (client gone), `return()` ends the source and frees the zlib stream.
 *
 * @example
 * ```ts
 * const body = compressChunks(rows(), gzipCodec); // an AsyncGenerator of gzip bytes
 * ```
 */
export async function* compressChunks(source: AsyncIterable<Uint8Array>, codec: Codec): AsyncGenerator<Uint8Array> {
  const pump = new Pump(codec.create(undefined));
  try {
    for await (const chunk of source) {
      if (chunk.byteLength === 0) continue;
      const out = await pump.write(chunk, codec.flushKind);
      if (out !== undefined) yield out;
    }
    const tail = await pump.end();
    if (tail !== undefined) yield tail;
  } finally {
    pump.destroy();
  }
}
