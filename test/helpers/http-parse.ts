/** Drives the request parser over chunked input and gathers whole messages, for byte-level tests. */
import type { ProtocolError } from '../../src/errors.js';
import type { MessageEvent } from '../../src/http/codec/events.js';
import type { ParserLimits } from '../../src/http/codec/limits.js';
import { type RequestEvent, RequestParser } from '../../src/http/codec/request-parser.js';

/** What the request and response gatherers keep of every message. */
export interface ParsedMessage {
  version: string;
  headers: [string, string][];
  /** latin1 */
  body: string;
  trailers: [string, string][];
  complete: boolean;
  keepAlive: boolean;
}

export interface ParsedRequest extends ParsedMessage {
  method: string;
  target: string;
  upgrade: boolean;
  expectContinue: boolean;
  /** An Expect other than 100-continue (a server answers 417), else undefined. */
  expect: string | undefined;
}

export interface ParseResult {
  messages: ParsedRequest[];
  error: ProtocolError | undefined;
  state: string;
}

/** Flat `[name, value, …]` as `[name, value]` pairs. */
export function pairs(flat: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i] as string, flat[i + 1] as string]);
  return out;
}

/** Collects messages from parser events: each head starts one (built by the caller), the rest fill in the last. */
export class Gatherer<M extends ParsedMessage> {
  readonly messages: M[] = [];
  error: ProtocolError | undefined;
  readonly #bodies: Buffer[][] = [];

  start(message: M): void {
    this.messages.push(message);
    this.#bodies.push([]);
  }

  take(event: MessageEvent): void {
    const current = this.messages[this.messages.length - 1];
    if (event.type === 'body') this.#bodies[this.#bodies.length - 1]?.push(Buffer.from(event.data));
    else if (event.type === 'trailers' && current) current.trailers = pairs(event.trailers);
    else if (event.type === 'end' && current) current.complete = true;
    else if (event.type === 'error') this.error = event.error;
  }

  /** The messages with their bodies joined, once the input is done. */
  finish(): M[] {
    this.messages.forEach((message, i) => {
      message.body = Buffer.concat(this.#bodies[i] ?? []).toString('latin1');
    });
    return this.messages;
  }
}

/** Feeds `chunks` to a fresh parser (then `finish()` when asked) and returns what it made of them. */
export function parseChunks(
  chunks: readonly Uint8Array[],
  options: { finish?: boolean; limits?: Partial<ParserLimits> } = {},
): ParseResult {
  const parser = new RequestParser(options.limits);
  const gathered = new Gatherer<ParsedRequest>();
  const take = (events: RequestEvent[]): void => {
    for (const event of events) {
      if (event.type !== 'head') {
        gathered.take(event);
        continue;
      }
      gathered.start({
        method: event.method,
        target: event.target,
        version: event.version,
        headers: pairs(event.headers),
        body: '',
        trailers: [],
        complete: false,
        keepAlive: event.keepAlive,
        upgrade: event.upgrade,
        expectContinue: event.expectContinue,
        expect: event.expect,
      });
    }
  };
  for (const chunk of chunks) take(parser.push(chunk));
  if (options.finish) take(parser.finish());
  return { messages: gathered.finish(), error: gathered.error, state: parser.state };
}

/** The ways every byte-level case is fed: whole, split in two at every offset, one byte at a time. */
export function* splits(bytes: Uint8Array): Generator<{ name: string; chunks: Uint8Array[] }> {
  yield { name: 'whole', chunks: [bytes] };
  for (let i = 1; i < bytes.length; i++) {
    yield { name: `split@${i}`, chunks: [bytes.subarray(0, i), bytes.subarray(i)] };
  }
  yield { name: 'bytewise', chunks: Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)) };
}
