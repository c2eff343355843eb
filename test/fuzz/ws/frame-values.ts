/**
 * Values on the edges of RFC 6455 and RFC 7692 for the WebSocket fuzzer: texts with multi-byte
 * UTF-8 (split anywhere when fragmented), invalid UTF-8 sequences, close codes valid, reserved and
 * out of range, and the largest message both receivers are given.
 */
import zlib from 'node:zlib';

/** `maxPayload` of `ws` and our maxMessageBytes and maxFrameBytes in the fuzzer. */
export const FUZZ_MAX_MESSAGE_BYTES = 100_000;

/** Texts: ASCII, 2-, 3- and 4-byte sequences, the largest code point, a BOM, an empty one. */
export const TEXTS: readonly string[] = [
  '',
  'hello',
  'héllo wörld',
  '€ 10',
  '𝄞 music',
  '日本語のテキスト',
  '\u{10ffff}\u{feff}x',
  '{"type":"chat","text":"hi"}',
  'a'.repeat(125),
  'ü'.repeat(70),
];

/**
 * Byte sequences that are not UTF-8 (RFC 3629): a lone continuation byte, an overlong form, a
 * surrogate, past U+10FFFF, bytes that never appear, and truncated sequences (valid as the start
 * of a message split across frames, invalid at its end).
 */
export const INVALID_UTF8: readonly number[][] = [
  [0x80],
  [0xc0, 0x80],
  [0xc1, 0xbf],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf5],
  [0xff],
  [0xe2, 0x82],
  [0xf0, 0x9d],
  [0xce],
];

/** Close codes: every valid kind, the reserved and local-only ones, unassigned and out of range. */
export const CLOSE_CODES: readonly number[] = [
  1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 1015, 1016, 999, 0, 2999,
  3000, 3999, 4000, 4999, 5000, 65535,
];

export const CLOSE_REASONS: readonly Buffer[] = [
  Buffer.alloc(0),
  Buffer.from('bye'),
  Buffer.from('naïve €'),
  Buffer.from([0xff, 0xfe]),
  Buffer.from([0xe2, 0x82]),
  Buffer.alloc(123, 0x61),
];

/** permessage-deflate's payload for `data` (RFC 7692 §7.2.1): raw deflate, sync flush, no trailing 00 00 ff ff. */
export function deflated(data: Buffer): Buffer {
  const out = zlib.deflateRawSync(data, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return out.subarray(0, out.length - 4);
}
