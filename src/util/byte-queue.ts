/**
 * A FIFO of byte chunks with exact-length takes and delimiter search across chunk boundaries.
 * Shared by the socket read buffer and the framing codecs, so both split streams the same way.
 * Imports nothing: pure data structure.
 */

import { concatBytes } from './bytes.js';
import { Fifo } from './fifo.js';

const EMPTY = new Uint8Array(0);

/**
 * Unconsumed bytes as a list of chunks. Takes that fit in the first chunk return a view (no copy);
 * takes that span chunks copy once. Chunks are never mutated, only re-sliced.
 *
 * @example
 * ```ts
 * const queue = new ByteQueue();
 * queue.push(new TextEncoder().encode('hel'));
 * queue.push(new TextEncoder().encode('lo\n'));
 * queue.indexOf(new Uint8Array([10])); // 5
 * queue.take(5); // bytes of 'hello'
 * ```
 */
export class ByteQueue {
  readonly #chunks = new Fifo<Uint8Array>();
  #length = 0;

  /** Total unconsumed bytes. */
  get length(): number {
    return this.#length;
  }

  /** Number of chunks held (for tests and diagnostics). */
  get chunkCount(): number {
    return this.#chunks.length;
  }

  /** Appends a chunk (kept by reference, not copied). Empty chunks are ignored. */
  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.byteLength;
  }

  /** Puts bytes back at the front, so the next take returns them first. */
  unshift(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.#chunks.unshift(chunk);
    this.#length += chunk.byteLength;
  }

  /** Removes and returns the first chunk as it arrived (or the rest of it), or undefined when empty. */
  shift(): Uint8Array | undefined {
    const chunk = this.#chunks.shift();
    if (chunk !== undefined) this.#length -= chunk.byteLength;
    return chunk;
  }

  /** Removes and returns exactly `n` bytes (`n` must be ≤ `length`). */
  take(n: number): Uint8Array {
    if (n > this.#length) throw new RangeError(`take(${n}) with only ${this.#length} bytes queued`);
    if (n === 0) return EMPTY;
    const first = this.#chunks.at(0) as Uint8Array;
    if (first.byteLength >= n) return this.#takeFromFirst(first, n);
    const parts: Uint8Array[] = [];
    let missing = n;
    while (missing > 0) {
      const chunk = this.#chunks.at(0) as Uint8Array;
      const part = this.#takeFromFirst(chunk, Math.min(chunk.byteLength, missing));
      parts.push(part);
      missing -= part.byteLength;
    }
    return concatBytes(parts, n);
  }

  /** Discards `n` bytes from the front (`n` must be ≤ `length`). */
  skip(n: number): void {
    let missing = n;
    while (missing > 0) {
      const chunk = this.#chunks.at(0) as Uint8Array;
      missing -= this.#takeFromFirst(chunk, Math.min(chunk.byteLength, missing)).byteLength;
    }
  }

  /** Removes and returns everything queued as one array. */
  takeAll(): Uint8Array {
    return this.take(this.#length);
  }

  /** Drops everything. */
  clear(): void {
    this.#chunks.clear();
    this.#length = 0;
  }

  /**
   * Position of the first occurrence of `needle` at or after `fromIndex`, or -1.
   * Matches may span chunk boundaries. Cost is linear in the bytes scanned times the needle length.
   */
  indexOf(needle: Uint8Array, fromIndex = 0): number {
    const first = needle[0];
    if (first === undefined) return Math.min(fromIndex, this.#length);
    let base = 0;
    for (let i = 0; i < this.#chunks.length; i++) {
      const chunk = this.#chunks.at(i) as Uint8Array;
      let at = chunk.indexOf(first, Math.max(0, fromIndex - base));
      while (at !== -1) {
        if (this.#matchesAt(i, at, needle)) return base + at;
        at = chunk.indexOf(first, at + 1);
      }
      base += chunk.byteLength;
    }
    return -1;
  }

  /** Whether `needle` starts at `offset` of chunk `index` (its first byte already matched). */
  #matchesAt(index: number, offset: number, needle: Uint8Array): boolean {
    let chunkIndex = index;
    let chunk = this.#chunks.at(index) as Uint8Array;
    let at = offset;
    for (let j = 1; j < needle.byteLength; j++) {
      if (++at === chunk.byteLength) {
        const next = this.#chunks.at(++chunkIndex);
        if (next === undefined) return false;
        chunk = next;
        at = 0;
      }
      if (chunk[at] !== needle[j]) return false;
    }
    return true;
  }

  #takeFromFirst(first: Uint8Array, n: number): Uint8Array {
    this.#length -= n;
    if (n === first.byteLength) {
      this.#chunks.shift();
      return first;
    }
    this.#chunks.replaceFirst(first.subarray(n));
    return first.subarray(0, n);
  }
}

/**
 * Result of {@link DelimiterSearch.find}: an index, `'more'` (need more bytes) or `'over'` (limit hit).
 *
 * @example
 * ```ts
 * const at: DelimiterResult = search.find(queue); // 12, 'more' or 'over'
 * ```
 */
export type DelimiterResult = number | 'more' | 'over';

/**
 * Finds a delimiter in a {@link ByteQueue} that keeps growing, without rescanning bytes already
 * searched, and enforces a limit on the bytes before the delimiter. One search per pending read or
 * per line; `reset()` after consuming.
 *
 * @example
 * ```ts
 * const search = new DelimiterSearch(new Uint8Array([13, 10]), 8192);
 * const at = search.find(queue); // index of '\r\n', 'more' or 'over'
 * if (typeof at === 'number') { const line = queue.take(at); queue.skip(2); search.reset(); }
 * ```
 */
export class DelimiterSearch {
  readonly delimiter: Uint8Array;
  readonly maxBytes: number;
  #from = 0;

  constructor(delimiter: Uint8Array, maxBytes: number) {
    if (delimiter.byteLength === 0) throw new RangeError('the delimiter must not be empty');
    this.delimiter = delimiter;
    this.maxBytes = maxBytes;
  }

  /**
   * The index of the delimiter when it starts within `maxBytes` bytes; `'over'` when it cannot
   * (more than `maxBytes` bytes precede it, or are buffered without it); otherwise `'more'`.
   */
  find(queue: ByteQueue): DelimiterResult {
    const at = queue.indexOf(this.delimiter, this.#from);
    if (at !== -1) return at > this.maxBytes ? 'over' : at;
    // A delimiter could still start in the last (length - 1) bytes seen: rescan only those.
    this.#from = Math.max(0, queue.length - this.delimiter.byteLength + 1);
    return queue.length >= this.maxBytes + this.delimiter.byteLength ? 'over' : 'more';
  }

  /** Forget the scan position (call after consuming from the queue). */
  reset(): void {
    this.#from = 0;
  }
}
