/**
 * The sending half of a connection (the "Sender" of `ws`'s Receiver/Sender split): frames messages,
 * holds the frames one read causes and writes them together, keeps frames in order behind an
 * asynchronous compression, and tracks backpressure (`bufferedAmount`, the send mark, drains).
 *
 * Hot path: a small message becomes one buffer (header and payload) written once; a message sent
 * while a read is handled is held and leaves with the others of that read in one write. The
 * transport's own answer (`write()` false past its mark) is the cheap signal that ours may be
 * passed too; `bufferedAmount` is only computed then.
 */
import { Opcode } from './codec/constants.js';
import type { WebSocketRole } from './codec/frame-parser.js';
import { frameBytes, serializeFrameHeader, textFrameBytes } from './codec/frame-serializer.js';
import type { PerMessageDeflate } from './deflate.js';
import type { OutgoingMessage, SharedMessage } from './handlers.js';
import { nextMaskKey } from './mask-keys.js';
import type { ResolvedWebSocketOptions } from './options.js';
import { Outbox } from './outbox.js';
import type { WebSocketTransport } from './transport.js';

/** First-byte bits: a final frame, and RSV1 (a compressed message). */
const FIN = 0x80;
const RSV1 = 0x40;
/** Binary payloads from this size are written after their header without being copied. */
const COPY_LIMIT_BYTES = 64 * 1024;

/**
 * What {@link Sender.message} did: sent (or queued in order), dropped by the `'drop'` policy, or refused for the `'close'` policy to act on.
 *
 * @example
 * ```ts
 * if (sender.message('hi') === SENT) console.log('sent');
 * ```
 */
export const SENT = 0;
/**
 * The message was dropped (the `'drop'` policy) and counted.
 *
 * @example
 * ```ts
 * if (sender.message('hi') === DROPPED) dropped++;
 * ```
 */
export const DROPPED = 1;
/**
 * Nothing was sent: the `'close'` policy is for the connection to apply.
 *
 * @example
 * ```ts
 * if (sender.message('hi') === OVER_LIMIT) ws.close(1013);
 * ```
 */
export const OVER_LIMIT = 2;

/**
 * What a sender tells its owner: one object shared by every connection (no closure per connection).
 *
 * @example
 * ```ts
 * const events: SenderEvents<MyConnection> = { drained: (owner) => owner.onDrained() };
 * ```
 */
export interface SenderEvents<O> {
  /** `bufferedAmount` went back to the send mark or below after being above it. */
  drained(owner: O): void;
}

/**
 * Frames and writes what one connection sends.
 *
 * @example
 * ```ts
 * const sender = new Sender(transport, options, 'server', undefined, connection, events);
 * sender.message('hello');
 * ```
 */
export class Sender<O = unknown> {
  /** Bytes of frames handed to the transport. */
  bytesSent = 0;
  /** Messages dropped by the `'drop'` backpressure policy. */
  dropped = 0;
  readonly #transport: WebSocketTransport;
  readonly #options: ResolvedWebSocketOptions;
  readonly #mask: boolean;
  /** Our mark is below the transport's: check after every write, not only when it answers false. */
  readonly #lowMark: boolean;
  readonly #deflate: PerMessageDeflate | undefined;
  readonly #owner: O;
  readonly #events: SenderEvents<O>;
  #outbox: Outbox | undefined;
  #reading = false;
  #held: Buffer | Buffer[] | undefined;
  #heldBytes = 0;
  #over = false;
  #drainWatched = false;
  #drainWait: ((sent: boolean) => void) | undefined;
  #drainPromise: Promise<boolean> | undefined;
  #done = false;

  constructor(
    transport: WebSocketTransport,
    options: ResolvedWebSocketOptions,
    role: WebSocketRole,
    deflate: PerMessageDeflate | undefined,
    owner: O,
    events: SenderEvents<O>,
  ) {
    this.#transport = transport;
    this.#options = options;
    this.#mask = role === 'client';
    this.#lowMark = options.sendHighWaterBytes < transport.writableHighWaterMark;
    this.#deflate = deflate;
    this.#owner = owner;
    this.#events = events;
  }

