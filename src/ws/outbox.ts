/**
 * The order of outgoing frames when compression is asynchronous. With context takeover a message
 * is compressed by a zlib stream (a thread-pool job): frames sent after it, compressed or not,
 * wait behind it, so the peer sees messages in `send()` order and the close frame last. Without a
 * job in flight (always, unless context takeover was negotiated) frames go straight to the
 * transport and this costs one property check.
 */
import { Fifo } from '../util/fifo.js';
import { serializeFrame } from './codec/frame-serializer.js';
import type { PerMessageDeflate } from './deflate.js';

/**
 * What the outbox writes through.
 *
 * @example
 * ```ts
 * const sink: OutboxSink = { write: (head) => socket.write(head), maskKey: () => undefined, progressed() {} };
 * ```
 */
export interface OutboxSink {
  write(head: Buffer, payload: Uint8Array | undefined): void;
  /** A masking key for a frame (clients), or undefined (servers). */
  maskKey(): Buffer | undefined;
  /** Queued bytes went out: backpressure may have eased. */
  progressed(): void;
}

type Item =
  | { kind: 'frame'; head: Buffer; payload: Uint8Array | undefined }
  | { kind: 'compress'; opcode: number; data: Uint8Array; deflate: PerMessageDeflate }
  | { kind: 'after'; callback: () => void };

/**
 * Frames in send order, holding later ones while a compression job runs.
 *
 * @example
 * ```ts
 * const outbox = new Outbox({ write: (h, p) => socket.write(p ? Buffer.concat([h, p]) : h), maskKey: () => undefined, progressed() {} });
 * outbox.compress(0x1, Buffer.from('hello'), deflate);
 * outbox.frame(serializeFrame(0x2, bytes));  // written after the compressed one
 * ```
 */
export class Outbox {
  readonly #sink: OutboxSink;
  #queue: Fifo<Item> | undefined;
  #bytes = 0;
  #busy = false;

  constructor(sink: OutboxSink) {
    this.#sink = sink;
  }

  /** Bytes waiting here (not yet handed to the transport). */
  get bytes(): number {
    return this.#bytes;
  }

  /** A ready frame (header, and a payload written after it when given). */
  frame(head: Buffer, payload?: Uint8Array): void {
    if (this.#queue === undefined) {
      this.#sink.write(head, payload);
      return;
    }
    this.#queue.push({ kind: 'frame', head, payload });
    this.#bytes += head.length + (payload?.length ?? 0);
  }

  /** A message to compress with the connection's zlib stream, then frame with RSV1. */
  compress(opcode: number, data: Uint8Array, deflate: PerMessageDeflate): void {
    this.#queue ??= new Fifo<Item>();
    this.#queue.push({ kind: 'compress', opcode, data, deflate });
    this.#bytes += data.length;
    if (!this.#busy) this.#pump();
  }

  /** Calls `callback` once everything queued so far has been written. */
  afterQueued(callback: () => void): void {
    if (this.#queue === undefined) callback();
    else this.#queue.push({ kind: 'after', callback });
  }

  /** Drops everything waiting (the connection closed). */
  clear(): void {
    this.#queue = undefined;
    this.#bytes = 0;
  }

  #pump(): void {
    const queue = this.#queue;
    while (queue !== undefined && queue === this.#queue) {
      const item = queue.at(0);
      if (item === undefined) {
        this.#queue = undefined;
        break;
      }
      if (item.kind === 'compress') {
        this.#busy = true;
        item.deflate.compress(item.data, (payload) => this.#compressed(queue, item.opcode, item.data.length, payload));
        return;
      }
      queue.shift();
      if (item.kind === 'after') {
        item.callback();
      } else {
        this.#bytes -= item.head.length + (item.payload?.length ?? 0);
        this.#sink.write(item.head, item.payload);
      }
    }
    this.#sink.progressed();
  }

  #compressed(queue: Fifo<Item>, opcode: number, size: number, payload: Buffer | undefined): void {
    this.#busy = false;
    // Cleared (closed) meanwhile: the job's result has nowhere to go.
    if (queue !== this.#queue || payload === undefined) return;
    queue.shift();
    this.#bytes -= size;
    const maskKey = this.#sink.maskKey();
    this.#sink.write(serializeFrame(opcode, payload, { rsv1: true, maskKey }), undefined);
    this.#pump();
  }
}
