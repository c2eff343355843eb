import { ProtocolError, WirekitError } from '../../errors.js';
import { allIn, HOST } from './chars.js';
import { parseRequestLine } from './request-line.js';
import { type BodyLength, serializeFields } from './serializer.js';

/** A request head to serialize. */
export interface RequestHeadInit {
  /** A token, case-sensitive (`GET`, `POST`, …). */
  method: string;
  /** origin-form (`/a?b`), absolute-form (`http://h/a`, for proxies), authority-form for CONNECT, `*` for OPTIONS. */
  target: string;
  /** Fields as flat `[name, value, …]`. Framing and connection fields (Content-Length, Transfer-Encoding, Connection) are ours and skipped. */
  headers: readonly string[];
  /** The body's length in bytes, `'chunked'` when unknown (send it with `chunkHeader`/`lastChunk`), `'none'` for no body. */
  bodyLength: BodyLength;
  /** The Host value (`example.com:8080`) when `headers` has no Host field; a Host in `headers` wins. */
  host?: string | undefined;
  /** Whether to keep the connection open after the response (default true); false sends `Connection: close`. */
  keepAlive?: boolean | undefined;
  /** A protocol to upgrade to (`websocket`): sends `Upgrade` and `Connection: upgrade` (RFC 9110 §7.8). */
  upgrade?: string | undefined;
}

/** Visible ASCII: what a method or request-target may hold at all (no SP, CTL, CR, LF or non-ASCII). */
const VISIBLE = /^[\x21-\x7e]+$/;

/**
 * Serializes an HTTP/1.1 request head (RFC 9112 §3): the request line, Host first (§3.2), the user
 * fields, then the framing and connection fields we own. Nothing unsafe reaches the wire: the method
 * and target are checked by the same rules our request parser applies (so whatever we send, we would
 * accept), and every field by `serializeFields` (a CR or LF in a value throws `WK_ERR_HTTP_INVALID_FIELD`).
 *
 * @throws ProtocolError `WK_ERR_HTTP_INVALID_REQUEST_LINE` (method), `WK_ERR_HTTP_INVALID_TARGET`,
 *   `WK_ERR_HTTP_INVALID_HOST` (none, two, or a bad value), `WK_ERR_HTTP_INVALID_FIELD`, all with status 500.
 * @example
 * ```ts
 * const head = serializeRequestHead({ method: 'POST', target: '/echo', host: 'localhost:8080',
 *   headers: ['Content-Type', 'application/json'], bodyLength: 2 });
 * socket.write(head + '{}', 'latin1');
 * ```
 */
export function serializeRequestHead(init: RequestHeadInit): string {
  let head = requestLine(init.method, init.target);
  const { host, rest } = splitHost(init.headers, init.host);
  head += serializeFields(['Host', host], false);
  if (!allIn(HOST, Buffer.from(host, 'latin1'), 0, host.length))
    throw invalidHost(`Host "${host}" is not an authority`);
  head += serializeFields(rest, false);
  head += framingField(init.bodyLength);
  if (init.upgrade !== undefined) head += serializeFields(['Upgrade', init.upgrade], false);
  return head + connectionField(init.keepAlive !== false, init.upgrade !== undefined) + '\r\n';
}

function requestLine(method: string, target: string): string {
  if (!VISIBLE.test(method))
    throw new ProtocolError('WK_ERR_HTTP_INVALID_REQUEST_LINE', 500, `method ${JSON.stringify(method)}`);
  if (!VISIBLE.test(target))
    throw new ProtocolError('WK_ERR_HTTP_INVALID_TARGET', 500, `target ${JSON.stringify(target)}`);
  const line = `${method} ${target} HTTP/1.1`;
  try {
    parseRequestLine(Buffer.from(line, 'latin1'), 0, line.length);
  } catch (error) {
    // The parser's statuses are what a server answers; here the fault is ours, as in serializeResponseHead.
    if (error instanceof ProtocolError) throw new ProtocolError(error.code, 500, error.message);
    throw error;
  }
  return `${line}\r\n`;
}

/** Takes the one Host field out of `headers` (it goes first), or uses `fallback`. */
function splitHost(headers: readonly string[], fallback: string | undefined): { host: string; rest: string[] } {
  const rest: string[] = [];
  let host: string | undefined;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    const value = headers[i + 1] as string;
    if (name.length !== 4 || name.toLowerCase() !== 'host') rest.push(name, value);
    else if (host === undefined) host = value;
    else throw invalidHost('two Host fields');
  }
  host ??= fallback;
  if (host === undefined) throw invalidHost('no Host field and no host given');
  return { host, rest };
}

function framingField(bodyLength: BodyLength): string {
  if (bodyLength === 'none') return '';
  if (bodyLength === 'chunked') return 'Transfer-Encoding: chunked\r\n';
  if (!Number.isSafeInteger(bodyLength) || bodyLength < 0) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `bodyLength must be a byte count, got ${String(bodyLength)}`);
  }
  return `Content-Length: ${bodyLength}\r\n`;
}

function connectionField(keepAlive: boolean, upgrade: boolean): string {
  if (upgrade) return keepAlive ? 'Connection: upgrade\r\n' : 'Connection: upgrade, close\r\n';
  return keepAlive ? '' : 'Connection: close\r\n';
}

function invalidHost(message: string): ProtocolError {
  return new ProtocolError('WK_ERR_HTTP_INVALID_HOST', 500, message);
}
