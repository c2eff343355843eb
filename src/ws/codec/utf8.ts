/**
 * Incremental UTF-8 validation (RFC 3629 §4), for text messages that arrive in pieces: a code point
 * may be split across TCP reads and across fragments, and an invalid byte must fail the connection
 * as soon as it arrives (RFC 6455 §8.1), not when the message ends.
 *
 * The state is the number of continuation bytes still expected and the range the next one must fall
 * in: the ranges after E0, ED, F0 and F4 are narrower, which is how overlong forms, surrogates
 * (U+D800-DFFF) and code points above U+10FFFF are refused at their second byte.
 */
import { isUtf8 } from 'node:buffer';

/** Below this many bytes the loop here beats a call into the native checker. */
const NATIVE_MIN_BYTES = 64;

/**
 * Validates UTF-8 across calls.
 *
 * @example
 * ```ts
 * const v = new Utf8Validator();
 * v.check(Buffer.from([0xe2, 0x82])); // -1: fine so far (a code point is pending)
 * v.check(Buffer.from([0xac]));       // -1: U+20AC complete
 * v.complete;                         // true
 * v.check(Buffer.from([0xc0, 0x80])); // 0: the first invalid byte
 * ```
 */
export class Utf8Validator {
  #need = 0;
  #lo = 0x80;
  #hi = 0xbf;

  /** True when no code point is pending (the text so far could end here). */
  get complete(): boolean {
    return this.#need === 0;
  }

  /** Forgets any pending code point (a new message starts). */
  reset(): void {
    this.#need = 0;
  }

  /**
   * Checks `bytes[start, end)` as the continuation of what came before. Returns -1 when they are
   * valid so far, else the index of the first invalid byte (the state is then meaningless).
   */
  check(bytes: Uint8Array, start = 0, end = bytes.length): number {
    let need = this.#need;
    if (need === 0 && end - start >= NATIVE_MIN_BYTES && isUtf8(bytes.subarray(start, end))) return -1;
    let lo = this.#lo;
    let hi = this.#hi;
    for (let i = start; i < end; i++) {
      const b = bytes[i] as number;
      if (need === 0) {
        if (b < 0x80) continue;
        if (b < 0xc2) return i; // a continuation byte with no lead, or an overlong 2-byte form
        if (b < 0xe0) {
          need = 1;
        } else if (b < 0xf0) {
          need = 2;
          // E0: no overlong 3-byte forms; ED: no surrogates.
          if (b === 0xe0) lo = 0xa0;
          else if (b === 0xed) hi = 0x9f;
        } else if (b < 0xf5) {
          need = 3;
          // F0: no overlong 4-byte forms; F4: nothing above U+10FFFF.
          if (b === 0xf0) lo = 0x90;
          else if (b === 0xf4) hi = 0x8f;
        } else {
          return i;
        }
        continue;
      }
      if (b < lo || b > hi) return i;
      need--;
      lo = 0x80;
      hi = 0xbf;
    }
    this.#need = need;
    this.#lo = lo;
    this.#hi = hi;
    return -1;
  }
}

/**
 * True when `bytes` are complete, valid UTF-8.
 *
 * @example
 * ```ts
 * isValidUtf8(Buffer.from('héllo')); // true
 * isValidUtf8(Buffer.from([0xed, 0xa0, 0x80])); // false: a surrogate
 * ```
 */
export function isValidUtf8(bytes: Uint8Array): boolean {
  return isUtf8(bytes);
}
