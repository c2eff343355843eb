/**
 * Percent-decoding for the router, done once per request and only when the path has a `%`.
 *
 * Two steps, so nothing is ever decoded twice (`%2525` is the param `%25`, never `%`):
 * 1. {@link decodePath} decodes every escape except those of the reserved delimiters `/ ? # %`,
 *    which stay encoded (canonical upper-case) so an encoded slash never creates a new segment.
 *    Static text is matched against this form.
 * 2. {@link decodeReserved} turns the escapes left by step 1 into characters, for param values.
 */

const PERCENT = 0x25;

/** Hex digit values by char code, -1 for a non-hex character. */
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[0x41 + i] = 10 + i;
  HEX[0x61 + i] = 10 + i;
}

/** The byte encoded at `s[i..i+3)` (which starts with `%`), or -1 when the escape is malformed. */
function escapedByte(s: string, i: number): number {
  const hi = s.charCodeAt(i + 1);
  const lo = s.charCodeAt(i + 2);
  // NaN (past the end) and non-ASCII both fail the `< 128` test.
  if (!(hi < 128 && lo < 128)) return -1;
  const h = HEX[hi] ?? -1;
  const l = HEX[lo] ?? -1;
  return h < 0 || l < 0 ? -1 : (h << 4) | l;
}

/** `/`, `?`, `#` and `%`: the bytes whose escapes must survive path matching. */
function isReserved(byte: number): boolean {
  return byte === 0x2f || byte === 0x3f || byte === 0x23 || byte === PERCENT;
}

/** Decodes a run of non-reserved escapes as UTF-8; null when it is not valid UTF-8. */
function decodeRun(run: string): string | null {
  try {
    return decodeURIComponent(run);
  } catch {
    return null;
  }
}

/**
 * Decodes `path` except the escapes of `/ ? # %`, which are kept as `%2F %3F %23 %25`.
 * Returns null for a malformed escape (`%zz`, a lone `%`) or bytes that are not UTF-8 (`%E0%A4`).
 * Invariant of the result: every `%` in it starts one of those four kept escapes.
 *
 * @example
 * ```ts
 * decodePath('/caf%C3%A9/a%2fb'); // '/café/a%2Fb'
 * decodePath('/%zz');             // null
 * ```
 */
export function decodePath(path: string): string | null {
  let out = '';
  let last = 0;
  let i = path.indexOf('%');
  while (i !== -1) {
    out += path.slice(last, i);
    let runStart = i;
    // Multi-byte characters span consecutive escapes, so decode maximal runs in one call.
    while (path.charCodeAt(i) === PERCENT) {
      const byte = escapedByte(path, i);
      if (byte < 0) return null;
      if (isReserved(byte)) {
        // A reserved byte is ASCII, so it can never sit inside a valid multi-byte sequence.
        const run = decodeRun(path.slice(runStart, i));
        if (run === null) return null;
        out += run + (byte === PERCENT ? '%25' : byte === 0x2f ? '%2F' : byte === 0x3f ? '%3F' : '%23');
        runStart = i + 3;
      }
      i += 3;
    }
    const run = decodeRun(path.slice(runStart, i));
    if (run === null) return null;
    out += run;
    last = i;
    i = path.indexOf('%', i);
  }
  return out + path.slice(last);
}

/**
 * Decodes the reserved escapes that {@link decodePath} kept; anything else is returned as is.
 * Only valid on the output of {@link decodePath} (every `%` there starts a two-digit escape).
 *
 * @example
 * ```ts
 * decodeReserved('a%2Fb%2525'); // 'a/b%25'
 * ```
 */
export function decodeReserved(value: string): string {
  let i = value.indexOf('%');
  if (i === -1) return value;
  let out = '';
  let last = 0;
  while (i !== -1) {
    out += value.slice(last, i) + String.fromCharCode(escapedByte(value, i));
    last = i + 3;
    i = value.indexOf('%', last);
  }
  return out + value.slice(last);
}

/**
 * Case folding for `caseSensitive: false`: lower-cases each UTF-16 unit on its own, keeping units
 * whose lower case is longer (`İ`). Folding per unit keeps the length (so indexes into the folded
 * path are indexes into the original, whose param values keep their case) and is context-free
 * (unlike `toLowerCase` on a whole string: the Greek final sigma), so a pattern and a path fold alike.
 *
 * @example
 * ```ts
 * foldCase('/Users/ÉTÉ'); // '/users/été'
 * ```
 */
export function foldCase(text: string): string {
  let ascii = true;
  for (let i = 0; i < text.length && ascii; i++) ascii = text.charCodeAt(i) < 128;
  if (ascii) return text.toLowerCase();
  let out = '';
  for (const unit of text.split('')) {
    const lower = unit.toLowerCase();
    out += lower.length === 1 ? lower : unit;
  }
  return out;
}
