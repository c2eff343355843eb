/**
 * Newline-delimited framing as a pure codec: bytes in, lines out. No sockets here; see
 * `connection-io.ts` for `lines(conn)` and `writeLine(conn, text)`.
 */
import { LimitError } from '../../errors.js';
import { DelimiterSearch } from '../../util/byte-queue.js';
import { concatBytes, toBytes } from '../../util/bytes.js';
import { checkBytes } from '../options.js';
import { FrameSplitter } from './splitter.js';

/**
 * Default {@link LineOptions.maxLineBytes}: 64 KiB.
 *
 * @example
 * ```ts
 * lines(conn, { maxLineBytes: DEFAULT_MAX_LINE_BYTES * 2 });
 * ```
 */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

/**
 * Options of the line codec.
 *
 * @example
 * ```ts
 * new LineDecoder({ maxLineBytes: 1024, delimiter: '\r\n', stripCR: false });
 * ```
 */
export interface LineOptions {
  /** Most bytes in one line (before the delimiter). Default 64 KiB; more → `WK_ERR_FRAME_TOO_LARGE`. */
  maxLineBytes?: number;
  /** What ends a line. Default `'\n'`. */
  delimiter?: string | Uint8Array;
  /** Drop one `'\r'` at the end of each line, so CRLF input gives the same lines. Default true. */
  stripCR?: boolean;
}

const CR = 0x0d;
const utf8 = new TextDecoder();

/**
 * Removes a trailing CR when asked.
 *
 * @example
 * ```ts
 * stripLineEnd(bytesOf('ok\r'), true); // bytes of 'ok'
 * ```
 */
export function stripLineEnd(line: Uint8Array, stripCR: boolean): Uint8Array {
  return stripCR && line[line.byteLength - 1] === CR ? line.subarray(0, -1) : line;
}

/**
 * Decodes a line's bytes as UTF-8 (invalid sequences become U+FFFD).
 *
 * @example
 * ```ts
 * decodeLine(Uint8Array.of(104, 105)); // 'hi'
 * ```
 */
export function decodeLine(line: Uint8Array): string {
  return utf8.decode(line);
}

/**
 * The error for a line over `maxLineBytes`.
 *
 * @example
 * ```ts
 * if (length > maxLineBytes) throw lineTooLarge(maxLineBytes);
 * ```
 */
export function lineTooLarge(maxLineBytes: number, cause?: unknown): LimitError {
  return new LimitError('WK_ERR_FRAME_TOO_LARGE', `a line is longer than maxLineBytes (${maxLineBytes})`, { cause });
}

/**
 * Splits a byte stream into lines, as bytes. Memory is bounded by `maxLineBytes`: the moment more
 * bytes than that arrive without a delimiter, it throws `WK_ERR_FRAME_TOO_LARGE` (lines completed
 * earlier in the same `push` are returned first; the next call throws) and stays failed.
 * Returned lines may share memory with the pushed chunks.
 *
 * @example
 * ```ts
 * const decoder = new RawLineDecoder({ maxLineBytes: 1024 });
 * decoder.push(bytes); // Uint8Array[] of complete lines, without their delimiters
 * ```
 */
export class RawLineDecoder extends FrameSplitter {
  readonly #search: DelimiterSearch;
  readonly #stripCR: boolean;

  constructor(options: LineOptions = {}) {
    super();
    checkBytes('maxLineBytes', options.maxLineBytes, 0);
    const delimiter = toBytes(options.delimiter ?? '\n');
    this.#search = new DelimiterSearch(delimiter, options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES);
    this.#stripCR = options.stripCR ?? true;
  }

  /** The input ended: returns the last line if it had no delimiter, else undefined. */
  end(): Uint8Array | undefined {
    this.throwIfFailed();
    if (this.queue.length === 0) return undefined;
    return stripLineEnd(this.queue.takeAll(), this.#stripCR);
  }

  protected split(out: Uint8Array[]): void {
    for (;;) {
      const at = this.#search.find(this.queue);
      if (at === 'more') return;
      if (at === 'over') throw lineTooLarge(this.#search.maxBytes);
      out.push(stripLineEnd(this.queue.take(at), this.#stripCR));
      this.queue.skip(this.#search.delimiter.byteLength);
      this.#search.reset();
    }
  }
}

/**
 * Splits a byte stream into UTF-8 lines. Same limits and behaviour as {@link RawLineDecoder}.
 *
 * @example
 * ```ts
 * const decoder = new LineDecoder();
 * decoder.push(new TextEncoder().encode('one\r\ntw')); // ['one']
 * decoder.push(new TextEncoder().encode('o\n'));       // ['two']
 * decoder.end();                                        // undefined: nothing left over
 * ```
 */
export class LineDecoder {
  readonly #raw: RawLineDecoder;

  constructor(options: LineOptions = {}) {
    this.#raw = new RawLineDecoder(options);
  }

  /** Bytes of the unfinished line held so far. */
  get bufferedBytes(): number {
    return this.#raw.bufferedBytes;
  }

  /** Adds bytes; returns the lines they complete. */
  push(bytes: Uint8Array): string[] {
    return this.#raw.push(bytes).map(decodeLine);
  }

  /** The input ended: returns the last line if it had no delimiter, else undefined. */
  end(): string | undefined {
    const last = this.#raw.end();
    return last === undefined ? undefined : decodeLine(last);
  }
}

/**
 * A line with its delimiter, as bytes.
 *
 * @example
 * ```ts
 * socket.write(encodeLine('hello')); // bytes of 'hello\n'
 * ```
 */
export function encodeLine(text: string | Uint8Array, delimiter: string | Uint8Array = '\n'): Uint8Array {
  return concatBytes([toBytes(text), toBytes(delimiter)]);
}
