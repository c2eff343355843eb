import { ProtocolError } from '../../errors.js';
import { assertNever } from '../../util/assert-never.js';
import { asBuffer } from '../../util/bytes.js';
import { Fifo } from '../../util/fifo.js';
import { BodyDecoder, type Framing } from './body-decoder.js';
import { END, type HeadEventBase, type MessageEvent } from './events.js';
import { type HeadFacts, judgeResponse } from './head-facts.js';
import { HeadReader, type ParserState } from './head-reader.js';
import { type ParserLimits, resolveLimits } from './limits.js';
import { asResponseError } from './response-errors.js';
import { parseStatusLine, type StatusLine } from './status-line.js';

/** How a response body is delimited; `'upgrade'`: the message ends at its head and the connection changes protocol. */
export type ResponseFraming = Framing | 'upgrade';

/** The head of a response, as the `'head'` event. */
export interface ResponseHead extends HeadEventBase {
  readonly status: number;
  /** The reason phrase as received (latin1); `''` for `200 ` and `null` for `200` with no SP (see `parseStatusLine`). */
  readonly reason: string | null;
  /** How the body is delimited (RFC 9112 §6.3, with the request method given to `expect`). */
  readonly framing: ResponseFraming;
  /** Body bytes that follow: the Content-Length for `'length'`, 0 for `'none'`/`'upgrade'`, -1 for `'chunked'`/`'close'`. */
  readonly contentLength: number;
  /**
   * A 1xx other than 101 (100 Continue, 103 Early Hints): complete in itself, with no body and no
   * `'end'` event; the final response to the same request follows (RFC 9110 §15.2).
   */
  readonly interim: boolean;
  /** The method of the request this answers, as given to `expect`. */
  readonly method: string;
}

/** Everything `push` and `finish` can return. */
export type ResponseEvent = ResponseHead | MessageEvent;

/**
 * Incremental, sans-I/O HTTP/1.1 response parser (RFC 9112), the twin of `RequestParser`. Tell it
 * each request you send with `expect(method)`, in order: responses are paired with requests first
 * in, first out, which is how a HEAD response is known to have no body and a 2xx to CONNECT to
 * start a tunnel. Feed bytes with `push`, and `finish` when the server closes.
 *
 * - Each final response is `head`, then `body`* and `trailers`?, then `end`. An interim 1xx is a
 *   lone `head` with `interim: true`; it does not answer the request.
 * - A 101, or a 2xx to CONNECT, ends at its head; the parser pauses and `takeHeld()` returns the
 *   bytes after it, which belong to the new protocol.
 * - Bytes that arrive when no request is pending, or after a response that closes the connection,
 *   are never parsed as a response (RFC 9112 §6.3: that is how caches get poisoned): they become an
 *   error event `WK_ERR_HTTP_UNSOLICITED_RESPONSE`, the responses before it stand, and the bytes
 *   of that push from the first unsolicited one are kept for `takeHeld()`. Retire the connection.
 * - Malformed input is an error event with status 502; the parser is then dead.
 *
 * @example
 * ```ts
 * const parser = new ResponseParser();
 * parser.expect('GET');
 * for (const event of parser.push(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi'))) {
 *   if (event.type === 'head') console.log(event.status, event.reason);
 * }
 * ```
 */
export class ResponseParser {
  /** Methods of the requests sent and not yet answered by a final response, oldest first. */
  readonly #methods = new Fifo<string>();
  readonly #maxBodyBytes: number;
  readonly #reader: HeadReader<StatusLine>;
  readonly #body: BodyDecoder;
  #state: ParserState = 'head';
  #held: Buffer[] = [];
  #keepAlive = true;

  constructor(limits: Partial<ParserLimits> = {}) {
    const resolved = resolveLimits(limits);
    this.#maxBodyBytes = resolved.maxBodyBytes;
    this.#reader = new HeadReader(resolved, parseStatusLine);
    this.#body = new BodyDecoder(resolved);
  }

  /** `'head'` (between or inside heads), `'body'`, `'paused'` (after a 101 or CONNECT 2xx), `'closed'` or `'error'`. */
  get state(): ParserState {
    return this.#state;
  }

  /** Requests given to `expect` whose final response has not started yet. */
  get pending(): number {
    return this.#methods.length;
  }

  /** True when no response is in progress: nothing of a next response has arrived yet. */
  get idle(): boolean {
    return this.#state === 'head' && this.#reader.idle;
  }

