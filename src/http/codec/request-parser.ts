import { ProtocolError } from '../../errors.js';
import { asBuffer } from '../../util/bytes.js';
import { BodyDecoder, type Framing } from './body-decoder.js';
import type { HeadEventBase, MessageEvent } from './events.js';
import { judgeRequest } from './head-facts.js';
import { HeadReader, type ParserState } from './head-reader.js';
import { type ParserLimits, resolveLimits } from './limits.js';
import { parseRequestLine, type RequestLine, scanRequestLine } from './request-line.js';

/** The head of a request, as the `'head'` event. */
export interface RequestHead extends HeadEventBase {
  readonly method: string;
  /** The request-target exactly as received. */
  readonly target: string;
  /** How the body is delimited: `'none'`, `'length'` or `'chunked'`. */
  readonly framing: Framing;
  /** Content-Length for `'length'`, 0 for `'none'`, -1 for `'chunked'`. */
  readonly contentLength: number;
  /** `Expect: 100-continue` was sent. */
  readonly expectContinue: boolean;
  /** Any other Expect value (a server answers 417), else undefined. */
  readonly expect: string | undefined;
  /** CONNECT, or `Connection: upgrade` with an `Upgrade` field: the parser pauses after this message. */
  readonly upgrade: boolean;
}

/** Everything `push` can return. */
export type RequestEvent = RequestHead | MessageEvent;

/**
 * Incremental, sans-I/O HTTP/1.1 request parser (RFC 9112). Feed bytes with `push`; get events back.
 * It keeps at most one partial line of head; body bytes come out as views of the input.
 *
 * After a request that does not keep the connection alive, it stops (`closed`): nothing after it is
 * ever parsed, so no byte a client smuggles behind a closing request reaches a handler. After an
 * upgrade request it pauses: `takeHeld()` hands the following bytes to the new protocol, `resume()`
 * goes on parsing HTTP.
 *
 * @example
 * ```ts
 * const parser = new RequestParser();
 * for (const event of parser.push(Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n'))) {
 *   if (event.type === 'head') console.log(event.method, event.target);
 * }
 * ```
 */
export class RequestParser {
  readonly #limits: ParserLimits;
  readonly #reader: HeadReader<RequestLine>;
  readonly #body: BodyDecoder;
  #state: ParserState = 'head';
  #held: Buffer[] = [];
  #keepAlive = true;
  #upgrade = false;

  constructor(limits: Partial<ParserLimits> = {}) {
    this.#limits = resolveLimits(limits);
    this.#reader = new HeadReader(this.#limits, parseRequestLine, scanRequestLine);
    this.#body = new BodyDecoder(this.#limits);
  }

  /** `'head'` (between or inside heads), `'body'`, `'paused'` (after an upgrade), `'closed'` or `'error'`. */
  get state(): ParserState {
    return this.#state;
  }

  /** True when no message is in progress: nothing of a next request has arrived yet. */
  get idle(): boolean {
    return this.#state === 'head' && this.#reader.idle;
  }

  /** Parses `data` and returns the events it completes. After an `'error'` event, returns nothing. */
  push(data: Uint8Array): RequestEvent[] {
    const chunk = asBuffer(data);
    const events: RequestEvent[] = [];
    if (this.#state === 'paused') this.#held.push(chunk);
    if (this.#state !== 'head' && this.#state !== 'body') return events;
    try {
      this.#run(chunk, 0, events);
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.#state = 'error';
      this.#reader.reset();
      events.push({ type: 'error', error });
    }
    return events;
  }

  /** The input ended (the peer half-closed): an unfinished request becomes an error event. */
  finish(): RequestEvent[] {
    if (this.#state === 'error' || this.#state === 'closed' || this.#state === 'paused' || this.idle) return [];
    this.#state = 'error';
    const error = new ProtocolError('WK_ERR_UNEXPECTED_EOF', 400, 'the input ended inside a request');
    return [{ type: 'error', error }];
  }

  /** After an upgrade request: the bytes that followed it, for the new protocol. The parser stays paused. */
  takeHeld(): Uint8Array {
    const held = Buffer.concat(this.#held);
    this.#held = [];
    return held;
  }

  /** After an upgrade request that was declined: parse the held bytes as HTTP and go on. */
  resume(): RequestEvent[] {
    if (this.#state !== 'paused') return [];
    this.#state = 'head';
    const held = this.takeHeld();
    return held.length > 0 ? this.push(held) : [];
  }

  #run(chunk: Buffer, pos: number, events: RequestEvent[]): void {
    while (pos < chunk.length) {
      if (this.#state === 'head') {
        pos = this.#reader.read(chunk, pos);
        if (this.#reader.complete) this.#headEnded(events);
      } else if (this.#state === 'body') {
        pos = this.#body.decode(chunk, pos, events);
        if (this.#body.done) this.#messageEnded();
      } else {
        if (this.#state === 'paused') this.#held.push(chunk.subarray(pos));
        return;
      }
    }
  }

  #headEnded(events: RequestEvent[]): void {
    const reader = this.#reader;
    const line = reader.line as RequestLine;
    const facts = reader.facts;
    judgeRequest(facts, line.version, line.method === 'CONNECT', this.#limits.maxBodyBytes);
    const head: RequestHead = {
      type: 'head',
      method: line.method,
      target: line.target,
      version: line.version,
      headers: reader.headers,
      keepAlive: facts.keepAlive,
      framing: facts.framing,
      contentLength: facts.contentLength,
      expectContinue: facts.expectContinue,
      expect: facts.expect,
      upgrade: facts.upgrade,
    };
    this.#keepAlive = facts.keepAlive;
    this.#upgrade = facts.upgrade;
    events.push(head);
    const complete = this.#body.begin(facts.framing, facts.contentLength, events);
    // Last: the reader reuses `facts` for the next head.
    reader.next();
    if (complete) this.#messageEnded();
    else this.#state = 'body';
  }

  #messageEnded(): void {
    if (this.#upgrade) this.#state = 'paused';
    else this.#state = this.#keepAlive ? 'head' : 'closed';
  }
}
