import { CR, findByte, LF } from './chars.js';

/** `LineReader.next` results other than a position. */
export const LINE_INCOMPLETE = -1;
export const LINE_BARE_LF = -2;
export const LINE_TOO_LONG = -3;

const EMPTY = Buffer.alloc(0);

/**
 * Splits bytes into CRLF-terminated lines across pushes, holding at most one partial line (the
 * codec's only copy of input bytes). A line ending in LF without CR is refused: RFC 9112 §2.2 lets a
 * recipient accept bare LF, but two parsers disagreeing on line ends is how requests are smuggled.
 */
export class LineReader {
  /** After a successful `next`: the line is `buf[start, end)`, CRLF excluded. */
  buf: Buffer = EMPTY;
  start = 0;
  end = 0;
  #partial: Buffer[] = [];
  #partialBytes = 0;

  /** Bytes held from an unfinished line. */
  get pendingBytes(): number {
    return this.#partialBytes;
  }

  /**
   * Finds the line that continues at `chunk[pos]`. Returns the position just past its LF,
   * `LINE_INCOMPLETE` when the chunk ends first (the bytes are kept for the next call),
   * `LINE_BARE_LF`, or `LINE_TOO_LONG` once the line (CRLF excluded) exceeds `maxBytes`.
   */
  next(chunk: Buffer, pos: number, maxBytes: number): number {
    const lf = findByte(chunk, LF, pos);
    if (lf === -1) return this.#keep(chunk, pos, maxBytes);
    if (this.#partialBytes === 0) {
      // Too long first, as a line that arrives in pieces is judged (#keep): same answer whatever the reads.
      if (lf - pos > maxBytes + 1) return LINE_TOO_LONG;
      if (lf === pos || chunk[lf - 1] !== CR) return LINE_BARE_LF;
      if (lf - 1 - pos > maxBytes) return LINE_TOO_LONG;
      this.buf = chunk;
      this.start = pos;
      this.end = lf - 1;
      return lf + 1;
    }
    return this.#finish(chunk, pos, lf, maxBytes);
  }

  /** Forgets any partial line (after an error or when the parser is reset). */
  reset(): void {
    // Most heads arrive whole: the empty list is kept rather than made again per head.
    if (this.#partial.length > 0) this.#partial = [];
    this.#partialBytes = 0;
  }

  #keep(chunk: Buffer, pos: number, maxBytes: number): number {
    const length = chunk.length - pos;
    // A CR may still be waiting for its LF: allow one byte over the limit before refusing.
    if (this.#partialBytes + length > maxBytes + 1) return LINE_TOO_LONG;
    if (length > 0) {
      this.#partial.push(Buffer.from(chunk.subarray(pos)));
      this.#partialBytes += length;
    }
    return LINE_INCOMPLETE;
  }

  #finish(chunk: Buffer, pos: number, lf: number, maxBytes: number): number {
    this.#partial.push(chunk.subarray(pos, lf + 1));
    const line = Buffer.concat(this.#partial, this.#partialBytes + lf + 1 - pos);
    this.reset();
    if (line.length - 1 > maxBytes + 1) return LINE_TOO_LONG;
    if (line.length < 2 || line[line.length - 2] !== CR) return LINE_BARE_LF;
    if (line.length - 2 > maxBytes) return LINE_TOO_LONG;
    this.buf = line;
    this.start = 0;
    this.end = line.length - 2;
    return lf + 1;
  }
}
