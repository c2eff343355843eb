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
