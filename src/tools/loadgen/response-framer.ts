/**
 * `ResponseFramer`: finds where each HTTP/1.1 response ends and what its status is, for a load
 * generator that counts responses and never reads them.
 *
 * Why not the codec's `ResponseParser`: that parser validates every field and decodes it into a
 * string for a client that reads them. A load generator needs three facts from a head (status,
 * framing, whether the connection stays open); measured against a one-core server, decoding every
 * field cost about a fifth of the generator's CPU per request (see docs/benchmarks.md). So this
 * framer reads those facts from the bytes and skips the rest; chunked bodies still go through the
 * codec's `BodyDecoder`, the one chunked decoder of the project.
 *
 * Framing follows RFC 9112 §6.3: no body for HEAD, 1xx, 204 and 304; Transfer-Encoding ending in
 * chunked is chunked, other Transfer-Encodings and no length read until close; else Content-Length.
 * Interim 1xx responses (100 Continue) are skipped. The framer never keeps a view of its input
 * past `push` (the caller may reuse its read buffer): a head split across reads is copied.
 */
import { ProtocolError } from '../../errors.js';
import { BodyDecoder } from '../../http/codec/body-decoder.js';
import type { EventSink, MessageEvent } from '../../http/codec/events.js';
import { DEFAULT_LIMITS } from '../../http/codec/limits.js';
import { Fifo } from '../../util/fifo.js';

const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
const HTTP1 = Buffer.from('HTTP/1.', 'latin1');
const CR = 13;
const LF = 10;
const SP = 32;
const HTAB = 9;

/** Lower-cased field names the framer looks at, as byte codes. */
const CONTENT_LENGTH = bytesOf('content-length');
const TRANSFER_ENCODING = bytesOf('transfer-encoding');
const CONNECTION = bytesOf('connection');
const CLOSE = bytesOf('close');
const KEEP_ALIVE = bytesOf('keep-alive');

/** Where the framer is: between or inside heads, in a length-delimited body, a decoded body, or dead. */
type State = 'head' | 'length' | 'decoded' | 'until-close' | 'dead';

/**
 * Told about every complete response.
 *
 * @example
 * ```ts
 * const framer = new ResponseFramer((status, keepAlive) => count(status, keepAlive));
 * ```
 */
export type OnResponse = (status: number, keepAlive: boolean) => void;

/**
 * Frames HTTP/1.1 responses for a load generator (see the file comment).
 *
 * @example
 * ```ts
 * const framer = new ResponseFramer((status) => statuses.push(status));
 * framer.expect(false);
 * const error = framer.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi'));
 * ```
 */
export class ResponseFramer {
  readonly #onResponse: OnResponse;
  readonly #maxHeadBytes: number;
  readonly #noBody = new Fifo<boolean>();
  readonly #decoder = new BodyDecoder(DEFAULT_LIMITS);
  readonly #ended: EndSink = new EndSink();
  #state: State = 'head';
  #carry: Buffer | undefined;
  #remaining = 0;
  #status = 0;
  #keepAlive = true;

  constructor(onResponse: OnResponse, maxHeadBytes: number = DEFAULT_LIMITS.maxHeadBytes) {
    this.#onResponse = onResponse;
    this.#maxHeadBytes = maxHeadBytes;
  }

  /** Records one request sent, in order; `noBody` for HEAD. */
  expect(noBody: boolean): void {
    this.#noBody.push(noBody);
  }

  /** Requests sent whose response has not ended. */
  get pending(): number {
    return this.#noBody.length;
  }

  /** True once bytes of the current response's body have been framed (the error phase is then "body"). */
  get inBody(): boolean {
    return this.#state === 'length' || this.#state === 'decoded' || this.#state === 'until-close';
  }

