import type { ParserLimits } from '../codec/limits.js';
import { RequestParser } from '../codec/request-parser.js';

/** Most idle parsers a server keeps for reuse. */
const POOL_SIZE = 64;

/**
 * The request parsers of one server. A connection holds a parser only while a request is arriving:
 * an idle keep-alive connection gives its parser back, so ten thousand idle connections cost no
 * parser (docs/architecture.md, Memory per connection), and a busy server reuses a few instead of
 * making one per connection.
 *
 * @example
 * ```ts
 * const parser = pool.take();
 * const events = parser.push(chunk);
 * if (parser.idle) pool.give(parser);
 * ```
 */
export class ParserPool {
  readonly #limits: Partial<ParserLimits>;
  readonly #free: RequestParser[] = [];

  constructor(limits: Partial<ParserLimits>) {
    this.#limits = limits;
  }

  /** A parser waiting for the start of a request. */
  take(): RequestParser {
    return this.#free.pop() ?? new RequestParser(this.#limits);
  }

  /** Takes back a parser that is `idle` (between requests, nothing of the next one read). */
  give(parser: RequestParser): void {
    if (this.#free.length < POOL_SIZE) this.#free.push(parser);
  }
}
