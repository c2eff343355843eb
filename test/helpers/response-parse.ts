/** Drives the response parser over chunked input and gathers whole messages, for byte-level tests. */
import type { ProtocolError } from '../../src/errors.js';
import type { ParserLimits } from '../../src/http/codec/limits.js';
import { type ResponseEvent, type ResponseHead, ResponseParser } from '../../src/http/codec/response-parser.js';
import { Gatherer, type ParsedMessage, pairs } from './http-parse.js';

export interface ParsedResponse extends ParsedMessage {
  method: string;
  status: number;
  reason: string | null;
  framing: string;
  contentLength: number;
  /** Interim heads are complete at once (they have no `end` event); final ones at their `end`. */
  interim: boolean;
}

export interface ResponseParseResult {
  messages: ParsedResponse[];
  error: ProtocolError | undefined;
  state: string;
  /** `takeHeld()` after the last push (or finish). */
  held: Buffer;
  /** `pending` after the last push (or finish). */
  pending: number;
}

export interface ResponseParseOptions {
  /** Methods of the requests sent, in order (`expect` is called for each before the first push). Default `['GET']`. */
  methods?: readonly string[];
  /** Call `finish()` after the last chunk: the server closed the connection. */
  finish?: boolean;
  limits?: Partial<ParserLimits>;
}

function parsedHead(head: ResponseHead): ParsedResponse {
  return {
    method: head.method,
    version: head.version,
    status: head.status,
    reason: head.reason,
    headers: pairs(head.headers),
    body: '',
    trailers: [],
    complete: head.interim,
    keepAlive: head.keepAlive,
    framing: head.framing,
    contentLength: head.contentLength,
    interim: head.interim,
  };
}

/** Feeds `chunks` to a fresh parser primed with `methods` and returns what it made of them. */
export function parseResponseChunks(
  chunks: readonly Uint8Array[],
  options: ResponseParseOptions = {},
): ResponseParseResult {
  const parser = new ResponseParser(options.limits);
  for (const method of options.methods ?? ['GET']) parser.expect(method);
  const gathered = new Gatherer<ParsedResponse>();
  const take = (events: ResponseEvent[]): void => {
    for (const event of events) {
      if (event.type === 'head') gathered.start(parsedHead(event));
      else gathered.take(event);
    }
  };
  for (const chunk of chunks) take(parser.push(chunk));
  if (options.finish) take(parser.finish());
  return {
    messages: gathered.finish(),
    error: gathered.error,
    state: parser.state,
    held: Buffer.from(parser.takeHeld()),
    pending: parser.pending,
  };
}
