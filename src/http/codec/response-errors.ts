import { ERROR_CODES, type ErrorCode, ProtocolError } from '../../errors.js';

/** Request-side codes whose meaning (a status sent to a client) would mislead on a response. */
const RESPONSE_CODES: Partial<Record<ErrorCode, ErrorCode>> = {
  WK_ERR_HTTP_URI_TOO_LONG: 'WK_ERR_RESPONSE_HEAD_TOO_LARGE',
  WK_ERR_HTTP_HEADERS_TOO_LARGE: 'WK_ERR_RESPONSE_HEAD_TOO_LARGE',
  WK_ERR_HTTP_BODY_TOO_LARGE: 'WK_ERR_RESPONSE_TOO_LARGE',
};

/**
 * Restates an error raised by code shared with the request parser (head reader, field parser, body
 * decoder) as a response error: status 502, what a gateway answers for a bad upstream response
 * (RFC 9110 §15.6.3), and a response code where the request one would mislead (431 → head too large).
 * Codes that mean the same on both sides (invalid header, chunk, framing, line ending, EOF) are kept.
 *
 * @example
 * ```ts
 * asResponseError(new ProtocolError('WK_ERR_HTTP_HEADERS_TOO_LARGE', 431)).code; // 'WK_ERR_RESPONSE_HEAD_TOO_LARGE'
 * ```
 */
export function asResponseError(error: ProtocolError): ProtocolError {
  if (error.status === 502) return error;
  const code = RESPONSE_CODES[error.code] ?? error.code;
  // A message that only repeats the old code's table text would repeat its request-side status too.
  const message = error.message === ERROR_CODES[error.code] ? undefined : error.message;
  return new ProtocolError(code, 502, message);
}
