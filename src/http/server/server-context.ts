import type { TimerWheel } from '../../util/timer-wheel.js';
import type { Handler } from '../message/conn-info.js';
import type { ResolvedServeOptions } from './options.js';
import type { ParserPool } from './parser-pool.js';

/**
 * What every connection of one server shares.
 *
 * @example
 * ```ts
 * const ctx: ServerContext = { handler, options: resolveServeOptions({}), secure: false, closing: false, wheel: timerWheel, parsers: new ParserPool({}) };
 * ```
 */
export interface ServerContext {
  readonly handler: Handler;
  readonly options: ResolvedServeOptions;
  readonly secure: boolean;
  /** `close()` has begun. */
  closing: boolean;
  /** Set by `HttpServer#drain()` before it closes: readiness checks answer 503 (see `ConnInfo.draining`). */
  draining?: boolean;
  /** Where the server's deadlines are kept: the shared `timerWheel`, or (tests) one with a fake clock. */
  readonly wheel: TimerWheel;
  /** Request parsers lent to connections while a request arrives. */
  readonly parsers: ParserPool;
}
