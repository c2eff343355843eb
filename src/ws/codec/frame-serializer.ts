/**
 * Frame serialization (RFC 6455 §5.2): the header bytes, and whole frames written into one buffer so
 * a small message leaves in one write. Masking takes the key as an argument: where the random key
 * comes from is the caller's business (the codec does no I/O and reads no entropy).
 */
import { applyMask } from './mask.js';

/**
 * How a frame is written.
 *
 * @example
 * ```ts
 * serializeFrame(Opcode.Binary, bytes, { maskKey: Uint8Array.of(1, 2, 3, 4) });
 * ```
 */
export interface FrameOptions {
  /** Last frame of the message. Default true. */
  fin?: boolean;
  /** RSV1: set on the first frame of a compressed message (RFC 7692 §6). Default false. */
  rsv1?: boolean;
  /** The 4-byte masking key (client frames must be masked, server frames must not be). */
  maskKey?: Uint8Array | undefined;
}

/**
 * Bytes of a frame header for a payload of `payloadLength` bytes: 2, plus 2 or 8 for the extended
 * length (the shortest that fits: RFC 6455 §5.2 requires it), plus 4 for a masking key.
 *
 * @example
 * ```ts
 * frameHeaderLength(125, false); // 2
 * frameHeaderLength(126, true);  // 8
 * ```
 */
export function frameHeaderLength(payloadLength: number, masked: boolean): number {
  const base = payloadLength < 126 ? 2 : payloadLength < 0x10000 ? 4 : 10;
  return masked ? base + 4 : base;
}

/**
 * Writes a frame header into `target` at `offset`; returns the offset just after it.
 *
 * @example
 * ```ts
 * const head = Buffer.alloc(frameHeaderLength(5, false));
 * writeFrameHeader(head, 0, Opcode.Text, 5); // 0x81 0x05
 * ```
 */
export function writeFrameHeader(
  target: Uint8Array,
  offset: number,
  opcode: number,
  payloadLength: number,
  options: FrameOptions = {},
): number {
  return writeHeader(target, offset, firstByte(opcode, options), payloadLength, options.maskKey);
}

/** The first byte of a frame: FIN, RSV1 and the opcode. */
function firstByte(opcode: number, options: FrameOptions): number {
  return (options.fin === false ? 0 : 0x80) | (options.rsv1 === true ? 0x40 : 0) | opcode;
}

/** Writes a header from its first byte (no options object: the engine calls this per frame). */
function writeHeader(
  target: Uint8Array,
  offset: number,
  first: number,
  length: number,
  key: Uint8Array | undefined,
): number {
  const maskBit = key === undefined ? 0 : 0x80;
  let at = offset;
  target[at++] = first;
  if (length < 126) {
    target[at++] = maskBit | length;
  } else if (length < 0x10000) {
    target[at++] = maskBit | 126;
    target[at++] = length >>> 8;
    target[at++] = length & 0xff;
  } else {
    target[at++] = maskBit | 127;
    const high = Math.floor(length / 0x100000000);
    const low = length >>> 0;
    target[at++] = 0;
    target[at++] = 0;
    target[at++] = (high >>> 8) & 0xff;
    target[at++] = high & 0xff;
    target[at++] = low >>> 24;
    target[at++] = (low >>> 16) & 0xff;
    target[at++] = (low >>> 8) & 0xff;
    target[at++] = low & 0xff;
  }
  if (key !== undefined) {
    target[at++] = key[0] as number;
    target[at++] = key[1] as number;
    target[at++] = key[2] as number;
    target[at++] = key[3] as number;
  }
  return at;
}

/**
 * The header of a frame alone, for a large payload written after it without copying (cork, write
 * both). Unmasked only: a masked payload has to be copied anyway (use {@link serializeFrame}).
 *
 * @example
 * ```ts
 * socket.cork(); socket.write(serializeFrameHeader(Opcode.Binary, big.length)); socket.write(big); socket.uncork();
 * ```
 */
export function serializeFrameHeader(opcode: number, payloadLength: number, options: FrameOptions = {}): Buffer {
  const head = Buffer.allocUnsafe(frameHeaderLength(payloadLength, options.maskKey !== undefined));
  writeFrameHeader(head, 0, opcode, payloadLength, options);
  return head;
}

/**
 * A whole frame in one buffer: the header, then the payload (masked with `maskKey` if given; the
 * caller's bytes are never modified).
 *
 * @example
 * ```ts
 * socket.write(serializeFrame(Opcode.Binary, Uint8Array.of(1, 2, 3)));
 * ```
 */
export function serializeFrame(opcode: number, payload: Uint8Array, options: FrameOptions = {}): Buffer {
  return frameBytes(firstByte(opcode, options), payload, options.maskKey);
}

/**
 * {@link serializeFrame} with positional arguments, for the engine's hot path: `first` is the first
 * byte (`0x80 | opcode` for a final frame, `| 0x40` for RSV1).
 *
 * @example
 * ```ts
 * frameBytes(0x82, bytes, undefined); // a final binary frame, unmasked
 * ```
 */
export function frameBytes(first: number, payload: Uint8Array, maskKey: Uint8Array | undefined): Buffer {
  const length = payload.length;
  const frame = Buffer.allocUnsafe(frameHeaderLength(length, maskKey !== undefined) + length);
  const at = writeHeader(frame, 0, first, length, maskKey);
  // A loop beats TypedArray#set for the small payloads most messages have.
  if (length < 64) for (let i = 0; i < length; i++) frame[at + i] = payload[i] as number;
  else frame.set(payload, at);
  if (maskKey !== undefined) applyMask(frame, at, frame.length, maskKey);
  return frame;
}

/**
 * A whole text frame in one buffer: the string is encoded as UTF-8 straight into the frame.
 *
 * @example
 * ```ts
 * socket.write(serializeTextFrame('hello')); // 0x81 0x05 h e l l o
 * ```
 */
export function serializeTextFrame(text: string, options: FrameOptions = {}): Buffer {
  return textFrameBytes(firstByte(1, options), text, options.maskKey);
}

/**
 * {@link serializeTextFrame} with positional arguments (see {@link frameBytes}).
 *
 * @example
 * ```ts
 * textFrameBytes(0x81, 'hello', undefined);
 * ```
 */
export function textFrameBytes(first: number, text: string, maskKey: Uint8Array | undefined): Buffer {
  const length = Buffer.byteLength(text);
  const frame = Buffer.allocUnsafe(frameHeaderLength(length, maskKey !== undefined) + length);
  const at = writeHeader(frame, 0, first, length, maskKey);
  frame.write(text, at);
  if (maskKey !== undefined) applyMask(frame, at, frame.length, maskKey);
  return frame;
}
