/**
 * Turns the request path into file-name segments, decoding percent-escapes exactly once and
 * rejecting (never normalising) anything that could name a file outside the root or differently on
 * another system: `.`/`..` in any encoding, `/`, `\` or NUL inside a segment, control characters,
 * empty segments (`//`), invalid or overlong UTF-8 (`%c0%ae`). A double-encoded `%252e` decodes
 * once to the harmless literal name `%2e`.
 */

/** A decoded path: its segments, and whether the URL ended in `/` (a directory URL). */
export interface DecodedPath {
  readonly segments: readonly string[];
  readonly trailingSlash: boolean;
}

/** Longest file name most file systems allow (bytes). */
const MAX_SEGMENT_BYTES = 255;
/** Deepest path accepted; a deeper one is an attack or a mistake, never a file we serve. */
const MAX_SEGMENTS = 64;

const NEEDS_DECODING = /[%\u0080-\uffff]/;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Decodes `rest`, the part of the path after the mount prefix (no leading `/`), or returns undefined
 * when it must be refused.
 *
 * @example
 * ```ts
 * decodePath('docs/read%20me.txt'); // { segments: ['docs', 'read me.txt'], trailingSlash: false }
 * decodePath('%2e%2e/etc/passwd'); // undefined
 * ```
 */
export function decodePath(rest: string): DecodedPath | undefined {
  if (rest === '') return { segments: [], trailingSlash: true };
  const raw = rest.split('/');
  const trailingSlash = raw[raw.length - 1] === '';
  if (trailingSlash) raw.pop();
  if (raw.length > MAX_SEGMENTS) return undefined;
  const segments: string[] = [];
  for (const part of raw) {
    const segment = decodeSegment(part);
    if (segment === undefined) return undefined;
    segments.push(segment);
  }
  return { segments, trailingSlash };
}

/**
 * One segment, decoded once and checked; undefined when refused.
 *
 * @example
 * ```ts
 * decodeSegment('a%20b'); // 'a b'
 * decodeSegment('%2e%2e'); // undefined
 * ```
 */
export function decodeSegment(part: string): string | undefined {
  if (part === '') return undefined;
  // Raw non-ASCII is not a valid request-target byte (RFC 3986 §2): percentDecode refuses it.
  const decoded = NEEDS_DECODING.test(part) ? percentDecode(part) : part;
  if (decoded === undefined || !isSafeName(decoded)) return undefined;
  return decoded;
}

/**
 * A file name we are willing to look up: no separators, NUL, controls, `.` or `..`.
 *
 * @example
 * ```ts
 * isSafeName('report.pdf'); // true
 * isSafeName('a\\b'); // false
 * ```
 */
export function isSafeName(name: string): boolean {
  if (name === '' || name === '.' || name === '..') return false;
  if (Buffer.byteLength(name) > MAX_SEGMENT_BYTES) return false;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    // Controls (incl. NUL), `/`, `\` and DEL: a name with these is never one of our files.
    if (code < 0x20 || code === 0x2f || code === 0x5c || code === 0x7f) return false;
  }
  return true;
}

/**
 * Strict percent-decoding (RFC 3986 §2.1): every `%` must start two hex digits, the target must be
 * ASCII, and the bytes must be valid UTF-8 (the WHATWG decoder in fatal mode refuses overlong forms).
 */
function percentDecode(part: string): string | undefined {
  const bytes = Buffer.allocUnsafe(part.length);
  let n = 0;
  for (let i = 0; i < part.length; i++) {
    const code = part.charCodeAt(i);
    if (code > 0x7e) return undefined;
    if (code !== 0x25) {
      bytes[n++] = code;
      continue;
    }
    const hi = hexValue(part.charCodeAt(i + 1));
    const lo = hexValue(part.charCodeAt(i + 2));
    if (hi < 0 || lo < 0) return undefined;
    bytes[n++] = hi * 16 + lo;
    i += 2;
  }
  try {
    return utf8.decode(bytes.subarray(0, n));
  } catch {
    return undefined;
  }
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  const lower = code | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}
