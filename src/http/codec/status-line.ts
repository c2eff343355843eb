import { ProtocolError } from '../../errors.js';
import { allIn, FIELD_VALUE, latin1, SP } from './chars.js';

/** The parsed status line (RFC 9112 §4). */
export interface StatusLine {
  version: '1.0' | '1.1';
  status: number;
  /** The reason phrase; `''` after `200 `, `null` when the status code ends the line (`200`). */
  reason: string | null;
}

const HTTP_11 = Buffer.from('HTTP/1.1 ', 'latin1');
const HTTP_10 = Buffer.from('HTTP/1.0 ', 'latin1');
const PREFIX = HTTP_11.length;

/**
 * Parses `HTTP-version SP status-code SP [ reason-phrase ]` from `buf[start, end)`.
 *
 * Refused: any version but `HTTP/1.0` and `HTTP/1.1` (RFC 9112 §2.3 makes HTTP-name the
 * case-sensitive "HTTP", so `RTSP/1.1`, `ICE/1.1`, `HTTP/0.9` and `HTTP/2.0` are not HTTP/1.1
 * responses), anything but one SP around the status code, a status code that is not three digits
 * within 100-599 (RFC 9110 §15), and reason bytes outside HTAB / SP / VCHAR / obs-text.
 *
 * Accepted although the grammar wants the second SP: a status code ending the line (`HTTP/1.1 301`),
 * with `reason: null`. The line's end is unambiguous, so this cannot shift framing, and a client
 * ignores the reason anyway (§4); servers that omit it exist.
 *
 * @example
 * ```ts
 * parseStatusLine(Buffer.from('HTTP/1.1 404 Not Found'), 0, 22); // { version: '1.1', status: 404, reason: 'Not Found' }
 * ```
 */
export function parseStatusLine(buf: Buffer, start: number, end: number): StatusLine {
  if (end - start < PREFIX + 3) throw badLine('status line too short');
  let version: '1.0' | '1.1';
  if (buf.compare(HTTP_11, 0, PREFIX, start, start + PREFIX) === 0) version = '1.1';
  else if (buf.compare(HTTP_10, 0, PREFIX, start, start + PREFIX) === 0) version = '1.0';
  else throw badLine('not an HTTP/1.0 or HTTP/1.1 status line');
  const status = statusCode(buf, start + PREFIX);
  const after = start + PREFIX + 3;
  if (after === end) return { version, status, reason: null };
  if (buf[after] !== SP) throw badLine('status code not followed by SP');
  if (!allIn(FIELD_VALUE, buf, after + 1, end)) throw badLine('reason phrase holds a control character');
  return { version, status, reason: latin1(buf, after + 1, end) };
}

function statusCode(buf: Buffer, at: number): number {
  let status = 0;
  for (let i = at; i < at + 3; i++) {
    const byte = buf[i] as number;
    if (byte < 0x30 || byte > 0x39) throw badLine('status code is not three digits');
    status = status * 10 + byte - 0x30;
  }
  if (status < 100 || status > 599) throw badLine(`status code ${status} outside 100-599`);
  return status;
}

function badLine(message: string): ProtocolError {
  return new ProtocolError('WK_ERR_HTTP_INVALID_STATUS_LINE', 502, message);
}
