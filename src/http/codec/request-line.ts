import { ProtocolError } from '../../errors.js';
import { allIn, HOST, latin1, SP, TARGET, TOKEN } from './chars.js';

/** The parsed request line (RFC 9112 §3). */
export interface RequestLine {
  method: string;
  target: string;
  version: '1.0' | '1.1';
}

const SLASH = 0x2f;
const ASTERISK = 0x2a;

/**
 * Parses `method SP request-target SP HTTP-version` from `buf[start, end)`. Exactly one SP between
 * the parts (RFC 9112 §3 allows whitespace-splitting, but a strict split is what keeps us in step
 * with the intermediaries in front of us). Unknown but well-formed versions are 505, the rest 400.
 */
export function parseRequestLine(buf: Buffer, start: number, end: number): RequestLine {
  const sp1 = buf.indexOf(SP, start);
  if (sp1 <= start || sp1 >= end || !allIn(TOKEN, buf, start, sp1)) throw badLine('method is not a token');
  const sp2 = buf.indexOf(SP, sp1 + 1);
  if (sp2 === -1 || sp2 >= end) throw badLine('request line has no HTTP version');
  if (sp2 === sp1 + 1 || !allIn(TARGET, buf, sp1 + 1, sp2)) throw badTarget('request-target has a forbidden byte');
  const version = parseVersion(buf, sp2 + 1, end);
  const method = methodName(buf, start, sp1);
  checkTargetForm(method, buf, sp1 + 1, sp2);
  return { method, target: latin1(buf, sp1 + 1, sp2), version };
}

function parseVersion(buf: Buffer, start: number, end: number): '1.0' | '1.1' {
  const wellFormed =
    end - start === 8 &&
    buf[start] === 0x48 && // "HTTP/"
    buf[start + 1] === 0x54 &&
    buf[start + 2] === 0x54 &&
    buf[start + 3] === 0x50 &&
    buf[start + 4] === SLASH &&
    isDigit(buf[start + 5]) &&
    buf[start + 6] === 0x2e &&
    isDigit(buf[start + 7]);
  if (!wellFormed) throw badLine('malformed HTTP version');
  if (buf[start + 5] === 0x31 && buf[start + 7] === 0x31) return '1.1';
  if (buf[start + 5] === 0x31 && buf[start + 7] === 0x30) return '1.0';
  throw new ProtocolError('WK_ERR_HTTP_VERSION_NOT_SUPPORTED', 505, 'only HTTP/1.0 and HTTP/1.1 are served');
}

/**
 * The four request-target forms (RFC 9112 §3.2): authority-form only and always for CONNECT,
 * asterisk-form only for OPTIONS, otherwise origin-form or absolute-form without userinfo
 * (RFC 9110 §4.2.4 deprecates it; it is how phishing URLs hide the real host).
 */
function checkTargetForm(method: string, buf: Buffer, start: number, end: number): void {
  if (method === 'CONNECT') {
    const colon = buf.lastIndexOf(0x3a, end - 1);
    const hasPort = colon > start && colon < end - 1 && allDigits(buf, colon + 1, end);
    if (!hasPort || !allIn(HOST, buf, start, end)) throw badTarget('CONNECT needs an authority-form target host:port');
    return;
  }
  if (buf[start] === SLASH) return;
  if (buf[start] === ASTERISK && end - start === 1) {
    if (method !== 'OPTIONS') throw badTarget('asterisk-form is only for OPTIONS');
    return;
  }
  checkAbsoluteForm(buf, start, end);
}

function checkAbsoluteForm(buf: Buffer, start: number, end: number): void {
  let i = start;
  if (!isAlpha(buf[i])) throw badTarget('request-target is in no known form');
  while (i < end && isSchemeChar(buf[i])) i++;
  if (buf[i] !== 0x3a || buf[i + 1] !== SLASH || buf[i + 2] !== SLASH)
    throw badTarget('request-target is in no known form');
  const authorityStart = i + 3;
  let authorityEnd = authorityStart;
  while (
    authorityEnd < end &&
    buf[authorityEnd] !== SLASH &&
    buf[authorityEnd] !== 0x3f &&
    buf[authorityEnd] !== 0x23
  ) {
    authorityEnd++;
  }
  if (authorityEnd === authorityStart) throw badTarget('absolute-form without a host');
  if (!allIn(HOST, buf, authorityStart, authorityEnd))
    throw badTarget('absolute-form authority holds userinfo or bad bytes');
}

function isDigit(byte: number | undefined): boolean {
  return byte !== undefined && byte >= 0x30 && byte <= 0x39;
}

function allDigits(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (!isDigit(buf[i])) return false;
  return end > start;
}

function isAlpha(byte: number | undefined): boolean {
  return byte !== undefined && (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7a;
}

function isSchemeChar(byte: number | undefined): boolean {
  return isAlpha(byte) || isDigit(byte) || byte === 0x2b || byte === 0x2d || byte === 0x2e;
}

function badLine(message: string): ProtocolError {
  return new ProtocolError('WK_ERR_HTTP_INVALID_REQUEST_LINE', 400, message);
}

function badTarget(message: string): ProtocolError {
  return new ProtocolError('WK_ERR_HTTP_INVALID_TARGET', 400, message);
}

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'CONNECT', 'TRACE'].map((name) => ({
  name,
  bytes: Buffer.from(name, 'latin1'),
}));

/** The method as a string: a shared constant for the registered methods, so parsing allocates none. */
function methodName(buf: Buffer, start: number, end: number): string {
  next: for (const { name, bytes } of METHODS) {
    if (bytes.length !== end - start) continue;
    for (let i = 0; i < bytes.length; i++) if (buf[start + i] !== bytes[i]) continue next;
    return name;
  }
  return latin1(buf, start, end);
}
