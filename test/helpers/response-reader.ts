/**
 * A tiny, lenient HTTP/1.x response reader for server tests: status line, headers, and a body framed
 * by Content-Length, chunked (with trailers) or the close. Deliberately independent of our own codec,
 * so a codec bug cannot hide a server bug. Interim 1xx responses (other than 101) are returned with
 * `interim: true` and do not count as the answer to a request.
 */

export interface RawResponse {
  version: string;
  status: number;
  reason: string;
  /** Fields as received, in order. */
  headers: [string, string][];
  body: Buffer;
  trailers: [string, string][];
  /** A 1xx other than 101: it does not answer the request. */
  interim: boolean;
  /** The body was framed by chunked transfer-coding. */
  chunked: boolean;
  /** The raw bytes of the head (status line to the empty line). */
  head: string;
}

/** The value of the first field named `name` (case-insensitive), or undefined. */
export function header(response: RawResponse, name: string): string | undefined {
  const lower = name.toLowerCase();
  return response.headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

/** Whether the response says `Connection: close`. */
export function saysClose(response: RawResponse): boolean {
  return (header(response, 'connection') ?? '')
    .toLowerCase()
    .split(/\s*,\s*/)
    .includes('close');
}

/** The body as UTF-8 text. */
export function bodyText(response: RawResponse): string {
  return response.body.toString('utf8');
}

export interface ReadResult {
  responses: RawResponse[];
  /** Bytes of `buf` consumed by the complete responses. */
  consumed: number;
  /** Set when the bytes are not a response at all. */
  error: string | undefined;
}

export interface ReadOptions {
  /** The peer closed: a close-delimited body ends here. */
  eof?: boolean;
  /** Whether the `index`-th final response (its head already read) answers HEAD: no body, whatever the fields say. */
  isHead?: (index: number, response: RawResponse) => boolean;
  /** Final responses already read before `buf` (so `isHead` indexes stay right). */
  finalsBefore?: number;
}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');

/** Reads every complete response at the start of `buf`. */
export function readResponses(buf: Buffer, options: ReadOptions = {}): ReadResult {
  const responses: RawResponse[] = [];
  let pos = 0;
  let finals = options.finalsBefore ?? 0;
  for (;;) {
    if (pos >= buf.length) return { responses, consumed: pos, error: undefined };
    const headEnd = buf.indexOf(HEAD_END, pos);
    if (headEnd === -1) return { responses, consumed: pos, error: undefined };
    const head = buf.toString('latin1', pos, headEnd + 4);
    const lines = head.slice(0, -4).split('\r\n');
    const match = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
    if (match === null) return { responses, consumed: pos, error: `not a status line: ${JSON.stringify(lines[0])}` };
    const status = Number(match[2]);
    const headers: [string, string][] = [];
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) return { responses, consumed: pos, error: `bad field line ${JSON.stringify(line)}` };
      headers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
    }
    const response: RawResponse = {
      version: match[1] as string,
      status,
      reason: match[3] ?? '',
      headers,
      body: Buffer.alloc(0),
      trailers: [],
      interim: status >= 100 && status < 200 && status !== 101,
      chunked: false,
      head,
    };
    const bodyStart = headEnd + 4;
    const noBody =
      status < 200 ||
      status === 204 ||
      status === 304 ||
      (options.isHead?.(finals, response) ?? false) ||
      status === 101;
    let end: number;
    if (noBody) {
      end = bodyStart;
    } else if (/chunked/i.test(header(response, 'transfer-encoding') ?? '')) {
      response.chunked = true;
      const decoded = readChunked(buf, bodyStart, response);
      if (decoded === undefined) return { responses, consumed: pos, error: undefined };
      if (typeof decoded === 'string') return { responses, consumed: pos, error: decoded };
      end = decoded;
    } else if (header(response, 'content-length') !== undefined) {
      const length = Number(header(response, 'content-length'));
      if (buf.length < bodyStart + length) return { responses, consumed: pos, error: undefined };
      end = bodyStart + length;
      response.body = Buffer.from(buf.subarray(bodyStart, end));
    } else {
      if (!options.eof) return { responses, consumed: pos, error: undefined };
      end = buf.length;
      response.body = Buffer.from(buf.subarray(bodyStart, end));
    }
    responses.push(response);
    if (!response.interim) finals++;
    pos = end;
  }
}

/** Decodes a chunked body from `pos`: the position after it, undefined if incomplete, or an error. */
function readChunked(buf: Buffer, pos: number, response: RawResponse): number | string | undefined {
  const parts: Buffer[] = [];
  for (;;) {
    const lineEnd = buf.indexOf(CRLF, pos);
    if (lineEnd === -1) return undefined;
    const sizeText = buf.toString('latin1', pos, lineEnd).split(';')[0]?.trim() ?? '';
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) return `bad chunk size ${JSON.stringify(sizeText)}`;
    const size = Number.parseInt(sizeText, 16);
    pos = lineEnd + 2;
    if (size === 0) {
      for (;;) {
        const end = buf.indexOf(CRLF, pos);
        if (end === -1) return undefined;
        if (end === pos) {
          response.body = Buffer.concat(parts);
          return end + 2;
        }
        const line = buf.toString('latin1', pos, end);
        const colon = line.indexOf(':');
        response.trailers.push([line.slice(0, colon), line.slice(colon + 1).trim()]);
        pos = end + 2;
      }
    }
    if (buf.length < pos + size + 2) return undefined;
    parts.push(buf.subarray(pos, pos + size));
    if (buf[pos + size] !== 0x0d || buf[pos + size + 1] !== 0x0a) return 'chunk data not followed by CRLF';
    pos += size + 2;
  }
}
