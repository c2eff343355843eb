import { ProtocolError } from '../../errors.js';
import { assertNever } from '../../util/assert-never.js';
import { CR, HEX, HTAB, isOws, LF, PENDING_CR, SEMICOLON } from './chars.js';
import { skipChunkExtensions } from './chunk-extensions.js';
import { END, type EventSink } from './events.js';
import { parseFieldLine, scanFieldLine } from './fields.js';
import type { ParserLimits } from './limits.js';
import { LINE_BARE_LF, LINE_INCOMPLETE, LineReader } from './line-reader.js';

/** How a message body is delimited (RFC 9112 §6.3). */
export type Framing = 'none' | 'length' | 'chunked' | 'close';

type State = 'length' | 'close' | 'size' | 'data' | 'data-cr' | 'data-lf' | 'trailers' | 'done';

/** Hex digits a chunk size may have: 13 keeps every size below 2^52, inside a double's exact range. */
const MAX_CHUNK_SIZE_DIGITS = 13;

/**
 * Decodes one message body, length-delimited, chunked (with trailers) or close-delimited, pushing
 * body, trailers and end events. Body bytes are views of the input. Shared by the request and
 * response parsers so both frame bodies the same way.
 */
export class BodyDecoder {
  readonly #limits: ParserLimits;
  readonly #lines = new LineReader();
  #state: State = 'done';
  #remaining = 0;
  #total = 0;
  #trailers: string[] = [];
  #trailerBytes = 0;
  /** How far the scan of an unfinished chunk-size or trailer line got (scanChunkSizeLine, scanFieldLine). */
  #scan = 0;

  constructor(limits: ParserLimits) {
    this.#limits = limits;
  }

  /** True once the body has ended (or before any body was started). */
  get done(): boolean {
    return this.#state === 'done';
  }

  /** True while a close-delimited body is being read: only the end of input ends it. */
  get untilClose(): boolean {
    return this.#state === 'close';
  }

  /** Starts a body of the given framing; `length` is the Content-Length for `'length'`. */
  start(framing: Framing, length: number): void {
    this.#total = 0;
    this.#lines.reset();
    this.#scan = 0;
    switch (framing) {
      case 'none':
        this.#state = 'done';
        return;
      case 'length':
        this.#state = length === 0 ? 'done' : 'length';
        this.#remaining = length;
        return;
      case 'chunked':
        this.#state = 'size';
        return;
      case 'close':
        this.#state = 'close';
        return;
      default:
        assertNever(framing);
    }
  }

  /** Starts a body as `start` does; when there is none, pushes `end` and returns true (the message is complete). */
  begin(framing: Framing, length: number, events: EventSink): boolean {
    this.start(framing, length);
    if (!this.done) return false;
    events.push(END);
    return true;
  }

  /**
   * Decodes from `chunk[pos]` and returns the position after the body's last byte, or
   * `chunk.length` when the body continues in the next chunk. Throws ProtocolError on bad framing.
   */
  decode(chunk: Buffer, pos: number, events: EventSink): number {
    while (pos < chunk.length && this.#state !== 'done') pos = this.#step(chunk, pos, events);
    return pos;
  }

  /** The input ended: completes a close-delimited body, or throws when the body was cut short. */
  finish(events: EventSink): void {
    if (this.#state === 'close') {
      this.#state = 'done';
      events.push(END);
    } else if (this.#state !== 'done') {
      throw new ProtocolError('WK_ERR_UNEXPECTED_EOF', 400, 'the input ended inside a message body');
    }
  }

  #step(chunk: Buffer, pos: number, events: EventSink): number {
    switch (this.#state) {
      case 'length':
        return this.#data(chunk, pos, events, 'done');
      case 'close':
        return this.#data(chunk, pos, events, 'close');
      case 'data':
        return this.#data(chunk, pos, events, 'data-cr');
      case 'size':
        return this.#sizeLine(chunk, pos);
      case 'data-cr':
        return this.#expect(chunk, pos, CR, 'data-lf');
      case 'data-lf':
        return this.#expect(chunk, pos, LF, 'size');
      case 'trailers':
        return this.#trailerLine(chunk, pos, events);
      case 'done':
        return pos;
      default:
        return assertNever(this.#state);
    }
  }

  #data(chunk: Buffer, pos: number, events: EventSink, next: State): number {
    const available = chunk.length - pos;
    const take = this.#state === 'close' ? available : Math.min(available, this.#remaining);
    this.#count(take);
    events.push({ type: 'body', data: chunk.subarray(pos, pos + take) });
    this.#remaining -= take;
    if (this.#remaining === 0 && this.#state !== 'close') {
      this.#state = next;
      if (next === 'done') events.push(END);
    }
    return pos + take;
  }

