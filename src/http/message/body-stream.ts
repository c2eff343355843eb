import { WirekitError } from '../../errors.js';

/** What the producer of a {@link BodyStream} (the server connection) learns from its consumer. */
export interface BodyStreamControl {
  /** The consumer asked for data for the first time (a server sends `100 Continue` here). */
  onFirstRead?(): void;
  /** The buffer fell below the high-water mark after `push` returned false: resume the source. */
  onDrain?(): void;
  /** The consumer stopped reading before the end (`return()` on the iterator). */
  onCancel?(): void;
}

type Waiter = { resolve: (chunk: Uint8Array | null) => void; reject: (error: unknown) => void };

/**
 * A push-fed body: the connection pushes chunks as the parser yields them, the handler pulls them as
 * an async iterable. `push` returns false past `highWaterBytes` so the connection pauses the socket
 * (backpressure end to end); reading below the mark calls `onDrain`.
 *
 * @example
 * ```ts
 * const body = new BodyStream();
 * body.push(new TextEncoder().encode('hi'));
 * body.end();
 * for await (const chunk of body) console.log(chunk.byteLength);
 * ```
 */
export class BodyStream implements AsyncIterable<Uint8Array> {
  readonly #control: BodyStreamControl;
  readonly #highWaterBytes: number;
  #chunks: Uint8Array[] = [];
  #head = 0;
  #buffered = 0;
  #ended = false;
  #error: unknown = undefined;
  #waiter: Waiter | undefined;
  #started = false;
  #paused = false;
  #trailers: readonly string[] = [];

  constructor(control: BodyStreamControl = {}, highWaterBytes = 64 * 1024) {
    this.#control = control;
    this.#highWaterBytes = highWaterBytes;
  }

  /** Bytes pushed and not read yet. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /** True once `end` or `error` was called: nothing more will be pushed. */
  get finished(): boolean {
    return this.#ended || this.#error !== undefined;
  }

  /** True once a consumer has asked for data. */
  get started(): boolean {
    return this.#started;
  }

  /** Trailer fields (flat), known once the body has ended. */
  get trailers(): readonly string[] {
    return this.#trailers;
  }

  /** Adds a chunk; returns false when the consumer is behind and the source should pause. */
  push(chunk: Uint8Array): boolean {
    if (this.finished) return false;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter.resolve(chunk);
      return true;
    }
    this.#chunks.push(chunk);
    this.#buffered += chunk.byteLength;
    if (this.#buffered > this.#highWaterBytes) this.#paused = true;
    return !this.#paused;
  }

  /** No more chunks; `trailers` (flat) if the body had any. */
  end(trailers: readonly string[] = []): void {
    if (this.finished) return;
    this.#ended = true;
    this.#trailers = trailers;
    this.#settleWaiter();
  }

  /** The body failed (client gone, timeout, malformed chunk): pending and later reads reject. */
  error(error: unknown): void {
    if (this.finished) return;
    this.#error = error;
    this.#chunks = [];
    this.#buffered = 0;
    this.#settleWaiter();
  }

  /** The next chunk, or null at the end. Only one read may wait at a time. */
  read(): Promise<Uint8Array | null> {
    if (!this.#started) {
      this.#started = true;
      this.#control.onFirstRead?.();
    }
    if (this.#head < this.#chunks.length) return Promise.resolve(this.#shift());
    if (this.#error !== undefined) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve(null);
    if (this.#waiter !== undefined) return Promise.reject(new WirekitError('WK_ERR_READ_BUSY'));
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /**
   * When the whole body has arrived and nothing has been read yet: every chunk at once (the stream
   * is then consumed), else undefined. Lets whole-body readers skip the async iteration.
   */
  takeIfComplete(): Uint8Array[] | undefined {
    if (!this.#ended || this.#started || this.#error !== undefined) return undefined;
    this.#started = true;
    const chunks = this.#head === 0 ? this.#chunks : this.#chunks.slice(this.#head);
    this.#chunks = [];
    this.#head = 0;
    this.#buffered = 0;
    if (this.#paused) {
      this.#paused = false;
      this.#control.onDrain?.();
    }
    return chunks;
  }

  /** Stops reading: drops what is buffered and tells the producer. */
  cancel(): void {
    if (this.finished) return;
    this.error(new WirekitError('WK_ERR_ABORTED', 'the body was cancelled by its reader'));
    this.#control.onCancel?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    let done = false;
    try {
      for (let chunk = await this.read(); chunk !== null; chunk = await this.read()) yield chunk;
      done = true;
    } finally {
      if (!done) this.cancel();
    }
  }

  #shift(): Uint8Array {
    const chunk = this.#chunks[this.#head] as Uint8Array;
    this.#chunks[this.#head++] = EMPTY;
    if (this.#head === this.#chunks.length) {
      this.#chunks = [];
      this.#head = 0;
    }
    this.#buffered -= chunk.byteLength;
    if (this.#paused && this.#buffered <= this.#highWaterBytes / 2) {
      this.#paused = false;
      this.#control.onDrain?.();
    }
    return chunk;
  }

  #settleWaiter(): void {
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    this.#waiter = undefined;
    if (this.#error !== undefined) waiter.reject(this.#error);
    else waiter.resolve(null);
  }
}

const EMPTY = new Uint8Array(0);
