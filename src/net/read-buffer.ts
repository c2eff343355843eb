/**
 * The read side of a {@link Connection}, without the socket: unconsumed bytes, the one pending
 * pull read, push-mode delivery, and the decision to pause or resume the source.
 *
 * Invariants:
 * - Pull mode: the source is paused exactly when no read is pending and at least
 *   `highWaterBytes` are buffered. So memory stays bounded (high-water mark plus one chunk)
 *   whatever the peer sends, and a pending read always makes progress.
 * - Push mode: bytes go straight to `onData`, in order, after any bytes buffered before the switch;
 *   the source is paused exactly while the application has called `pause()`.
 * - An error wins over buffered bytes: once failed, every read rejects with that error.
 * - The peer's EOF is reported to the source once, when the application has seen it
 *   (a read returned null or hit EOF on an empty buffer, or `onEnd` ran).
 *
 * Kept socket-free so the split-at-every-offset tests can drive it directly.
 */
import { LimitError, NetError } from '../errors.js';
import { assertNever } from '../util/assert-never.js';
import { ByteQueue, DelimiterSearch } from '../util/byte-queue.js';
import { toBytes } from '../util/bytes.js';
import { deferred } from '../util/deferred.js';
import type { Endpoints } from './addresses.js';

/**
 * What the read buffer drives: flow control of the socket, and events the connection acts on.
 *
 * @example
 * ```ts
 * const buffer = new ReadBuffer({ pause, resume, eofDelivered, callbackFailed, endpoints: () => ({}) }, 65536);
 * ```
 */
export interface ReadSource {
  pause(): void;
  resume(): void;
  /** The application has seen the peer's EOF. */
  eofDelivered(): void;
  /** A push-mode callback threw: the connection should be destroyed with `error`. */
  callbackFailed(error: unknown): void;
  /** Endpoints to attach to EOF and limit errors. */
  endpoints(): Partial<Endpoints>;
}

/**
 * Callbacks of push mode ({@link Connection.receive}).
 *
 * @example
 * ```ts
 * conn.receive({ onData: (chunk) => parser.push(chunk), onEnd: () => parser.end(), onError: console.error });
 * ```
 */
export interface ReceiveHandlers {
  /** Called with every chunk, in order. A throw destroys the connection with that error. */
  onData(chunk: Uint8Array): void;
  /** Called once when the peer has ended its side (after every chunk). */
  onEnd(): void;
  /** Called once if the connection fails (reset, idle timeout, destroy(error)). */
  onError?(error: Error): void;
}

/** `detached`: another reader owns the source now; this buffer never touches it again. */
type Mode = 'pull' | 'push' | 'discard' | 'detached';

interface PendingRead {
  /** Tries to complete the read; true when it has settled (resolved or rejected). */
  attempt(): boolean;
  fail(error: Error): void;
}

const MORE: unique symbol = Symbol('more');
type Take<T> = () => T | typeof MORE;

/**
 * Buffered, bounded reads over a pausable source.
 *
 * @example
 * ```ts
 * const buffer = new ReadBuffer(source, 64 * 1024);
 * socket.on('data', (chunk) => buffer.push(chunk));
 * socket.on('end', () => buffer.end());
 * const line = await buffer.readUntil('\n', 1024);
 * ```
 */
export class ReadBuffer {
  readonly #source: ReadSource;
  readonly #highWaterBytes: number;
  readonly #queue = new ByteQueue();
  #mode: Mode = 'pull';
  #pending: PendingRead | undefined;
  #handlers: ReceiveHandlers | undefined;
  #eof = false;
  #eofDelivered = false;
  #error: Error | undefined;
  #sourcePaused = false;
  #userPaused = false;
  #flushScheduled = false;

  constructor(source: ReadSource, highWaterBytes: number) {
    this.#source = source;
    this.#highWaterBytes = highWaterBytes;
  }

  /** Bytes received and not yet consumed. */
  get bufferedBytes(): number {
    return this.#queue.length;
  }

  /** True when a pull read is waiting for the peer with nothing buffered (the connection is idle). */
  get waitingForPeer(): boolean {
    return this.#mode === 'pull' && this.#pending !== undefined && this.#queue.length === 0 && !this.#eof;
  }

  /** True once the peer's EOF has arrived (it may not have been read yet). */
  get ended(): boolean {
    return this.#eof;
  }

  // ---- input side (the socket) ----

