/**
 * The body of a client response: an async iterable of chunks, read once, fed by the connection
 * through a `BodyStream` so a slow reader pauses the socket (docs/architecture.md, Rules).
 */
import { LimitError, ProtocolError, WirekitError } from '../errors.js';
import type { BodyStream } from '../http/message/body-stream.js';
import type { Endpoints } from '../net/addresses.js';
import { concatBytes, utf8 } from '../util/bytes.js';

/**
 * Default limit of buffered reads (`text()`, `json()`, `bytes()`): 64 MiB. Iterating is unlimited.
 *
 * @example
 * ```ts
 * await res.body.text(DEFAULT_MAX_BUFFERED_BYTES / 64); // 1 MiB at most
 * ```
 */
export const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

/**
 * Default most bytes `dump()` reads to keep the connection (more: the connection is closed instead).
 *
 * @example
 * ```ts
 * await res.body.dump(DEFAULT_DUMP_BYTES * 4);
 * ```
 */
export const DEFAULT_DUMP_BYTES = 256 * 1024;

/**
 * What tells a {@link ResponseBody} that its stream ended normally (the exchange that fed it).
 *
 * @example
 * ```ts
 * const body = new ResponseBody(stream, { get bodyEnded() { return done; } });
 * ```
 */
export interface BodyEnd {
  readonly bodyEnded: boolean;
}

/**
 * Where a {@link ResponseBody} pulls its chunks from. A `cancel()` on the source is called when the
 * body is cancelled before it is read: a wrapper that has not started (a decoder) cannot reach the
 * body it wraps any other way.
 *
 * @example
 * ```ts
 * const body = new ResponseBody(Object.assign(decode(inner), { cancel: () => inner.cancel() }));
 * ```
 */
export type BodySource = BodyStream | (AsyncIterable<Uint8Array> & { cancel?: () => void });

/**
 * A response body: `for await (const chunk of body)`, or whole with `text()`, `json()`, `bytes()`,
 * `arrayBuffer()`; `dump()` to discard it. Read it (or dump or cancel it): until its end has
 * arrived, its connection serves no other request.
 *
 * @example
 * ```ts
 * const { body } = await request('http://127.0.0.1:8080/big');
 * let total = 0;
 * for await (const chunk of body) total += chunk.byteLength;
 * ```
 */
export class ResponseBody implements AsyncIterable<Uint8Array> {
  readonly #source: BodySource;
  readonly #end: BodyEnd | undefined;
  readonly #endpoints: Partial<Endpoints> | undefined;
  #used = false;

  /**
   * `end`, when given, tells a body that ended from one that failed (the producer knows);
   * `endpoints`, the socket it comes from, named on the errors of buffered reads.
   */
  constructor(source: BodySource, end?: BodyEnd, endpoints?: Partial<Endpoints>) {
    this.#source = source;
    this.#end = end;
    this.#endpoints = endpoints;
  }

  /** True once the body has been read, dumped or cancelled. */
  get bodyUsed(): boolean {
    return this.#used;
  }

  /** The chunks as they arrive. Breaking out of the loop cancels the rest (the connection is closed). */
  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    this.#use();
    return this.#source[Symbol.asyncIterator]();
  }

  /** The whole body as bytes; more than `maxBytes` is `WK_ERR_RESPONSE_TOO_LARGE`. */
  async bytes(maxBytes = DEFAULT_MAX_BUFFERED_BYTES): Promise<Uint8Array> {
    this.#use();
    const source = this.#source;
    const chunks: Uint8Array[] = [];
    let total = 0;
    if (isStream(source)) {
      for (let chunk = await source.read(); chunk !== null; chunk = await source.read()) {
        total += chunk.byteLength;
        if (total > maxBytes) throw tooLarge(maxBytes, this.#endpoints, () => source.cancel());
        chunks.push(chunk);
        // A body that ended (not failed) with nothing left would only answer null: skip that round trip.
        if (this.#end?.bodyEnded === true && source.bufferedBytes === 0) break;
      }
    } else {
      const iterator = source[Symbol.asyncIterator]();
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        total += next.value.byteLength;
        if (total > maxBytes) throw tooLarge(maxBytes, this.#endpoints, () => void iterator.return?.());
        chunks.push(next.value);
      }
    }
    return chunks.length === 0 ? new Uint8Array(0) : concatBytes(chunks, total);
  }

  /** The whole body decoded as UTF-8. */
  text(maxBytes?: number): Promise<string> {
    return this.bytes(maxBytes).then(utf8);
  }

  /** The whole body parsed as JSON; malformed JSON is `WK_ERR_INVALID_JSON`. */
  async json<T = unknown>(maxBytes?: number): Promise<T> {
    const text = await this.text(maxBytes);
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new ProtocolError('WK_ERR_INVALID_JSON', 502, 'the response body is not valid JSON', { cause });
    }
  }

  /** The whole body as an `ArrayBuffer` (a copy of exactly its bytes). */
  async arrayBuffer(maxBytes?: number): Promise<ArrayBuffer> {
    const bytes = await this.bytes(maxBytes);
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  /**
   * Reads and discards the body so the connection can serve the next request; past `maxBytes` it
   * cancels instead (the connection is closed rather than drained). Never rejects.
   */
  async dump(maxBytes = DEFAULT_DUMP_BYTES): Promise<void> {
    if (this.#used) return;
    try {
      let total = 0;
      for await (const chunk of this) {
        total += chunk.byteLength;
        if (total > maxBytes) break;
      }
    } catch {
      // A failing body has nothing left to drain.
    }
  }

  /**
   * Stops reading: drops what arrived and closes the connection unless the body had already ended.
   * Also while it is being iterated (a Fetch stream over it that was dropped unread); a source
   * that can be cancelled ignores it once it has ended.
   */
  cancel(): void {
    const source = this.#source;
    if (source.cancel !== undefined) {
      this.#used = true;
      source.cancel();
      return;
    }
    if (this.#used) return;
    this.#used = true;
    void source[Symbol.asyncIterator]().return?.();
  }

  #use(): void {
    if (this.#used) throw new WirekitError('WK_ERR_BODY_USED');
    this.#used = true;
  }
}

function isStream(source: BodySource): source is BodyStream {
  return typeof (source as BodyStream).read === 'function' && typeof (source as BodyStream).cancel === 'function';
}

function tooLarge(maxBytes: number, endpoints: Partial<Endpoints> | undefined, cancel: () => void): LimitError {
  cancel();
  return new LimitError('WK_ERR_RESPONSE_TOO_LARGE', `the response body is larger than ${maxBytes} bytes`, {
    status: 502,
    localAddress: endpoints?.localAddress,
    remoteAddress: endpoints?.remoteAddress,
  });
}
