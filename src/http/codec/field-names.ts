import { latin1 } from './chars.js';

/**
 * Field names most requests and responses carry, in their usual spellings (canonical and lower
 * case). A parsed name equal to one of them is returned as the shared constant string: no string is
 * allocated for it, and later comparisons against it are cheap.
 */
const COMMON = [
  'Accept',
  'Accept-Encoding',
  'Accept-Language',
  'Authorization',
  'Cache-Control',
  'Connection',
  'Content-Encoding',
  'Content-Length',
  'Content-Type',
  'Cookie',
  'Date',
  'ETag',
  'Expect',
  'Host',
  'If-Modified-Since',
  'If-None-Match',
  'Keep-Alive',
  'Last-Modified',
  'Location',
  'Origin',
  'Pragma',
  'Range',
  'Referer',
  'Sec-Fetch-Dest',
  'Sec-Fetch-Mode',
  'Sec-Fetch-Site',
  'Sec-WebSocket-Key',
  'Sec-WebSocket-Version',
  'Server',
  'Set-Cookie',
  'Transfer-Encoding',
  'Upgrade',
  'User-Agent',
  'Vary',
  'X-Forwarded-For',
  'X-Request-Id',
];

interface Candidate {
  readonly bytes: Uint8Array;
  readonly name: string;
}

const BY_LENGTH: Candidate[][] = [];
for (const canonical of COMMON) {
  for (const name of new Set([canonical, canonical.toLowerCase()])) {
    const list = BY_LENGTH[name.length] ?? [];
    list.push({ bytes: Buffer.from(name, 'latin1'), name });
    BY_LENGTH[name.length] = list;
  }
}

/** The field name `buf[start, end)` as a string: a shared constant for common names, else a new string. */
export function fieldName(buf: Buffer, start: number, end: number): string {
  const candidates = BY_LENGTH[end - start];
  if (candidates !== undefined) {
    next: for (const candidate of candidates) {
      const bytes = candidate.bytes;
      for (let i = 0; i < bytes.length; i++) if (buf[start + i] !== bytes[i]) continue next;
      return candidate.name;
    }
  }
  return latin1(buf, start, end);
}

/** ASCII case-insensitive `name === lower`, cheap when `name` is the lower-case constant itself. */
export function isField(name: string, lower: string): boolean {
  return sameFieldName(name, lower);
}

/**
 * `a.toLowerCase() === b.toLowerCase()` for strings of one length, without making either: ASCII
 * letters are folded in place; a string with other than ASCII goes the `toLowerCase` way.
 *
 * @example
 * ```ts
 * sameFieldName('Content-Type', 'content-type'); // true
 * ```
 */
export function sameFieldName(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x > 0x7f || y > 0x7f) return a.toLowerCase() === b.toLowerCase();
    const folded = x | 0x20;
    if (folded !== (y | 0x20) || folded < 0x61 || folded > 0x7a) return false;
  }
  return true;
}
