import { ProtocolError } from '../../errors.js';
import { allIn, CR, findByte, HOST, latin1, latin1Reusing, PENDING_CR, SP, TARGET, TOKEN } from './chars.js';

/** The parsed request line (RFC 9112 §3). */
export interface RequestLine {
  method: string;
  target: string;
  version: '1.0' | '1.1';
}

const SLASH = 0x2f;
/**
 * What is kept for reuse (chars.ts, latin1Reusing), exported for the test that no credential and no
 * target with a query is ever kept.
 *
 * @example
 * ```ts
 * TARGETS_SEEN.includes('keep-alive'); // true after a head that sent it
 * ```
 */
export const TARGETS_SEEN: string[] = [];
const ASTERISK = 0x2a;

/**
 * Parses `method SP request-target SP HTTP-version` from `buf[start, end)`. Exactly one SP between
 * the parts (RFC 9112 §3 allows whitespace-splitting, but a strict split is what keeps us in step
 * with the intermediaries in front of us). Unknown but well-formed versions are 505, the rest 400.
 */
export function parseRequestLine(buf: Buffer, start: number, end: number): RequestLine {
  const sp1 = findByte(buf, SP, start);
  if (sp1 <= start || sp1 >= end || !allIn(TOKEN, buf, start, sp1)) throw badLine('method is not a token');
  const sp2 = findByte(buf, SP, sp1 + 1);
  if (sp2 === -1 || sp2 >= end) throw badLine('request line has no HTTP version');
  if (sp2 === sp1 + 1 || !allIn(TARGET, buf, sp1 + 1, sp2)) throw badTarget('request-target has a forbidden byte');
  const version = parseVersion(buf, sp2 + 1, end);
  const method = methodName(buf, start, sp1);
  checkTargetForm(method, buf, sp1 + 1, sp2);
  // A query may carry a secret (a token, a signature): such a target is never kept for reuse.
  const target = hasQuery(buf, sp1 + 1, sp2)
    ? latin1(buf, sp1 + 1, sp2)
    : latin1Reusing(TARGETS_SEEN, 0, buf, sp1 + 1, sp2);
  return { method, target, version };
}

const QUESTION = 0x3f;

function hasQuery(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] === QUESTION) return true;
  return false;
}

function parseVersion(buf: Buffer, start: number, end: number): '1.0' | '1.1' {
  const wellFormed =
    end - start >= 8 &&
    buf[start] === 0x48 && // "HTTP/"
    buf[start + 1] === 0x54 &&
    buf[start + 2] === 0x54 &&
    buf[start + 3] === 0x50 &&
    buf[start + 4] === SLASH &&
    isDigit(buf[start + 5]) &&
    buf[start + 6] === 0x2e &&
    isDigit(buf[start + 7]);
  if (!wellFormed) throw malformedVersion();
  if (end - start === 8 && buf[start + 5] === 0x31) {
    if (buf[start + 7] === 0x31) return '1.1';
    if (buf[start + 7] === 0x30) return '1.0';
  }
  // Judged on its first 8 bytes, as scanRequestLine does before the line ends: a well-formed
  // version we do not speak is 505 whatever follows it; one we speak followed by more is malformed.
  checkVersionDigits(buf[start + 5] as number, buf[start + 7] as number);
  throw malformedVersion();
}

/** The bytes of `HTTP/d.d`, 0 standing for a digit (scanRequestLine). */
const VERSION = [0x48, 0x54, 0x54, 0x50, SLASH, 0, 0x2e, 0];

/** 505 for a well-formed version other than 1.0 and 1.1 (RFC 9110 §15.6.6). */
function checkVersionDigits(major: number, minor: number): void {
  if (major === 0x31 && (minor === 0x30 || minor === 0x31)) return;
  throw new ProtocolError('WK_ERR_HTTP_VERSION_NOT_SUPPORTED', 505, 'only HTTP/1.0 and HTTP/1.1 are served');
}

function malformedVersion(): ProtocolError {
  return badLine('malformed HTTP version');
}

// Parts of a request line read so far, for scanRequestLine: the phase in the low 3 bits, the
// version bytes seen above them, and the major version digit above those.
const METHOD_START = 0;
const METHOD = 1;
const TARGET_START = 2;
const TARGET_REST = 3;
const VERSION_PART = 4;

/**
 * Checks the bytes `buf[start, end)` of a request line that has not ended yet, continuing from
 * `state` (0 at the start of the line); returns the state to continue from, or throws the error the
 * whole line would get as soon as the bytes make it certain (RFC 9112 §3; llhttp does the same): a
 * method byte that is no tchar, a forbidden target byte or one that starts no target form, a
 * version that is not `HTTP/d.d`, 505 once a well-formed version other than 1.0 or 1.1 is complete,
 * a CR not followed by LF.
 *
 * @example
 * ```ts
 * scanRequestLine(0, Buffer.from('GET / HTTP/5.6'), 0, 14); // throws 505 WK_ERR_HTTP_VERSION_NOT_SUPPORTED
 * ```
 */
export function scanRequestLine(state: number, buf: Buffer, start: number, end: number): number {
  let phase = state & 7;
  let seen = (state >> 3) & 15;
  let major = (state >> 7) & 0xff;
  // A CR that ended the bytes before is judged first, as the byte it is (see PENDING_CR).
  for (let i = (state & PENDING_CR) === 0 ? start : start - 1; i < end; i++) {
    const byte = i < start ? CR : (buf[i] as number);
    if (byte === CR && i === end - 1) return phase | (seen << 3) | (major << 7) | PENDING_CR;
    switch (phase) {
      case METHOD_START:
        if (TOKEN[byte] === 0) throw badLine('method is not a token');
        phase = METHOD;
        break;
      case METHOD:
        if (byte === SP) phase = TARGET_START;
        else if (TOKEN[byte] === 0) throw badLine('method is not a token');
        break;
      case TARGET_START:
        if (TARGET[byte] === 0) throw badTarget('request-target has a forbidden byte');
        // Every form starts with `/`, `*`, a scheme's letter or (CONNECT) a host byte.
        if (byte !== SLASH && HOST[byte] === 0) throw badTarget('request-target is in no known form');
        phase = TARGET_REST;
        break;
      case TARGET_REST:
        if (byte === SP) phase = VERSION_PART;
        else if (TARGET[byte] === 0) throw badTarget('request-target has a forbidden byte');
        break;
      default: {
        const want = VERSION[seen];
        if (want === undefined || (want === 0 ? !isDigit(byte) : byte !== want)) throw malformedVersion();
        if (seen === 5) major = byte;
        if (seen === 7) checkVersionDigits(major, byte);
        seen++;
      }
    }
  }
  return phase | (seen << 3) | (major << 7);
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
