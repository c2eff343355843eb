import { ProtocolError } from '../../errors.js';
import { allIn, COLON, CR, FIELD_VALUE, isOws, latin1, latin1Reusing, PENDING_CR, TOKEN } from './chars.js';
import { fieldName, isField } from './field-names.js';

/**
 * Parses one field line `buf[start, end)` (CRLF excluded) into `out` as name then value, with the
 * value's surrounding whitespace removed. Returns the index in `out` of the name.
 *
 * Refused (400, RFC 9112 §5): a line starting with whitespace (obs-fold, §5.2), a name that is not a
 * token or is empty, whitespace between the name and the colon (§5.1), and value bytes outside
 * VCHAR / obs-text / SP / HTAB, which includes CR, LF and NUL (RFC 9110 §5.5).
 */
export function parseFieldLine(buf: Buffer, start: number, end: number, out: string[]): number {
  if (isOws(buf[start])) throw invalid('obs-fold (a field line starting with whitespace) is not accepted');
  // The name is read up to its first byte that is no tchar: a valid line's colon.
  let colon = start;
  while (colon < end && TOKEN[buf[colon] as number] === 1) colon++;
  if (colon === end || buf[colon] !== COLON || colon === start) {
    const first = buf.indexOf(COLON, start);
    if (first === -1 || first >= end) throw invalid('field line without a colon');
    throw invalid('field name is not a token');
  }
  let valueStart = colon + 1;
  let valueEnd = end;
  while (valueStart < valueEnd && isOws(buf[valueStart])) valueStart++;
  while (valueEnd > valueStart && isOws(buf[valueEnd - 1])) valueEnd--;
  if (!allIn(FIELD_VALUE, buf, valueStart, valueEnd)) throw invalid('field value holds a control character');
  const index = out.length;
  const name = fieldName(buf, start, colon);
  // Credentials are never kept for reuse: a value kept process-wide and compared byte by byte with
  // the next client's would be a timing oracle on another client's secret.
  const value = carriesCredential(name)
    ? latin1(buf, valueStart, valueEnd)
    : latin1Reusing(VALUES_SEEN, index >> 1, buf, valueStart, valueEnd);
  out.push(name, value);
  return index;
}

/** Fields whose values are secrets (RFC 9110 §11.6.2, §11.7.2; RFC 6265 §4). */
function carriesCredential(name: string): boolean {
  switch (name.length) {
    case 6:
      return isField(name, 'cookie');
    case 10:
      return isField(name, 'set-cookie');
    case 13:
      return isField(name, 'authorization');
    case 19:
      return isField(name, 'proxy-authorization');
    default:
      return false;
  }
}

/**
 * What is kept for reuse (chars.ts, latin1Reusing), exported for the test that no credential and no
 * target with a query is ever kept.
 *
 * @example
 * ```ts
 * VALUES_SEEN.includes('keep-alive'); // true after a head that sent it
 * ```
 */
export const VALUES_SEEN: string[] = [];

// Parts of a field line read so far, for scanFieldLine.
const NAME_START = 0;
const NAME = 1;
const VALUE = 2;

/**
 * Checks the bytes `buf[start, end)` of a field line that has not ended yet, continuing from
 * `state` (0 at the start of the line); returns the state to continue from, or throws the error
 * {@link parseFieldLine} would throw once the line ended, as soon as the bytes make it certain: a
 * name byte that is no tchar (whitespace before the colon among them), an empty name, a name ended
 * by a CR (no colon), a control character in the value, a CR not followed by LF. What a value means (Content-Length digits,
 * transfer-codings) is judged when its line ends.
 *
 * @example
 * ```ts
 * scanFieldLine(0, Buffer.from('Host : a'), 0, 8); // throws: whitespace before the colon
 * ```
 */
export function scanFieldLine(state: number, buf: Buffer, start: number, end: number): number {
  let phase = state & ~PENDING_CR;
  // A CR that ended the bytes before is judged first, as the byte it is (see PENDING_CR).
  for (let i = (state & PENDING_CR) === 0 ? start : start - 1; i < end; i++) {
    const byte = i < start ? CR : (buf[i] as number);
    // A CR ends the line: after a name and no colon, the line has none.
    if (byte === CR && phase === NAME) throw invalid('field line without a colon');
    if (byte === CR && i === end - 1) return phase | PENDING_CR;
    if (phase === VALUE) {
      if (FIELD_VALUE[byte] === 0) throw invalid('field value holds a control character');
    } else if (byte === COLON) {
      if (phase === NAME_START) throw invalid('field name is not a token');
      phase = VALUE;
    } else if (TOKEN[byte] === 0) {
      throw phase === NAME_START && isOws(byte)
        ? invalid('obs-fold (a field line starting with whitespace) is not accepted')
        : invalid('field name is not a token');
    } else {
      phase = NAME;
    }
  }
  return phase;
}

function invalid(message: string): ProtocolError {
  return new ProtocolError('WK_ERR_HTTP_INVALID_HEADER', 400, message);
}

/**
 * Splits a comma-separated field value into lower-cased, non-empty elements (RFC 9110 §5.6.1), each
 * stripped of the optional whitespace around it: SP and HTAB only. (`String.prototype.trim` would
 * also strip NBSP, 0xA0, which a front proxy does not: `close\xa0` must not read as `close`.)
 */
export function listElements(value: string): string[] {
  const out: string[] = [];
  for (const part of value.split(',')) {
    const element = trimOws(part).toLowerCase();
    if (element !== '') out.push(element);
  }
  return out;
}

/** `value` without leading and trailing SP and HTAB (OWS, RFC 9110 §5.6.3). */
export function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isOwsCode(value.charCodeAt(start))) start++;
  while (end > start && isOwsCode(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

function isOwsCode(code: number): boolean {
  return code === 0x20 || code === 0x09;
}
