import { ProtocolError } from '../../errors.js';
import { CR, isOws } from './chars.js';
import { parseFieldLine, scanFieldLine } from './fields.js';
import { HeadFacts, noteField } from './head-facts.js';
import type { ParserLimits } from './limits.js';
import { LINE_BARE_LF, LINE_INCOMPLETE, LineReader } from './line-reader.js';

/**
 * Where a message parser is: `'head'` (between or inside heads), `'body'`, `'paused'` (the connection
 * changed protocol; bytes are held), `'closed'` (no further message may follow) or `'error'` (dead).
 */
export type ParserState = 'head' | 'body' | 'paused' | 'closed' | 'error';

/** Parses a start line `buf[start, end)` (CRLF excluded), throwing ProtocolError when it is malformed. */
export type StartLineParser<Line> = (buf: Buffer, start: number, end: number) => Line;

/**
 * Checks more bytes `buf[start, end)` of a start line that has not ended, from `state` (0 at the
 * start of the line); returns the state to go on from, or throws as soon as the line is certainly
 * malformed (see `scanRequestLine`).
 */
export type StartLineScanner = (state: number, buf: Buffer, start: number, end: number) => number;

/**
 * Reads one message head (start line, field lines, empty line) across pushes, under the head limits.
 * Shared by the request and response parsers, so both refuse the same things the same way: bare LF,
 * obs-fold, oversized lines and heads, too many fields. Errors carry the request-side codes (414,
 * 431, 400); the response parser maps them to its own (see `response-errors.ts`).
 *
 * @example
 * ```ts
 * const reader = new HeadReader(resolveLimits(), parseRequestLine);
 * reader.read(Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n'), 0);
 * if (reader.complete) console.log(reader.line, reader.headers, reader.facts.hosts);
 * ```
 */
export class HeadReader<Line> {
  readonly #limits: ParserLimits;
  readonly #parseLine: StartLineParser<Line>;
  readonly #lines = new LineReader();
  /** The parsed start line once it has arrived. */
  line: Line | undefined;
  /** Fields so far, flat `[name, value, …]`. */
  headers: string[] = [];
  /** What the fields say about framing, gathered as they are parsed. */
  facts = new HeadFacts();
  readonly #scanStartLine: StartLineScanner | undefined;
  #bytes = 0;
  #complete = false;
  /** How far the scan of the unfinished line got (see scanFieldLine / StartLineScanner). */
  #scan = 0;

  constructor(limits: ParserLimits, parseLine: StartLineParser<Line>, scanStartLine?: StartLineScanner) {
    this.#limits = limits;
    this.#parseLine = parseLine;
    this.#scanStartLine = scanStartLine;
  }

  /** True when nothing of a next head has arrived (empty lines before a start line do not count). */
  get idle(): boolean {
    return this.line === undefined && this.#lines.pendingBytes === 0;
  }

  /** True once `read` has reached the head's empty line, until `next()`. */
  get complete(): boolean {
    return this.#complete;
  }

  /**
   * Reads lines from `chunk[pos]`; returns the position after the head's empty line (`complete`
   * is then true), or `chunk.length` when the head continues in the next chunk. A line that has not
   * ended is checked as far as it goes, so input that is already certainly malformed is refused at
   * once rather than when its line ends or the head timeout fires.
   */
  read(chunk: Buffer, pos: number): number {
    for (;;) {
      const startLine = this.line === undefined;
      // Refuse obs-fold at its first byte rather than waiting for the rest of a line we will refuse.
      if (!startLine && this.#lines.pendingBytes === 0 && isOws(chunk[pos])) throw obsFold();
      const max = startLine ? this.#limits.maxRequestLineBytes : this.#limits.maxHeadBytes - this.#bytes - 2;
      const next = this.#lines.next(chunk, pos, max);
      if (next === LINE_INCOMPLETE) {
        this.#scanPartial(chunk, pos, startLine);
        return chunk.length;
      }
      if (next === LINE_BARE_LF) throw bareLf();
      if (next < 0) throw startLine ? uriTooLong() : headTooLarge();
      this.#scan = 0;
      pos = next;
      const { buf, start, end } = this.#lines;
      this.#bytes += end - start + 2;
      if (this.#bytes > this.#limits.maxHeadBytes) throw headTooLarge();
      if (startLine) {
        // RFC 9112 §2.2: a server SHOULD ignore empty lines before a request line; the response
        // parser does the same before a status line (see docs/conformance.md, Responses).
        if (start !== end) this.line = this.#parseLine(buf, start, end);
      } else if (start === end) {
        this.#complete = true;
        return pos;
      } else {
        if (this.headers.length >= this.#limits.maxHeaderCount * 2) throw headTooLarge();
        noteField(this.facts, this.headers, parseFieldLine(buf, start, end, this.headers));
      }
    }
  }

  /** Checks the bytes `chunk[pos..]` that continue the unfinished line. */
  #scanPartial(chunk: Buffer, pos: number, startLine: boolean): void {
    if (pos >= chunk.length) return;
    if (startLine) {
      if (this.#scanStartLine !== undefined) this.#scan = this.#scanStartLine(this.#scan, chunk, pos, chunk.length);
      return;
    }
    // A field line has begun (anything but the CR of the empty line) with no room for another field.
    const fieldBegins = this.#scan === 0 && chunk[pos] !== CR;
    if (fieldBegins && this.headers.length >= this.#limits.maxHeaderCount * 2) throw headTooLarge();
    this.#scan = scanFieldLine(this.#scan, chunk, pos, chunk.length);
  }

  /**
   * Forgets the head just read (its arrays now belong to the head event), ready for the next one.
   * `facts` is reset in place (one object per parser, not per message): read it before calling this.
   */
  next(): void {
    this.line = undefined;
    this.headers = [];
    this.facts.reset();
    this.#bytes = 0;
    this.#complete = false;
    this.#scan = 0;
  }

  /** Forgets any partial line (after an error). */
  reset(): void {
    this.#lines.reset();
    this.#scan = 0;
  }
}

function obsFold(): ProtocolError {
  return new ProtocolError(
    'WK_ERR_HTTP_INVALID_HEADER',
    400,
    'obs-fold (a field line starting with whitespace) is not accepted',
  );
}

function bareLf(): ProtocolError {
  return new ProtocolError('WK_ERR_HTTP_INVALID_LINE_ENDING', 400, 'bare LF in the head');
}

function uriTooLong(): ProtocolError {
  return new ProtocolError('WK_ERR_HTTP_URI_TOO_LONG', 414);
}

function headTooLarge(): ProtocolError {
  return new ProtocolError('WK_ERR_HTTP_HEADERS_TOO_LARGE', 431);
}