  #count(bytes: number): void {
    this.#total += bytes;
    if (this.#total > this.#limits.maxBodyBytes) {
      throw new ProtocolError('WK_ERR_HTTP_BODY_TOO_LARGE', 413, `body larger than ${this.#limits.maxBodyBytes} bytes`);
    }
  }

  #expect(chunk: Buffer, pos: number, byte: number, next: State): number {
    if (chunk[pos] !== byte) throw invalidChunk('chunk data not followed by CRLF');
    this.#state = next;
    return pos + 1;
  }

  #sizeLine(chunk: Buffer, pos: number): number {
    const max = MAX_CHUNK_SIZE_DIGITS + this.#limits.maxChunkExtensionBytes;
    const next = this.#lines.next(chunk, pos, max);
    if (next === LINE_INCOMPLETE) {
      this.#scan = scanChunkSizeLine(this.#scan, chunk, pos, chunk.length);
      return chunk.length;
    }
    if (next === LINE_BARE_LF) throw invalidChunk('chunk-size line ends in a bare LF');
    if (next < 0) throw extensionTooLarge(this.#limits.maxChunkExtensionBytes);
    this.#scan = 0;
    const { buf, start, end } = this.#lines;
    let size = 0;
    let i = start;
    for (; i < end && HEX[buf[i] as number] !== 255; i++) size = size * 16 + (HEX[buf[i] as number] as number);
    if (i === start) throw invalidChunk('chunk size is not a hex number');
    if (i - start > MAX_CHUNK_SIZE_DIGITS) throw invalidChunk('chunk size overflows');
    if (end - i > this.#limits.maxChunkExtensionBytes) throw extensionTooLarge(this.#limits.maxChunkExtensionBytes);
    if (i < end && skipChunkExtensions(buf, i, end) !== end) throw invalidChunk('malformed chunk extension');
    if (size === 0) {
      this.#state = 'trailers';
      this.#trailers = [];
      this.#trailerBytes = 0;
    } else {
      // Refuse an oversized body from its announced size, before its bytes arrive.
      if (this.#total + size > this.#limits.maxBodyBytes) this.#count(size);
      this.#remaining = size;
      this.#state = 'data';
    }
    return next;
  }

  #trailerLine(chunk: Buffer, pos: number, events: EventSink): number {
    const budget = this.#limits.maxHeadBytes - this.#trailerBytes;
    const next = this.#lines.next(chunk, pos, budget);
    if (next === LINE_INCOMPLETE) {
      this.#scanTrailerLine(chunk, pos);
      return chunk.length;
    }
    if (next === LINE_BARE_LF) throw new ProtocolError('WK_ERR_HTTP_INVALID_LINE_ENDING', 400, 'bare LF in trailers');
    if (next < 0) throw trailersTooLarge('trailer section larger than maxHeadBytes');
    this.#scan = 0;
    const { buf, start, end } = this.#lines;
    this.#trailerBytes += end - start + 2;
    if (start === end) {
      if (this.#trailers.length > 0) events.push({ type: 'trailers', trailers: this.#trailers });
      this.#state = 'done';
      events.push(END);
      return next;
    }
    if (this.#trailers.length >= this.#limits.maxHeaderCount * 2) throw trailersTooLarge('too many trailer fields');
    parseFieldLine(buf, start, end, this.#trailers);
    return next;
  }

  /** An unfinished trailer line: refused as soon as it is certainly malformed or one field too many. */
  #scanTrailerLine(chunk: Buffer, pos: number): void {
    if (pos >= chunk.length) return;
    const fieldBegins = this.#scan === 0 && chunk[pos] !== CR;
    if (fieldBegins && this.#trailers.length >= this.#limits.maxHeaderCount * 2) {
      throw trailersTooLarge('too many trailer fields');
    }
    this.#scan = scanFieldLine(this.#scan, chunk, pos, chunk.length);
  }
}

/** Scan state after the hex digits of a chunk size: in the extensions. */
const IN_EXTENSIONS = MAX_CHUNK_SIZE_DIGITS + 1;

/**
 * Checks the bytes `buf[start, end)` of a chunk-size line that has not ended, from `state` (the hex
 * digits seen so far, or IN_EXTENSIONS), and throws as soon as the line is certainly malformed: no
 * hex digit first, too many digits, a byte after them that cannot start an extension, a control
 * character in the extensions, a CR not followed by LF. The extensions' grammar is checked when the
 * line ends (they are at most `maxChunkExtensionBytes`).
 */
function scanChunkSizeLine(state: number, buf: Buffer, start: number, end: number): number {
  let digits = state & ~PENDING_CR;
  // A CR that ended the bytes before is judged first, as the byte it is (see PENDING_CR).
  for (let i = (state & PENDING_CR) === 0 ? start : start - 1; i < end; i++) {
    const byte = i < start ? CR : (buf[i] as number);
    if (digits < IN_EXTENSIONS && HEX[byte] !== 255) {
      if (digits === MAX_CHUNK_SIZE_DIGITS) throw invalidChunk('chunk size overflows');
      digits++;
      continue;
    }
    if (digits === 0) throw invalidChunk('chunk size is not a hex number');
    if (byte === CR && i === end - 1) return digits | PENDING_CR;
    if (digits < IN_EXTENSIONS) {
      if (byte !== SEMICOLON && !isOws(byte)) throw invalidChunk('malformed chunk extension');
      digits = IN_EXTENSIONS;
    } else if ((byte < 0x20 && byte !== HTAB) || byte === 0x7f) {
      throw invalidChunk('malformed chunk extension');
    }
  }
  return digits;
}

function invalidChunk(message: string): ProtocolError {
  return new ProtocolError('WK_ERR_HTTP_INVALID_CHUNK', 400, message);
}

function extensionTooLarge(limit: number): ProtocolError {
  return new ProtocolError('WK_ERR_HTTP_BODY_TOO_LARGE', 413, `chunk extensions larger than ${limit} bytes`);
}

function trailersTooLarge(message: string): ProtocolError {
  return new ProtocolError('WK_ERR_HTTP_HEADERS_TOO_LARGE', 431, message);
}
