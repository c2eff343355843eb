/** Drives the response parser over chunked input and gathers whole messages, for byte-level tests. */
import type { ProtocolError } from '../../src/errors.js';
import type { ParserLimits } from '../../src/http/codec/limits.js';
import { type ResponseEvent, type ResponseHead, ResponseParser } from '../../src/http/codec/response-parser.js';
import { Gatherer, type ParsedMessage, pairs, splits } from './http-parse.js';

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

/** One line per message: `200 length "hello" end`, `100 none "" interim`: what most assertions need. */
export function brief(m: ParsedResponse): string {
  const state = m.interim ? ' interim' : m.complete ? ' end' : '';
  return `${m.status} ${m.framing} ${JSON.stringify(m.body)}${state}`;
}

/**
 * Parses `text` (latin1 bytes) whole, split in two at every offset and one byte at a time, and runs
 * `check` on each result; a failure names the split.
 */
export function everySplit(
  text: string,
  options: ResponseParseOptions,
  check: (result: ResponseParseResult, name: string) => void,
): void {
  for (const { name, chunks } of splits(Buffer.from(text, 'latin1'))) {
    const result = parseResponseChunks(chunks, options);
    try {
      check(result, name);
    } catch (error) {
      if (error instanceof Error) error.message = `${name}: ${error.message}`;
      throw error;
    }
  }
}
