/**
 * What the line and length-prefix decoders share: a byte queue, and the rule that a limit error
 * is raised as soon as it is known, leaves nothing buffered, and sticks.
 */
import { LimitError } from '../../errors.js';
import { ByteQueue } from '../../util/byte-queue.js';

/**
 * Base of the pure framing decoders: `push(bytes)` returns the frames completed so far.
 * Subclasses implement `split`, which moves complete frames from `queue` to `out` and throws a
 * `LimitError` the moment a frame is known to be over its limit.
 *
 * @example
 * ```ts
 * class FixedSize extends FrameSplitter {
 *   protected split(out: Uint8Array[]): void {
 *     while (this.queue.length >= 4) out.push(this.queue.take(4));
 *   }
 * }
 * ```
 */
export abstract class FrameSplitter {
  protected readonly queue = new ByteQueue();
  #error: LimitError | undefined;

  /** Bytes held (an unfinished frame). */
  get bufferedBytes(): number {
    return this.queue.length;
  }

  /**
   * Adds bytes; returns the frames they complete. On an over-limit frame, frames completed
   * earlier in the same call are returned first and the next call throws; nothing stays buffered.
   */
  push(bytes: Uint8Array): Uint8Array[] {
    this.throwIfFailed();
    this.queue.push(bytes);
    const out: Uint8Array[] = [];
    try {
      this.split(out);
    } catch (error) {
      if (!(error instanceof LimitError)) throw error;
      this.queue.clear();
      this.#error = error;
      if (out.length === 0) throw error;
    }
    return out;
  }

  /** Throws the limit error this decoder failed with, if any. */
  protected throwIfFailed(): void {
    if (this.#error !== undefined) throw this.#error;
  }

  protected abstract split(out: Uint8Array[]): void;
}