  /** A chunk arrived from the peer. */
  push(chunk: Uint8Array): void {
    switch (this.#mode) {
      case 'push':
        // Deliver directly unless older bytes wait or the application paused: order first.
        if (this.#userPaused || this.#flushScheduled || this.#queue.length > 0) this.#queue.push(chunk);
        else this.#deliver(chunk);
        return;
      case 'pull':
        this.#queue.push(chunk);
        this.#service();
        this.#updateFlow();
        return;
      case 'discard':
      case 'detached':
        return;
      default:
        assertNever(this.#mode);
    }
  }

  /** The peer ended its side. */
  end(): void {
    this.#eof = true;
    if (this.#mode === 'push') this.#flush();
    else this.#service();
  }

  /** The source failed: pending and later reads reject with `error`, push mode gets `onError`. */
  fail(error: Error): void {
    if (this.#error !== undefined) return;
    this.#error = error;
    this.#queue.clear();
    this.#rejectPending(error);
    if (this.#mode === 'push') this.#callOnError(error);
  }

  /** The application closed the connection: drop what is buffered or arrives, reads reject with `error`. */
  discard(error: Error): void {
    this.#mode = 'discard';
    this.#error ??= error;
    this.#queue.clear();
    this.#rejectPending(this.#error);
    this.#updateFlow();
  }

  /**
   * Another reader takes the source over (see `Connection.detach`): returns the bytes not consumed
   * yet, oldest first, and from now on drops what arrives, never pauses or resumes the source, and
   * rejects reads with `error`.
   */
  detach(error: Error): Uint8Array[] {
    const unread: Uint8Array[] = [];
    for (let chunk = this.#queue.shift(); chunk !== undefined; chunk = this.#queue.shift()) unread.push(chunk);
    this.#mode = 'detached';
    this.#error ??= error;
    this.#rejectPending(this.#error);
    return unread;
  }

  // ---- pull side ----

  /** The next chunk, or null at EOF. */
  read(): Promise<Uint8Array | null> {
    return this.#wait(() => {
      const chunk = this.#queue.shift();
      if (chunk !== undefined) return chunk;
      return this.#eof ? this.#eofReached() : MORE;
    });
  }

  /** Exactly `n` bytes; rejects `WK_ERR_UNEXPECTED_EOF` if the peer ends first (the bytes stay unread). */
  readExactly(n: number): Promise<Uint8Array> {
    return this.#wait(() => {
      if (this.#queue.length >= n) return this.#queue.take(n);
      return this.#eof ? this.#eofTooSoon(`${n} bytes`) : MORE;
    });
  }

  /**
   * The bytes before the next `delimiter` (which is consumed, not returned). Rejects with
   * `WK_ERR_READ_LIMIT` when more than `maxBytes` bytes precede it (the bytes stay unread), and
   * `WK_ERR_UNEXPECTED_EOF` if the peer ends first.
   */
  readUntil(delimiter: string | Uint8Array, maxBytes: number): Promise<Uint8Array> {
    const search = new DelimiterSearch(toBytes(delimiter), maxBytes);
    return this.#wait(() => {
      const at = search.find(this.#queue);
      if (typeof at === 'number') {
        const bytes = this.#queue.take(at);
        this.#queue.skip(search.delimiter.byteLength);
        return bytes;
      }
      if (at === 'over') throw this.#limitError(maxBytes);
      return this.#eof ? this.#eofTooSoon('the delimiter') : MORE;
    });
  }

  /** Puts bytes back at the front: the next read (or push delivery) returns them first. */
  unshift(bytes: Uint8Array): void {
    if (this.#error !== undefined) return;
    this.#queue.unshift(bytes);
    if (this.#mode === 'push') this.#scheduleFlush();
    else this.#service();
    this.#updateFlow();
  }

  // ---- push side ----

  /** Switches to push mode; bytes buffered so far are delivered first, from a microtask. */
  receive(handlers: ReceiveHandlers): void {
    if (this.#mode !== 'pull' || this.#pending !== undefined) {
      throw new NetError('WK_ERR_READ_BUSY', 'receive() needs a connection in pull mode with no pending read');
    }
    this.#mode = 'push';
    this.#handlers = handlers;
    if (this.#error !== undefined) {
      const error = this.#error;
      queueMicrotask(() => this.#callOnError(error));
      return;
    }
    this.#scheduleFlush();
    this.#updateFlow();
  }

  /** Push mode: later chunks, the end and errors go to `handlers` (a protocol taking the connection over). */
  redirect(handlers: ReceiveHandlers): void {
    if (this.#mode !== 'push') throw new NetError('WK_ERR_READ_BUSY', 'redirect() needs a connection in push mode');
    this.#handlers = handlers;
  }

  /** Push mode: stop delivering and pause the source until {@link ReadBuffer.resume}. */
  pause(): void {
    if (this.#mode !== 'push') return;
    this.#userPaused = true;
    this.#updateFlow();
  }

  /** Push mode: deliver what was held back (from a microtask, never re-entrantly) and resume the source. */
  resume(): void {
    if (this.#mode !== 'push') return;
    this.#userPaused = false;
    this.#scheduleFlush();
    this.#updateFlow();
  }

  // ---- internals ----

  #wait<T>(take: Take<T>): Promise<T> {
    const refused = this.#refusal();
    if (refused !== undefined) return Promise.reject(refused);
    try {
      const value = take();
      if (value !== MORE) {
        this.#updateFlow();
        return Promise.resolve(value);
      }
    } catch (error) {
      return Promise.reject(error);
    }
    const { promise, resolve, reject } = deferred<T>();
    this.#pending = {
      attempt: () => {
        try {
          const value = take();
          if (value === MORE) return false;
          resolve(value);
        } catch (error) {
          reject(error);
        }
        return true;
      },
      fail: reject,
    };
    this.#updateFlow();
    return promise;
  }

  #refusal(): Error | undefined {
    if (this.#error !== undefined) return this.#error;
    if (this.#mode === 'push') return new NetError('WK_ERR_READ_BUSY', 'the connection is in push mode (receive())');
    if (this.#pending !== undefined) return new NetError('WK_ERR_READ_BUSY', 'another read is pending');
    return undefined;
  }

  #service(): void {
    if (this.#pending?.attempt()) {
      this.#pending = undefined;
      this.#updateFlow();
    }
  }

  #rejectPending(error: Error): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.fail(error);
  }

  /** A read found EOF with an empty buffer: the application has now seen the end. */
  #eofReached(): null {
    this.#reportEof();
    return null;
  }

  /** A read needs bytes the peer will never send. If nothing is left, that counts as seeing EOF. */
  #eofTooSoon(what: string): never {
    if (this.#queue.length === 0) this.#reportEof();
    throw this.#eofError(what);
  }

  #reportEof(): void {
    if (this.#eofDelivered) return;
    this.#eofDelivered = true;
    this.#source.eofDelivered();
  }

  #updateFlow(): void {
    const paused = this.#wantsPause();
    if (paused === this.#sourcePaused) return;
    this.#sourcePaused = paused;
    if (paused) this.#source.pause();
    else this.#source.resume();
  }

  #wantsPause(): boolean {
    switch (this.#mode) {
      case 'pull':
        return this.#pending === undefined && this.#queue.length >= this.#highWaterBytes;
      case 'push':
        return this.#userPaused;
      case 'discard':
        return false;
      case 'detached':
        return this.#sourcePaused;
      default:
        return assertNever(this.#mode);
    }
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    queueMicrotask(() => {
      this.#flushScheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    if (this.#mode !== 'push' || this.#error !== undefined || this.#flushScheduled) return;
    while (!this.#userPaused) {
      const chunk = this.#queue.shift();
      if (chunk === undefined) break;
      this.#deliver(chunk);
    }
    if (this.#eof && !this.#userPaused && this.#queue.length === 0 && !this.#eofDelivered) {
      this.#eofDelivered = true;
      // onEnd first: writes it makes synchronously are queued before a possible automatic end().
      this.#call(() => this.#handlers?.onEnd());
      this.#source.eofDelivered();
    }
  }

  #deliver(chunk: Uint8Array): void {
    const handlers = this.#handlers as ReceiveHandlers;
    try {
      handlers.onData(chunk);
    } catch (error) {
      this.#source.callbackFailed(error);
    }
  }

  #callOnError(error: Error): void {
    this.#call(() => this.#handlers?.onError?.(error));
  }

  #call(callback: () => void): void {
    try {
      callback();
    } catch (error) {
      this.#source.callbackFailed(error);
    }
  }

  #eofError(what: string): NetError {
    return new NetError('WK_ERR_UNEXPECTED_EOF', `the peer ended the stream before ${what}`, this.#source.endpoints());
  }

  #limitError(maxBytes: number): LimitError {
    return new LimitError(
      'WK_ERR_READ_LIMIT',
      `more than ${maxBytes} bytes before the delimiter`,
      this.#source.endpoints(),
    );
  }
}