  /**
   * Frames `chunk`, calling back for every response it completes. Returns the error that makes the
   * connection unusable (the framer is then dead), or undefined.
   */
  push(chunk: Buffer): ProtocolError | undefined {
    try {
      let pos = 0;
      while (pos < chunk.length) {
        switch (this.#state) {
          case 'head':
            pos = this.#head(chunk, pos);
            break;
          case 'length': {
            const take = Math.min(this.#remaining, chunk.length - pos);
            this.#remaining -= take;
            pos += take;
            if (this.#remaining === 0) this.#end();
            break;
          }
          case 'decoded':
            pos = this.#decoder.decode(chunk, pos, this.#ended);
            if (this.#decoder.done) this.#end();
            break;
          case 'until-close':
            return undefined;
          case 'dead':
            return undefined;
        }
      }
      return undefined;
    } catch (error) {
      this.#state = 'dead';
      if (error instanceof ProtocolError) return error;
      throw error;
    }
  }

  /**
   * The server closed the connection: ends a close-delimited body; a response cut short is an
   * error (`WK_ERR_UNEXPECTED_EOF`). Requests with no response begun are the caller's to count.
   */
  finish(): ProtocolError | undefined {
    if (this.#state === 'until-close') {
      this.#keepAlive = false;
      this.#end();
      return undefined;
    }
    if (this.inBody || (this.#state === 'head' && this.#carry !== undefined)) {
      this.#state = 'dead';
      return new ProtocolError('WK_ERR_UNEXPECTED_EOF', 502, 'the server closed the connection inside a response');
    }
    return undefined;
  }

  /** Frames a head starting at `chunk[pos]` (or continuing the carried bytes); returns where it ended. */
  #head(chunk: Buffer, pos: number): number {
    if (this.#noBody.length === 0) {
      throw new ProtocolError('WK_ERR_HTTP_UNSOLICITED_RESPONSE', 502, 'bytes arrived with no request pending');
    }
    const carried = this.#carry?.length ?? 0;
    const buf = this.#carry === undefined ? chunk : Buffer.concat([this.#carry, chunk.subarray(pos)]);
    const start = this.#carry === undefined ? pos : 0;
    this.#carry = undefined;
    const end = buf.indexOf(CRLFCRLF, start);
    const size = end === -1 ? buf.length - start : end + 4 - start;
    if (size > this.#maxHeadBytes) {
      throw new ProtocolError(
        'WK_ERR_RESPONSE_HEAD_TOO_LARGE',
        502,
        `a response head is larger than ${this.#maxHeadBytes} bytes`,
      );
    }
    if (end === -1) {
      this.#carry = Buffer.from(buf.subarray(start));
      return chunk.length;
    }
    this.#parseHead(buf, start, end);
    // With carried bytes, `buf` is those bytes then `chunk` from `pos`.
    return buf === chunk ? end + 4 : pos + end + 4 - carried;
  }

  /** Reads the status and framing of the head `buf[start, end)` (its final CRLF CRLF excluded). */
  #parseHead(buf: Buffer, start: number, end: number): void {
    if (end - start < 12 || buf.compare(HTTP1, 0, 7, start, start + 7) !== 0) throw badStatusLine();
    const minor = buf[start + 7];
    const status = digit(buf, start + 9) * 100 + digit(buf, start + 10) * 10 + digit(buf, start + 11);
    const after = start + 12 < end ? buf[start + 12] : CR;
    if (
      (minor !== 0x30 && minor !== 0x31) ||
      buf[start + 8] !== SP ||
      (after !== SP && after !== CR) ||
      !(status >= 100)
    ) {
      throw badStatusLine();
    }
    const fields = readFields(buf, start, end, minor === 0x31);
    if (status < 200) {
      // RFC 9110 §15.2: an interim response is complete at its head; the final one follows.
      if (status === 101)
        throw new ProtocolError(
          'WK_ERR_HTTP_UNSOLICITED_RESPONSE',
          502,
          'a 101 to a request that asked for no upgrade',
        );
      return;
    }
    this.#status = status;
    this.#keepAlive = fields.keepAlive;
    const noBody = this.#noBody.at(0) === true || status === 204 || status === 304;
    if (noBody) this.#end();
    else if (fields.chunked) {
      this.#decoder.start('chunked', 0);
      this.#state = 'decoded';
    } else if (fields.transferEncoding || fields.contentLength < 0) this.#state = 'until-close';
    else if (fields.contentLength === 0) this.#end();
    else {
      this.#remaining = fields.contentLength;
      this.#state = 'length';
    }
  }

  #end(): void {
    this.#noBody.shift();
    this.#state = this.#keepAlive ? 'head' : 'dead';
    this.#onResponse(this.#status, this.#keepAlive);
  }
}

/** What a head's fields say about framing and the connection. */
interface FieldFacts {
  /** -1 when absent. */
  contentLength: number;
  transferEncoding: boolean;
  chunked: boolean;
  /** `Connection: close` was seen. */
  close: boolean;
  /** `Connection: keep-alive` was seen (what keeps an HTTP/1.0 connection open). */
  keepAliveToken: boolean;
  keepAlive: boolean;
}

/** Scans the field lines of a head for Content-Length, Transfer-Encoding and Connection. */
function readFields(buf: Buffer, start: number, end: number, http11: boolean): FieldFacts {
  const facts: FieldFacts = {
    contentLength: -1,
    transferEncoding: false,
    chunked: false,
    close: false,
    keepAliveToken: false,
    keepAlive: http11,
  };
  let line = buf.indexOf(LF, start) + 1;
  while (line > 0 && line < end) {
    let lineEnd = buf.indexOf(LF, line);
    if (lineEnd === -1 || lineEnd > end) lineEnd = end;
    const valueEnd = buf[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    const first = (buf[line] as number) | 0x20;
    if (first === 0x63 /* c */) {
      if (nameIs(buf, line, CONTENT_LENGTH))
        setLength(facts, parseLength(buf, line + CONTENT_LENGTH.length + 1, valueEnd));
      else if (nameIs(buf, line, CONNECTION)) noteConnection(facts, buf, line + CONNECTION.length + 1, valueEnd);
    } else if (first === 0x74 /* t */ && nameIs(buf, line, TRANSFER_ENCODING)) {
      facts.transferEncoding = true;
      facts.chunked = /(?:^|,)[ \t]*chunked$/.test(value(buf, line + TRANSFER_ENCODING.length + 1, valueEnd));
    }
    line = lineEnd + 1;
  }
  facts.keepAlive = !facts.close && (http11 || facts.keepAliveToken);
  return facts;
}

/** True when the field line at `pos` has the lower-cased `name` followed by a colon. */
function nameIs(buf: Buffer, pos: number, name: Uint8Array): boolean {
  return buf[pos + name.length] === 0x3a && lowerEquals(buf, pos, name);
}

/** True when `buf` at `pos` holds `lower`, ignoring ASCII case. */
function lowerEquals(buf: Buffer, pos: number, lower: Uint8Array): boolean {
  for (let i = 0; i < lower.length; i++) if (((buf[pos + i] as number) | 0x20) !== lower[i]) return false;
  return true;
}

function parseLength(buf: Buffer, from: number, to: number): number {
  let i = skipOws(buf, from, to);
  let j = to;
  while (j > i && (buf[j - 1] === SP || buf[j - 1] === HTAB)) j--;
  if (i === j || j - i > 15) throw badLength();
  let n = 0;
  for (; i < j; i++) {
    const d = (buf[i] as number) - 0x30;
    if (d < 0 || d > 9) throw badLength();
    n = n * 10 + d;
  }
  return n;
}

/** RFC 9112 §6.3: two different Content-Lengths make the framing unknowable. */
function setLength(facts: FieldFacts, length: number): void {
  if (facts.contentLength !== -1 && facts.contentLength !== length) throw badLength();
  facts.contentLength = length;
}

/** RFC 9112 §9.3: `close` ends the connection after this response; HTTP/1.0 needs `keep-alive` to keep it. */
function noteConnection(facts: FieldFacts, buf: Buffer, from: number, to: number): void {
  const start = skipOws(buf, from, to);
  let end = to;
  while (end > start && (buf[end - 1] === SP || buf[end - 1] === HTAB)) end--;
  // The common single tokens without making a string.
  if (end - start === CLOSE.length && lowerEquals(buf, start, CLOSE)) facts.close = true;
  else if (end - start === KEEP_ALIVE.length && lowerEquals(buf, start, KEEP_ALIVE)) facts.keepAliveToken = true;
  else noteTokens(facts, value(buf, start, end));
}

function noteTokens(facts: FieldFacts, text: string): void {
  for (const token of text.split(',')) {
    const t = token.trim();
    if (t === 'close') facts.close = true;
    else if (t === 'keep-alive') facts.keepAliveToken = true;
  }
}

function value(buf: Buffer, from: number, to: number): string {
  return buf
    .toString('latin1', skipOws(buf, from, to), to)
    .trimEnd()
    .toLowerCase();
}

function skipOws(buf: Buffer, from: number, to: number): number {
  let i = from;
  while (i < to && (buf[i] === SP || buf[i] === HTAB)) i++;
  return i;
}

function digit(buf: Buffer, at: number): number {
  const d = (buf[at] ?? 0) - 0x30;
  return d >= 0 && d <= 9 ? d : Number.NaN;
}

function bytesOf(name: string): Uint8Array {
  return Uint8Array.from(name, (c) => c.charCodeAt(0));
}

function badStatusLine(): ProtocolError {
  return new ProtocolError(
    'WK_ERR_HTTP_INVALID_STATUS_LINE',
    502,
    'a response does not start with a valid status line',
  );
}

function badLength(): ProtocolError {
  return new ProtocolError(
    'WK_ERR_HTTP_INVALID_FRAMING',
    502,
    'a response has an invalid or conflicting Content-Length',
  );
}

/** Swallows the body events of the decoder; only the end matters. */
class EndSink implements EventSink {
  push(_event: MessageEvent): number {
    return 0;
  }
}
