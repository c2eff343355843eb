/**
 * Length-prefixed framing as a pure codec: a big-endian unsigned length (u8, u16 or u32), then
 * that many bytes. The limit is checked on the prefix alone, before any of the body is buffered.
 */
import { LimitError, NetError, WirekitError } from '../../errors.js';
import { assertNever } from '../../util/assert-never.js';
import { checkBytes } from '../options.js';
import { FrameSplitter } from './splitter.js';

/**
 * Width of the length prefix.
 *
 * @example
 * ```ts
 * const prefix: LengthPrefix = 'u16';
 * ```
 */
export type LengthPrefix = 'u8' | 'u16' | 'u32';

/**
 * Default {@link LengthPrefixOptions.maxFrameBytes}: 16 MiB.
 *
 * @example
 * ```ts
 * frames(conn, { maxFrameBytes: DEFAULT_MAX_FRAME_BYTES / 16 }); // 1 MiB
 * ```
 */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

/**
 * Options of the length-prefix codec.
 *
 * @example
 * ```ts
 * new LengthPrefixDecoder({ prefix: 'u16', maxFrameBytes: 4096 });
 * ```
 */
export interface LengthPrefixOptions {
  /** Width of the big-endian length. Default `'u32'`. */
  prefix?: LengthPrefix;
  /** Largest payload accepted or sent. Default 16 MiB (capped by what the prefix can express). */
  maxFrameBytes?: number;
}

/**
 * Bytes of each prefix width.
 *
 * @example
 * ```ts
 * PREFIX_BYTES.u16; // 2
 * ```
 */
export const PREFIX_BYTES: Readonly<Record<LengthPrefix, number>> = { u8: 1, u16: 2, u32: 4 };
const PREFIX_MAX: Readonly<Record<LengthPrefix, number>> = { u8: 0xff, u16: 0xffff, u32: 0xffff_ffff };

/**
 * The resolved options: prefix width and effective limit.
 *
 * @example
 * ```ts
 * const { prefixBytes, maxFrameBytes }: FrameFormat = frameFormat({ prefix: 'u8' }); // 1, 255
 * ```
 */
export interface FrameFormat {
  prefix: LengthPrefix;
  prefixBytes: number;
  maxFrameBytes: number;
}

/**
 * Checks the options and resolves their defaults.
 *
 * @example
 * ```ts
 * frameFormat({ prefix: 'u8' }).maxFrameBytes; // 255: what a u8 prefix can express
 * ```
 */
export function frameFormat(options: LengthPrefixOptions = {}): FrameFormat {
  const prefix = options.prefix ?? 'u32';
  if (!Object.hasOwn(PREFIX_BYTES, prefix)) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `prefix must be 'u8', 'u16' or 'u32', got ${String(prefix)}`);
  }
  checkBytes('maxFrameBytes', options.maxFrameBytes, 0);
  const maxFrameBytes = Math.min(options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES, PREFIX_MAX[prefix]);
  return { prefix, prefixBytes: PREFIX_BYTES[prefix], maxFrameBytes };
}

/**
 * Reads the big-endian length at the start of `bytes` (which holds at least the prefix).
 *
 * @example
 * ```ts
 * readLength(Uint8Array.of(0, 2), 'u16'); // 2
 * ```
 */
export function readLength(bytes: Uint8Array, prefix: LengthPrefix): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (prefix) {
    case 'u8':
      return view.getUint8(0);
    case 'u16':
      return view.getUint16(0);
    case 'u32':
      return view.getUint32(0);
    default:
      return assertNever(prefix);
  }
}

/**
 * Throws `WK_ERR_FRAME_TOO_LARGE` when `length` is over the format's limit.
 *
 * @example
 * ```ts
 * checkFrameLength(length, frameFormat({ maxFrameBytes: 1024 })); // throws over 1024
 * ```
 */
export function checkFrameLength(length: number, format: FrameFormat): void {
  if (length > format.maxFrameBytes) {
    throw new LimitError(
      'WK_ERR_FRAME_TOO_LARGE',
      `a ${length}-byte frame is over maxFrameBytes (${format.maxFrameBytes})`,
    );
  }
}

/**
 * Splits a byte stream into length-prefixed frames. Throws `WK_ERR_FRAME_TOO_LARGE` as soon as a
 * prefix announces more than `maxFrameBytes` (frames completed earlier in the same `push` are
 * returned first; the next call throws) and stays failed. Frames may share memory with the pushed chunks.
 *
 * @example
 * ```ts
 * const decoder = new LengthPrefixDecoder({ prefix: 'u16', maxFrameBytes: 4096 });
 * decoder.push(Uint8Array.of(0, 2, 104, 105)); // [bytes of 'hi']
 * ```
 */
export class LengthPrefixDecoder extends FrameSplitter {
  readonly #format: FrameFormat;
  // Length of the frame whose prefix was read, or -1 while waiting for a prefix.
  #expected = -1;

  constructor(options: LengthPrefixOptions = {}) {
    super();
    this.#format = frameFormat(options);
  }

  /** The input ended: throws `WK_ERR_UNEXPECTED_EOF` if a frame (or prefix) was cut short. */
  end(): void {
    this.throwIfFailed();
    if (this.queue.length > 0 || this.#expected !== -1) {
      throw new NetError('WK_ERR_UNEXPECTED_EOF', 'the input ended inside a length-prefixed frame');
    }
  }

  protected split(out: Uint8Array[]): void {
    const { prefixBytes, prefix } = this.#format;
    for (;;) {
      if (this.#expected === -1) {
        if (this.queue.length < prefixBytes) return;
        const length = readLength(this.queue.take(prefixBytes), prefix);
        checkFrameLength(length, this.#format);
        this.#expected = length;
      }
      if (this.queue.length < this.#expected) return;
      out.push(this.queue.take(this.#expected));
      this.#expected = -1;
    }
  }
}

/**
 * A payload with its big-endian length prefix, in one array. Throws `WK_ERR_FRAME_TOO_LARGE`
 * when the payload is over `maxFrameBytes` or what the prefix can express.
 *
 * @example
 * ```ts
 * encodeFrame(new TextEncoder().encode('hi'), { prefix: 'u16' }); // Uint8Array [0, 2, 104, 105]
 * ```
 */
export function encodeFrame(payload: Uint8Array, options: LengthPrefixOptions = {}): Uint8Array {
  const format = frameFormat(options);
  checkFrameLength(payload.byteLength, format);
  const out = new Uint8Array(format.prefixBytes + payload.byteLength);
  const view = new DataView(out.buffer);
  if (format.prefix === 'u8') view.setUint8(0, payload.byteLength);
  else if (format.prefix === 'u16') view.setUint16(0, payload.byteLength);
  else view.setUint32(0, payload.byteLength);
  out.set(payload, format.prefixBytes);
  return out;
}
