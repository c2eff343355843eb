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
  return name === lower || (name.length === lower.length && name.toLowerCase() === lower);
}
