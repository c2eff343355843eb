/** Drives the request parser over chunked input and gathers whole messages, for byte-level tests. */
import type { ProtocolError } from '../../src/errors.js';
import type { ParserLimits } from '../../src/http/codec/limits.js';
import { type RequestEvent, RequestParser } from '../../src/http/codec/request-parser.js';

export interface ParsedRequest {
  method: string;
  target: string;
  version: string;
  headers: [string, string][];
  body: string;
  trailers: [string, string][];
  complete: boolean;
  keepAlive: boolean;
  upgrade: boolean;
  expectContinue: boolean;
}

export interface ParseResult {
  messages: ParsedRequest[];
  error: ProtocolError | undefined;
  state: string;
}

function pairs(flat: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i] as string, flat[i + 1] as string]);
  return out;
}

/** Feeds `chunks` to a fresh parser (then `finish()` when asked) and returns what it made of them. */
export function parseChunks(
  chunks: readonly Uint8Array[],
  options: { finish?: boolean; limits?: Partial<ParserLimits> } = {},
): ParseResult {
  const parser = new RequestParser(options.limits);
  const result: ParseResult = { messages: [], error: undefined, state: '' };
  const bodies: Buffer[][] = [];
  const take = (events: RequestEvent[]): void => {
    for (const event of events) {
      const current = result.messages[result.messages.length - 1];
      switch (event.type) {
        case 'head':
          result.messages.push({
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
          });
          bodies.push([]);
          break;
        case 'body':
          bodies[bodies.length - 1]?.push(Buffer.from(event.data));
          break;
        case 'trailers':
          if (current) current.trailers = pairs(event.trailers);
          break;
        case 'end':
          if (current) current.complete = true;
          break;
        case 'error':
          result.error = event.error;
          break;
      }
    }
  };
  for (const chunk of chunks) take(parser.push(chunk));
  if (options.finish) take(parser.finish());
  result.messages.forEach((message, i) => {
    message.body = Buffer.concat(bodies[i] ?? []).toString('latin1');
  });
  result.state = parser.state;
  return result;
}

/** The ways every byte-level case is fed: whole, split in two at every offset, one byte at a time. */
export function* splits(bytes: Uint8Array): Generator<{ name: string; chunks: Uint8Array[] }> {
  yield { name: 'whole', chunks: [bytes] };
  for (let i = 1; i < bytes.length; i++) {
    yield { name: `split@${i}`, chunks: [bytes.subarray(0, i), bytes.subarray(i)] };
  }
  yield { name: 'bytewise', chunks: Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)) };
}
