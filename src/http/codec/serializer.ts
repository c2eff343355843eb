import { ProtocolError } from '../../errors.js';
import { isFieldName, isFieldValue } from './field-validation.js';
import { httpDate } from './http-date.js';
import { isBodylessStatus, reasonPhrase, STATUS_TEXT } from './status.js';

/** How the serializer frames the body that follows a head. */
export type BodyLength = number | 'chunked' | 'none';

/** A response head to serialize. */
export interface ResponseHeadInit {
  status: number;
  /** Reason phrase; defaults to the registered one. */
  reason?: string | undefined;
  /** Fields as flat `[name, value, …]`. Framing fields (Content-Length, Transfer-Encoding, Connection) are ours and skipped. */
  headers: readonly string[];
  /** The request's version: an HTTP/1.0 peer cannot take chunked, so an unknown length means close. */
  requestVersion: '1.0' | '1.1';
  /**
   * The body's length in bytes, `'chunked'` when unknown (streaming), `'none'` for no body, `'close'`
   * for a body that runs to the close with no framing field at all (a 2xx to CONNECT, RFC 9110 §9.3.6).
   */
  bodyLength: BodyLength | 'close';
  /** Whether the connection stays open after this response. */
  keepAlive: boolean;
  /** Add a `Date` field unless one is given (default true). */
  date?: boolean;
  /**
   * The fields were checked when they were set (a `Headers` object only ever holds valid fields):
   * skip checking them again on every response. Default false: raw arrays are checked.
   */
  trusted?: boolean;
}

/** What `serializeResponseHead` decided, besides the bytes. */
export interface SerializedHead {
  /** The head, a latin1 string ending in CRLF CRLF: write it with `'latin1'` encoding. */
  head: string;
  /** `'chunked'` when the body must be sent with `encodeChunk`, `'close'` when the close delimits it. */
  bodyFraming: 'length' | 'chunked' | 'close' | 'none';
  /** False when the framing forces the connection to close (HTTP/1.0 with unknown length). */
  keepAlive: boolean;
  /** True when every character of `head` is ASCII: it may then be written as UTF-8 text as well. */
  ascii: boolean;
}

/**
 * Serializes a response head with framing chosen automatically (RFC 9112 §6): Content-Length for a
 * known length, chunked for an unknown length on HTTP/1.1, close-delimited on HTTP/1.0, and no
 * framing fields at all for 1xx, 204 and 304. Every user field is validated: a CR or LF from user
 * input never reaches the wire (response splitting); such a field throws `WK_ERR_HTTP_INVALID_FIELD`.
 *
 * @example
 * ```ts
 * const { head } = serializeResponseHead({ status: 200, headers: ['Content-Type', 'text/plain'],
 *   requestVersion: '1.1', bodyLength: 5, keepAlive: true });
 * socket.write(head + 'hello', 'latin1');
 * ```
 */
export function serializeResponseHead(init: ResponseHeadInit): SerializedHead {
  const { status } = init;
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    throw new ProtocolError('WK_ERR_HTTP_INVALID_STATUS', 500, `invalid status ${String(status)}`);
  }
  const registered = reasonPhrase(status);
  const reason = init.reason ?? registered ?? '';
  // The registered reasons are checked once, with their status lines made ahead (STATUS_LINES).
  let head = reason === registered ? STATUS_LINES[status] : undefined;
  if (head === undefined) {
    if (!isFieldValue(reason) || reason.includes('\t')) throw invalidField('reason phrase');
    head = `HTTP/1.1 ${status} ${reason}\r\n`;
  }
  const ascii = isAscii(reason) && allAscii(init.headers);
  head += serializeFields(init.headers, init.date !== false, init.trusted === true);
  let keepAlive = init.keepAlive;
  let bodyFraming: SerializedHead['bodyFraming'];
  if (isBodylessStatus(status) || init.bodyLength === 'none') {
    bodyFraming = 'none';
    if (!isBodylessStatus(status)) head += 'Content-Length: 0\r\n';
  } else if (typeof init.bodyLength === 'number') {
    bodyFraming = 'length';
    head += `Content-Length: ${init.bodyLength}\r\n`;
  } else if (init.bodyLength === 'chunked' && init.requestVersion === '1.1') {
    bodyFraming = 'chunked';
    head += 'Transfer-Encoding: chunked\r\n';
  } else {
    bodyFraming = 'close';
    keepAlive = false;
  }
  if (status >= 200) head += connectionField(keepAlive, init.requestVersion);
  return { head: `${head}\r\n`, bodyFraming, keepAlive, ascii };
}

/** `HTTP/1.1 <status> <reason>\r\n` for every registered status and its reason, made once. */
const STATUS_LINES: readonly (string | undefined)[] = (() => {
  const lines: (string | undefined)[] = new Array(1000).fill(undefined);
  for (const [status, reason] of Object.entries(STATUS_TEXT)) {
    if (isFieldValue(reason) && !reason.includes('\t')) lines[Number(status)] = `HTTP/1.1 ${status} ${reason}\r\n`;
  }
  return lines;
})();

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Whether every name and value of a flat field list is ASCII (what serializeFields adds besides them is). */
function allAscii(fields: readonly string[]): boolean {
  for (let i = 0; i < fields.length; i++) if (!isAscii(fields[i] as string)) return false;
  return true;
}

function connectionField(keepAlive: boolean, version: '1.0' | '1.1'): string {
  if (!keepAlive) return 'Connection: close\r\n';
  return version === '1.0' ? 'Connection: keep-alive\r\n' : '';
}

/**
 * Validates and joins user fields as `name: value\r\n` lines, skipping framing fields and adding a
 * Date field when `addDate` and none is given.
 */
export function serializeFields(headers: readonly string[], addDate: boolean, trusted = false): string {
  let text = '';
  let hasDate = false;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    const value = headers[i + 1] as string;
    if (!trusted && !isFieldName(name)) throw invalidField(`field name "${name}"`);
    if (!trusted && !isFieldValue(value)) throw invalidField(`value of ${name}`);
    const kind = framingKind(name);
    if (kind === 'framing') continue;
    if (kind === 'date') hasDate = true;
    text += `${name}: ${value}\r\n`;
  }
  if (addDate && !hasDate) text += `Date: ${httpDate()}\r\n`;
  return text;
}

function framingKind(name: string): 'framing' | 'date' | 'other' {
  switch (name.length) {
    case 4:
      return name.toLowerCase() === 'date' ? 'date' : 'other';
    case 10:
      return name.toLowerCase() === 'connection' ? 'framing' : 'other';
    case 14:
      return name.toLowerCase() === 'content-length' ? 'framing' : 'other';
    case 17:
      return name.toLowerCase() === 'transfer-encoding' ? 'framing' : 'other';
    default:
      return 'other';
  }
}

function invalidField(what: string): ProtocolError {
  return new ProtocolError('WK_ERR_HTTP_INVALID_FIELD', 500, `${what} would be unsafe on the wire`);
}

/** The size line that goes before a chunk of `size` bytes (never 0: that is the last chunk). */
export function chunkHeader(size: number): string {
  return `${size.toString(16)}\r\n`;
}

/** What ends each chunk's data. */
export const CHUNK_END = '\r\n';

/** The last chunk and the end of the message, with optional trailer fields. */
export function lastChunk(trailers: readonly string[] = []): string {
  return trailers.length === 0 ? '0\r\n\r\n' : `0\r\n${serializeFields(trailers, false)}\r\n`;
}
