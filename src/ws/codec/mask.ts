/**
 * Masking (RFC 6455 §5.3): every byte of a client frame's payload is XORed with the byte of a 4-byte
 * key at the same position modulo 4. Masking and unmasking are the same operation.
 *
 * Why 32-bit words: a 16 KiB payload is 4096 word XORs instead of 16384 byte XORs. Typed-array views
 * need a 4-aligned byte offset, so the bytes before the first aligned address and after the last
 * whole word are done one at a time, with the key rotated to the phase of the first aligned byte.
 */

/** Below this many bytes the unrolled byte loop beats making a typed-array view (measured: ~100 bytes). */
const WORD_MIN_BYTES = 128;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * XORs `bytes[start, end)` in place with `key`, the first byte at key position `keyOffset` (0-3).
 * Returns the key position after the last byte, for a payload that continues in another chunk.
 *
 * @example
 * ```ts
 * const key = Uint8Array.of(1, 2, 3, 4);
 * const data = Uint8Array.of(0x41, 0x42, 0x43);
 * applyMask(data, 0, data.length, key); // masked
 * applyMask(data, 0, data.length, key); // back to 'ABC'
 * ```
 */
export function applyMask(bytes: Uint8Array, start: number, end: number, key: Uint8Array, keyOffset = 0): number {
  return applyMaskBits(bytes, start, end, maskBits(key, 0), keyOffset);
}

/**
 * Four key bytes as one 32-bit integer, the first in the high bits: a key kept without a buffer.
 *
 * @example
 * ```ts
 * maskBits(Uint8Array.of(1, 2, 3, 4), 0); // 0x01020304
 * ```
 */
export function maskBits(bytes: Uint8Array, at: number): number {
  return (
    (((bytes[at] as number) << 24) |
      ((bytes[at + 1] as number) << 16) |
      ((bytes[at + 2] as number) << 8) |
      (bytes[at + 3] as number)) >>>
    0
  );
}

/**
 * {@link applyMask} with the key as {@link maskBits} gives it.
 *
 * @example
 * ```ts
 * applyMaskBits(payload, 0, payload.length, maskBits(key, 0));
 * ```
 */
export function applyMaskBits(bytes: Uint8Array, start: number, end: number, bits: number, keyOffset = 0): number {
  let i = start;
  let phase = keyOffset & 3;
  if (end - start >= WORD_MIN_BYTES) {
    // Bytes up to the first 4-aligned address, then whole words.
    while (((bytes.byteOffset + i) & 3) !== 0) {
      bytes[i] = (bytes[i] as number) ^ keyByte(bits, phase);
      i++;
      phase = (phase + 1) & 3;
    }
    const words = (end - i) >>> 2;
    const view = new Uint32Array(bytes.buffer, bytes.byteOffset + i, words);
    const word = keyWord(bits, phase);
    for (let w = 0; w < words; w++) view[w] = (view[w] as number) ^ word;
    i += words * 4;
  }
  const k0 = keyByte(bits, phase);
  const k1 = keyByte(bits, phase + 1);
  const k2 = keyByte(bits, phase + 2);
  const k3 = keyByte(bits, phase + 3);
  for (; i + 4 <= end; i += 4) {
    bytes[i] = (bytes[i] as number) ^ k0;
    bytes[i + 1] = (bytes[i + 1] as number) ^ k1;
    bytes[i + 2] = (bytes[i + 2] as number) ^ k2;
    bytes[i + 3] = (bytes[i + 3] as number) ^ k3;
  }
  const rest = end - i;
  if (rest > 0) bytes[i] = (bytes[i] as number) ^ k0;
  if (rest > 1) bytes[i + 1] = (bytes[i + 1] as number) ^ k1;
  if (rest > 2) bytes[i + 2] = (bytes[i + 2] as number) ^ k2;
  return (keyOffset + (end - start)) & 3;
}

/** Key byte `n` (mod 4) of `bits`. */
function keyByte(bits: number, n: number): number {
  return (bits >>> (24 - 8 * (n & 3))) & 0xff;
}

/** The key as one 32-bit word whose first byte in memory is key byte `phase`. */
function keyWord(bits: number, phase: number): number {
  const b0 = keyByte(bits, phase);
  const b1 = keyByte(bits, phase + 1);
  const b2 = keyByte(bits, phase + 2);
  const b3 = keyByte(bits, phase + 3);
  return LITTLE_ENDIAN
    ? (b0 | (b1 << 8) | (b2 << 16) | (b3 << 24)) >>> 0
    : ((b0 << 24) | (b1 << 16) | (b2 << 8) | b3) >>> 0;
}
