/**
 * Reading a frame header (RFC 6455 §5.2): its size, its payload length, and the rules a header
 * breaks on its own or given the state of the message it belongs to.
 */
import { MAX_CONTROL_PAYLOAD_BYTES, Opcode } from './constants.js';

/**
 * Bytes of a header, known from its second byte: 2, plus 2 or 8 of extended length, plus 4 of key.
 *
 * @example
 * ```ts
 * headerSize(0x85); // 6: a masked frame of 5 bytes
 * ```
 */
export function headerSize(b1: number): number {
  const length = b1 & 0x7f;
  const size = length === 126 ? 4 : length === 127 ? 10 : 2;
  return (b1 & 0x80) !== 0 ? size + 4 : size;
}

/**
 * The payload length of the complete header at `buf[at]`, or what is wrong with it: an extended
 * length must be the shortest form that fits, and a 64-bit one has its top bit clear.
 *
 * @example
 * ```ts
 * readLength(Buffer.from([0x82, 0x7e, 0x00, 0x10]), 0); // 'a 16-bit length below 126 ...'
 * ```
 */
export function readLength(buf: Buffer, at: number): number | string {
  const length = (buf[at + 1] as number) & 0x7f;
  if (length === 126) {
    const value = buf.readUInt16BE(at + 2);
    return value < 126 ? 'a 16-bit length below 126 (not the shortest form)' : value;
  }
  if (length !== 127) return length;
  const high = buf.readUInt32BE(at + 2);
  if (high > 0x7fffffff) return 'a 64-bit length with its most significant bit set';
  const value = high * 0x100000000 + buf.readUInt32BE(at + 6);
  return value < 0x10000 ? 'a 64-bit length below 65536 (not the shortest form)' : value;
}

/**
 * What a header breaks, if anything: reserved bits and opcodes, the masking rule of the receiving
 * role (§5.1), control frame rules (§5.5: final, at most 125 bytes, a close payload not of 1 byte;
 * RFC 7692 §6.1: no RSV1), and
 * fragmentation (§5.4: continuations continue something, a new message waits for the last to end;
 * RSV1 only on a message's first frame, and only with compression negotiated).
 *
 * @example
 * ```ts
 * headerViolation(0x89, false, 0, true, false, false); // 'an unmasked frame from the client'
 * ```
 */
export function headerViolation(
  b0: number,
  masked: boolean,
  length: number,
  expectMasked: boolean,
  inMessage: boolean,
  compression: boolean,
): string | undefined {
  const fin = (b0 & 0x80) !== 0;
  const rsv1 = (b0 & 0x40) !== 0;
  const opcode = b0 & 0x0f;
  if ((b0 & 0x30) !== 0) return 'RSV2 or RSV3 set without a negotiated extension';
  if (masked !== expectMasked) return masked ? 'a masked frame from the server' : 'an unmasked frame from the client';
  if (opcode >= 0x8) {
    if (opcode > Opcode.Pong) return `reserved control opcode ${opcode}`;
    if (!fin) return 'a fragmented control frame';
    if (length > MAX_CONTROL_PAYLOAD_BYTES) return 'a control frame over 125 bytes';
    // §5.5.1: a close payload that is not empty starts with a two-byte code.
    if (opcode === Opcode.Close && length === 1) return 'a close frame with a 1-byte payload';
    return rsv1 ? 'RSV1 set on a control frame' : undefined;
  }
  if (opcode === Opcode.Continuation) {
    if (!inMessage) return 'a continuation frame with no message to continue';
    return rsv1 ? 'RSV1 set on a continuation frame' : undefined;
  }
  if (opcode !== Opcode.Text && opcode !== Opcode.Binary) return `reserved data opcode ${opcode}`;
  if (inMessage) return 'a new message before the fragmented one ended';
  return rsv1 && !compression ? 'RSV1 set without a negotiated extension' : undefined;
}
