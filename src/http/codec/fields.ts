import { ProtocolError } from '../../errors.js';
import { allIn, COLON, FIELD_VALUE, isOws, latin1, TOKEN } from './chars.js';
import { fieldName } from './field-names.js';

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
  const colon = buf.indexOf(COLON, start);
  if (colon === -1 || colon >= end) throw invalid('field line without a colon');
  if (colon === start || !allIn(TOKEN, buf, start, colon)) throw invalid('field name is not a token');
  let valueStart = colon + 1;
  let valueEnd = end;
  while (valueStart < valueEnd && isOws(buf[valueStart])) valueStart++;
  while (valueEnd > valueStart && isOws(buf[valueEnd - 1])) valueEnd--;
  if (!allIn(FIELD_VALUE, buf, valueStart, valueEnd)) throw invalid('field value holds a control character');
  const index = out.length;
  out.push(fieldName(buf, start, colon), latin1(buf, valueStart, valueEnd));
  return index;
}

function invalid(message: string): ProtocolError {
  return new ProtocolError('WK_ERR_HTTP_INVALID_HEADER', 400, message);
}

/** Splits a comma-separated field value into trimmed, lower-cased, non-empty elements (RFC 9110 §5.6.1). */
export function listElements(value: string): string[] {
  const out: string[] = [];
  for (const part of value.split(',')) {
    const element = part.trim().toLowerCase();
    if (element !== '') out.push(element);
  }
  return out;
}