  /** Bytes sent but not yet handed to the kernel (held, waiting for compression, or buffered). */
  get bufferedAmount(): number {
    return this.#transport.writableLength + (this.#outbox?.bytes ?? 0) + this.#heldBytes;
  }

  /** True while `bufferedAmount` is over the send mark (until the next drain). */
  get overHighWater(): boolean {
    return this.#over;
  }

  /** A read starts: frames are held until {@link Sender.endRead}. */
  beginRead(): void {
    this.#reading = true;
  }

  endRead(): void {
    this.#reading = false;
    if (this.#held !== undefined) this.#flushHeld();
  }

  /**
   * Frames and sends a message (compressed when negotiated and large enough). With more than
   * `maxBufferedBytes` already buffered it sends nothing: {@link DROPPED} (counted) under the
   * `'drop'` policy, {@link OVER_LIMIT} under `'close'`.
   */
  message(data: OutgoingMessage): number {
    // Under the send mark means under the hard limit (resolveWebSocketOptions: mark ≤ limit).
    if (this.#over && this.bufferedAmount > this.#options.maxBufferedBytes) return this.#overLimit();
    const deflate = this.#deflate;
    if (typeof data === 'string') {
      if (deflate !== undefined && data.length * 3 >= deflate.options.thresholdBytes) {
        const bytes = Buffer.from(data);
        if (bytes.length >= deflate.options.thresholdBytes) return this.#compressed(Opcode.Text, bytes, deflate);
      }
      this.#frame(textFrameBytes(FIN | Opcode.Text, data, this.#maskKey()), undefined);
    } else if (deflate !== undefined && data.length >= deflate.options.thresholdBytes) {
      return this.#compressed(Opcode.Binary, data, deflate);
    } else if (this.#mask || data.length < COPY_LIMIT_BYTES) {
      this.#frame(frameBytes(FIN | Opcode.Binary, data, this.#maskKey()), undefined);
    } else {
      this.#frame(serializeFrameHeader(Opcode.Binary, data.length), data);
    }
    // Direct writes noted the buffer already; held and queued bytes are noted here.
    if (this.#heldBytes > this.#options.sendHighWaterBytes || this.#outbox !== undefined) this.#noteBuffered();
    return SENT;
  }

  /** Sends a message framed once for many (topics); false for a client (its frames need their own mask). */
  shared(message: SharedMessage): number | undefined {
    const deflate = this.#deflate;
    const compress = deflate !== undefined && message.data.length >= deflate.options.thresholdBytes;
    // A client frame needs its own mask; a compressor with context, its own stream.
    if (this.#mask || (compress && !deflate.syncCompress)) return undefined;
    if (this.#over && this.bufferedAmount > this.#options.maxBufferedBytes) return this.#overLimit();
    this.#frame(compress ? message.compressedFrame(deflate) : message.frame, undefined);
    this.#noteBuffered();
    return SENT;
  }

  /** A ping or pong: written now (control frames may go between queued messages). */
  control(opcode: number, payload: Uint8Array): void {
    this.#write(frameBytes(FIN | opcode, payload, this.#maskKey()), undefined);
  }

  /** A close frame: after every message sent before it. */
  close(payload: Uint8Array): void {
    this.#frame(frameBytes(FIN | Opcode.Close, payload, this.#maskKey()), undefined);
  }

  /** Ends our side of the transport once every frame sent so far is written. */
  end(): void {
    const end = (): void => {
      if (this.#held !== undefined) this.#flushHeld();
      this.#transport.end();
    };
    if (this.#outbox === undefined) end();
    else this.#outbox.afterQueued(end);
  }

  /** Resolves `true` at the next drain under the mark, `false` if the connection closes first. */
  drained(): Promise<boolean> {
    this.#drainPromise ??= new Promise<boolean>((resolve) => {
      this.#drainWait = resolve;
    });
    return this.#drainPromise;
  }

  /** The connection closed: nothing more goes out, waiters get `false`. */
  closed(): void {
    this.#done = true;
    this.#outbox?.clear();
    this.#held = undefined;
    this.#heldBytes = 0;
    this.#settle(false);
  }

  #overLimit(): number {
    if (this.#options.backpressure === 'close') return OVER_LIMIT;
    this.dropped++;
    return DROPPED;
  }

  #maskKey(): Buffer | undefined {
    return this.#mask ? nextMaskKey() : undefined;
  }

  #compressed(opcode: number, data: Uint8Array, deflate: PerMessageDeflate): number {
    if (deflate.syncCompress) {
      this.#frame(frameBytes(FIN | RSV1 | opcode, deflate.compressSync(data), this.#maskKey()), undefined);
      return SENT;
    }
    this.#outbox ??= new Outbox({
      write: (head, payload) => this.#write(head, payload),
      maskKey: () => this.#maskKey(),
      progressed: () => this.#checkDrain(),
    });
    this.#outbox.compress(opcode, data, deflate);
    this.#noteBuffered();
    return SENT;
  }

  /** A frame in order: behind a compression in flight, else written (or held during a read). */
  #frame(head: Buffer, payload: Uint8Array | undefined): void {
    if (this.#outbox === undefined) this.#write(head, payload);
    else this.#outbox.frame(head, payload);
  }

  #write(head: Buffer, payload: Uint8Array | undefined): void {
    if (payload === undefined) {
      this.bytesSent += head.length;
      if (!this.#reading) {
        this.#transportWrite(head);
        return;
      }
      this.#heldBytes += head.length;
      if (this.#held === undefined) this.#held = head;
      else if (Array.isArray(this.#held)) this.#held.push(head);
      else this.#held = [this.#held, head];
      return;
    }
    // A large payload goes after its header without a copy: what is held goes first.
    if (this.#held !== undefined) this.#flushHeld();
    this.bytesSent += head.length + payload.length;
    const transport = this.#transport;
    transport.cork();
    transport.write(head);
    this.#transportWrite(payload);
    transport.uncork();
  }

  /** Sends the frames held during a read: one buffer, or several under one cork if large. */
  #flushHeld(): void {
    const held = this.#held as Buffer | Buffer[];
    const bytes = this.#heldBytes;
    this.#held = undefined;
    this.#heldBytes = 0;
    if (!Array.isArray(held)) {
      this.#transportWrite(held);
    } else if (bytes <= COPY_LIMIT_BYTES) {
      this.#transportWrite(Buffer.concat(held, bytes));
    } else {
      const transport = this.#transport;
      transport.cork();
      for (const frame of held) transport.write(frame);
      transport.uncork();
      this.#noteBuffered();
    }
    // Over the mark while held: now that the bytes are out, see whether that still holds.
    if (this.#over) this.#checkDrain();
  }

  #transportWrite(bytes: Uint8Array): void {
    // Past our mark only if past the transport's, unless ours is the lower one.
    if (!this.#transport.write(bytes) || this.#lowMark) this.#noteBuffered();
  }

  #noteBuffered(): void {
    if (!this.#over) {
      if (this.bufferedAmount <= this.#options.sendHighWaterBytes) return;
      this.#over = true;
    }
    this.#watchDrain();
  }

  #watchDrain(): void {
    if (this.#drainWatched || this.#transport.writableLength === 0) return;
    this.#drainWatched = true;
    this.#transport.onDrain(() => {
      this.#drainWatched = false;
      this.#checkDrain();
    });
  }

  /** Bytes left (a transport drain, outbox progress): back under the mark? */
  #checkDrain(): void {
    if (!this.#over || this.#done) return;
    if (this.bufferedAmount > this.#options.sendHighWaterBytes) {
      this.#watchDrain();
      return;
    }
    this.#over = false;
    this.#settle(true);
    this.#events.drained(this.#owner);
  }

  #settle(sent: boolean): void {
    const resolve = this.#drainWait;
    this.#drainWait = undefined;
    this.#drainPromise = undefined;
    resolve?.(sent);
  }
}
