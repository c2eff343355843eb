/**
 * Payload bytes that did not arrive whole (a frame split across reads, a fragmented message),
 * gathered into one buffer that grows by doubling with the bytes actually received: a peer that
 * announces 16 MiB and sends one byte costs the first allocation, and a message costs at most twice
 * its size, with no object per fragment.
 */

/** First allocation; it then doubles as bytes come. */
const FIRST_BYTES = 16 * 1024;

/**
 * A growable buffer for one message at a time.
 *
 * @example
 * ```ts
 * const gather = new Gather();
 * gather.append(chunk, 6, chunk.length, 100_000);
 * const message = gather.take(); // the bytes; the next message gets a new buffer
 * ```
 */
export class Gather {
  #buffer: Buffer | undefined;
  /** Bytes gathered so far. */
  length = 0;

  /** Appends `chunk[at, end)`; `most` is the most the message can still reach (never allocated beyond). */
  append(chunk: Buffer, at: number, end: number, most: number): void {
    const needed = this.length + (end - at);
    let buffer = this.#buffer;
    if (buffer === undefined || needed > buffer.length) {
      const wanted = Math.max(needed, buffer === undefined ? FIRST_BYTES : buffer.length * 2);
      const grown = Buffer.allocUnsafe(Math.min(wanted, Math.max(most, needed)));
      if (buffer !== undefined) buffer.copy(grown, 0, 0, this.length);
      buffer = grown;
      this.#buffer = grown;
    }
    chunk.copy(buffer, this.length, at, end);
    this.length = needed;
  }

  /** The bytes gathered (handed over: the next message gathers into a new buffer). */
  take(): Buffer {
    const bytes = (this.#buffer as Buffer).subarray(0, this.length);
    this.clear();
    return bytes;
  }

  clear(): void {
    this.#buffer = undefined;
    this.length = 0;
  }
}
