import type { Handler } from '../message/conn-info.js';
import type { ResolvedServeOptions } from './options.js';

/**
 * What every connection of one server shares.
 *
 * @example
 * ```ts
 * const ctx: ServerContext = { handler, options: resolveServeOptions({}), secure: false, closing: false };
 * ```
 */
export interface ServerContext {
  readonly handler: Handler;
  readonly options: ResolvedServeOptions;
  readonly secure: boolean;
  /** `close()` has begun. */
  closing: boolean;
}
