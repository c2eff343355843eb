/**
 * Byte classes of RFC 9110 / 9112 as 256-entry lookup tables: one array load per byte on the hot
 * path instead of a chain of comparisons.
 */

function table(accept: (byte: number) => boolean): Uint8Array {
  const out = new Uint8Array(256);
  for (let byte = 0; byte < 256; byte++) out[byte] = accept(byte) ? 1 : 0;
  return out;
}

const TCHAR_PUNCT = "!#$%&'*+-.^_`|~";

/** tchar (RFC 9110 §5.6.2): the characters of methods, field names and transfer-coding names. */
export const TOKEN = table(
  (b) =>
    (b >= 0x30 && b <= 0x39) ||
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x61 && b <= 0x7a) ||
    TCHAR_PUNCT.includes(String.fromCharCode(b)),
);

/**
 * Bytes allowed inside a field value (RFC 9110 §5.5): VCHAR, obs-text, SP and HTAB. CR, LF and NUL
 * are refused (the RFC allows replacing them with SP; refusing is the safer of the two), and so are
 * the other controls and DEL, which the grammar never allowed.
 */
export const FIELD_VALUE = table((b) => b === 0x09 || (b >= 0x20 && b !== 0x7f));

/**
 * Bytes allowed in a request-target. Visible ASCII only: whitespace, controls and non-ASCII bytes
 * are refused (they are how request-line smuggling starts), while characters RFC 3986 reserves but
 * browsers send unencoded in queries (`|`, `^`, `{`, `}`, `"`) are accepted, as Node and nginx do.
 */
export const TARGET = table((b) => b >= 0x21 && b <= 0x7e);

/** Characters of a Host header value: uri-host (reg-name, IPv4, IP-literal) and an optional port. */
export const HOST = table(
  (b) =>
    (b >= 0x30 && b <= 0x39) ||
    (b >= 0x41 && b <= 0x5a) ||
    (b >= 0x61 && b <= 0x7a) ||
    "-._~%!$&'()*+,;=:[]".includes(String.fromCharCode(b)),
);

/** Value of a hex digit, or 255 for a non-hex byte. */
export const HEX = (() => {
  const out = new Uint8Array(256).fill(255);
  for (let i = 0; i < 10; i++) out[0x30 + i] = i;
  for (let i = 0; i < 6; i++) {
    out[0x41 + i] = 10 + i;
    out[0x61 + i] = 10 + i;
  }
  return out;
})();

export const CR = 0x0d;
export const LF = 0x0a;
export const SP = 0x20;
export const HTAB = 0x09;
export const COLON = 0x3a;
export const SEMICOLON = 0x3b;

/**
 * A bit of the state of the scanners of unfinished lines (`scanRequestLine`, `scanFieldLine`, the
 * chunk-size scan): the bytes seen so far end in a CR, which only an LF may follow. The next bytes
 * arrive without that LF (else the line would be complete), so the CR was a bare one: the scanner
 * then judges it as the byte at that place, as the whole line would be judged (RFC 9112 §2.2).
 */
export const PENDING_CR = 1 << 20;

/** True for SP and HTAB: optional whitespace (OWS, RFC 9110 §5.6.3). */
export function isOws(byte: number | undefined): boolean {
  return byte === SP || byte === HTAB;
}

/** True when every byte of `buf[start, end)` is in `allowed`. */
export function allIn(allowed: Uint8Array, buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (allowed[buf[i] as number] === 0) return false;
  return true;
}

/** Node's Buffer has an untyped `latin1Slice` that skips `toString`'s encoding lookup: hot on every header. */
interface Latin1Sliceable {
  latin1Slice(start: number, end: number): string;
}

/** The bytes `buf[start, end)` as a latin1 string (one char per byte, as field values are defined). */
export function latin1(buf: Buffer, start: number, end: number): string {
  return (buf as unknown as Latin1Sliceable).latin1Slice(start, end);
}

/** Lines and field names are short: a loop finds a byte in them for less than a call into C++. */
const SCAN_IN_JS_BYTES = 48;

/**
 * The index of the first `byte` in `buf` from `from`, or -1: the first bytes are searched in
 * JavaScript (no native call for the short lines of a typical head), the rest with `indexOf`.
 *
 * @example
 * ```ts
 * findByte(Buffer.from('Host: a\r\n'), 0x3a, 0); // 4
 * ```
 */
export function findByte(buf: Buffer, byte: number, from: number): number {
  const stop = Math.min(buf.length, from + SCAN_IN_JS_BYTES);
  for (let i = from; i < stop; i++) if (buf[i] === byte) return i;
  return stop === buf.length ? -1 : buf.indexOf(byte, stop);
}

/** Values longer than this are always sliced anew (comparing them would cost what slicing does). */
const REUSE_MAX_BYTES = 64;
/**
 * Slots of a reuse cache: the first fields of a head (later ones are sliced anew), bounding its size.
 *
 * @example
 * ```ts
 * latin1Reusing(cache, REUSE_SLOTS, buf, 0, 4); // sliced, not kept
 * ```
 */
export const REUSE_SLOTS = 32;

/**
 * The bytes `buf[start, end)` as a latin1 string, reusing `cache[slot]` when it holds the same text
 * (keep-alive clients send the same Host, Connection and target again and again): no new string
 * and no native call then. `cache` is one of a few module-level arrays; what a slot holds only
 * saves work, it never changes the result.
 *
 * @example
 * ```ts
 * const cache: string[] = [];
 * latin1Reusing(cache, 0, Buffer.from('keep-alive'), 0, 10); // 'keep-alive', kept in cache[0]
 * ```
 */
export function latin1Reusing(cache: string[], slot: number, buf: Buffer, start: number, end: number): string {
  const length = end - start;
  if (length > REUSE_MAX_BYTES || slot >= REUSE_SLOTS) return latin1(buf, start, end);
  const seen = cache[slot];
  if (seen !== undefined && seen.length === length) {
    let i = 0;
    while (i < length && seen.charCodeAt(i) === buf[start + i]) i++;
    if (i === length) return seen;
  }
  const text = latin1(buf, start, end);
  cache[slot] = text;
  return text;
}
