/**
 * Messages waiting for `for await (const msg of ws)`: a FIFO bounded by bytes. Past the high-water
 * mark it asks the connection to stop reading, and below it again to go on, so a consumer that is
 * slower than its peer holds at most that much (plus the message being parsed).
 */
import { Fifo } from '../util/fifo.js';

/**
 * A received message: text as a string, binary as a Buffer.
 *
 * @example
 * ```ts
 * for await (const message of ws) console.log(typeof message === 'string' ? message : message.length);
 * ```
 */
export type ReceivedMessage = string | Buffer;

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * The receive queue of one connection.
 *
 * @example
 * ```ts
 * const inbox = new Inbox(1 << 20, (full) => (full ? pause() : resume()));
 * ```
 */
export class Inbox {
  readonly #items = new Fifo<ReceivedMessage>();
  readonly #highWaterBytes: number;
  readonly #onFull: (full: boolean) => void;
  #bytes = 0;
  #full = false;
  #ended = false;
  #waiter: ((result: IteratorResult<ReceivedMessage, undefined>) => void) | undefined;

  constructor(highWaterBytes: number, onFull: (full: boolean) => void) {
    this.#highWaterBytes = highWaterBytes;
    this.#onFull = onFull;
  }

  push(message: ReceivedMessage): void {
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter({ done: false, value: message });
      return;
    }
    this.#items.push(message);
    this.#bytes += message.length;
    if (!this.#full && this.#bytes > this.#highWaterBytes) {
      this.#full = true;
      this.#onFull(true);
    }
  }

  next(): Promise<IteratorResult<ReceivedMessage, undefined>> {
    const message = this.#items.shift();
    if (message !== undefined) {
      this.#bytes -= message.length;
      if (this.#full && this.#bytes <= this.#highWaterBytes) {
        this.#full = false;
        this.#onFull(false);
      }
      return Promise.resolve({ done: false, value: message });
    }
    if (this.#ended) return Promise.resolve(DONE);
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  /** No more messages: a pending and later `next()` resolve done once the queue is empty. */
  end(): void {
    this.#ended = true;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.(DONE);
  }
}