  /** Records that a request with `method` was sent; call once per request, in the order they were written. */
  expect(method: string): void {
    this.#methods.push(method);
  }

  /** Parses `data` and returns the events it completes. After an `'error'` event, returns nothing. */
  push(data: Uint8Array): ResponseEvent[] {
    const chunk = asBuffer(data);
    const events: ResponseEvent[] = [];
    try {
      this.#run(chunk, 0, events);
    } catch (error) {
      this.#fail(error, events);
    }
    return events;
  }

  /**
   * The server closed the connection: completes a close-delimited body with `end`, and turns a
   * response cut off in its head or body into `WK_ERR_UNEXPECTED_EOF`. Requests still `pending`
   * with no response begun are not an error here: whether to retry them is the client's call.
   */
  finish(): ResponseEvent[] {
    const events: ResponseEvent[] = [];
    try {
      if (this.#state === 'body') {
        this.#body.finish(events);
        this.#state = 'closed';
      } else if (this.#state === 'head') {
        if (!this.#reader.idle) throw new ProtocolError('WK_ERR_UNEXPECTED_EOF', 502, 'the input ended inside a head');
        this.#state = 'closed';
      }
    } catch (error) {
      this.#fail(error, events);
    }
    return events;
  }

  /** The bytes after a 101 or CONNECT 2xx (for the new protocol), or the unsolicited bytes; the state stays. */
  takeHeld(): Uint8Array {
    const held = Buffer.concat(this.#held);
    this.#held = [];
    return held;
  }

  #run(chunk: Buffer, pos: number, events: ResponseEvent[]): void {
    while (pos < chunk.length) {
      switch (this.#state) {
        case 'head':
          if (this.#methods.length === 0 && this.#reader.idle)
            throw this.#unsolicited(chunk, pos, 'with no request pending');
          pos = this.#reader.read(chunk, pos);
          if (this.#reader.complete) this.#headEnded(events);
          break;
        case 'body':
          pos = this.#body.decode(chunk, pos, events);
          if (this.#body.done) this.#messageEnded();
          break;
        case 'paused':
          this.#held.push(chunk.subarray(pos));
          return;
        case 'closed':
          throw this.#unsolicited(chunk, pos, 'after a response that closes the connection');
        case 'error':
          return;
        default:
          assertNever(this.#state);
      }
    }
  }

  #headEnded(events: ResponseEvent[]): void {
    const reader = this.#reader;
    const line = reader.line as StatusLine;
    const facts = reader.facts;
    const method = this.#methods.at(0) as string;
    judgeResponse(facts, line.version, line.status, method, this.#maxBodyBytes);
    const interim = line.status < 200 && line.status !== 101;
    events.push(headEvent(line, reader.headers, facts, interim, method));
    // RFC 9110 §15.2: an interim response does not answer the request; its final response follows.
    if (!interim) this.#finalHead(facts, events);
    // Last: the reader reuses `facts` for the next head.
    reader.next();
  }

  /** A final response answers the oldest pending request; its body, if any, follows. */
  #finalHead(facts: HeadFacts, events: ResponseEvent[]): void {
    this.#methods.shift();
    this.#keepAlive = facts.keepAlive;
    if (facts.upgrade) {
      events.push(END);
      this.#state = 'paused';
      return;
    }
    if (this.#body.begin(facts.framing, facts.contentLength, events)) this.#messageEnded();
    else this.#state = 'body';
  }

  #messageEnded(): void {
    this.#state = this.#keepAlive ? 'head' : 'closed';
  }

  #unsolicited(chunk: Buffer, pos: number, when: string): ProtocolError {
    this.#held = [chunk.subarray(pos)];
    return new ProtocolError('WK_ERR_HTTP_UNSOLICITED_RESPONSE', 502, `bytes arrived ${when}`);
  }

  #fail(error: unknown, events: ResponseEvent[]): void {
    if (!(error instanceof ProtocolError)) throw error;
    this.#state = 'error';
    this.#reader.reset();
    events.push({ type: 'error', error: asResponseError(error) });
  }
}

function headEvent(
  line: StatusLine,
  headers: string[],
  facts: HeadFacts,
  interim: boolean,
  method: string,
): ResponseHead {
  return {
    type: 'head',
    version: line.version,
    status: line.status,
    reason: line.reason,
    headers,
    keepAlive: facts.keepAlive,
    framing: facts.upgrade ? 'upgrade' : facts.framing,
    contentLength: facts.contentLength,
    interim,
    method,
  };
}
