import { WirekitError } from '../errors.js';
import type { Context, HandlerResult } from './context.js';

/** Calls the rest of the chain; resolves when it has finished (its response is then `c.res`). */
export type Next = () => Promise<void>;

/** A handler or middleware: `(c, next) => result`. Handlers ignore `next`; middleware awaits it. */
export type Middleware<V extends object = Record<string, unknown>> = (
  c: Context<V>,
  next: Next,
) => HandlerResult | Promise<HandlerResult>;

/**
 * Composes handlers into one onion (DESIGN.md habit 6): each runs until it awaits `next()`, the rest
 * of the chain runs, then it continues. A returned value becomes the response (`c.adopt`). Runs
 * synchronously as long as every handler does (no promise, no microtask for a sync chain); errors
 * thrown or rejected anywhere reach the caller, so one place maps them to a response.
 *
 * @example
 * ```ts
 * const run = compose([logger, auth, (c) => c.text('hi')]);
 * await run(c);
 * ```
 */
export function compose<V extends object>(
  handlers: readonly Middleware<V>[],
): (c: Context<V>) => Promise<void> | undefined {
  return (c) => dispatch(c, handlers, 0);
}

function dispatch<V extends object>(
  c: Context<V>,
  handlers: readonly Middleware<V>[],
  i: number,
): Promise<void> | undefined {
  const handler = handlers[i];
  if (handler === undefined) return undefined;
  let called = false;
  const next: Next = () => {
    if (called) return Promise.reject(new WirekitError('WK_ERR_INVALID_ARGUMENT', 'next() called more than once'));
    called = true;
    try {
      return Promise.resolve(dispatch(c, handlers, i + 1));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  const result = handler(c, next);
  if (result instanceof Promise) return result.then((value: HandlerResult) => c.adopt(value));
  c.adopt(result as HandlerResult);
  return undefined;
}
