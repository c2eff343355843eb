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
 * Composes handlers into one onion (docs/architecture.md, web): each runs until it awaits `next()`, the rest
 * of the chain runs, then it continues. A returned value becomes the response (`c.adopt`). Runs
 * synchronously as long as every handler does (no promise, no microtask for a sync chain).
 *
 * With `onError`, an error thrown or rejected by a handler becomes a response right where it was
 * thrown (`onError` sets `c.res`), so every middleware around it carries on after its `await next()`
 * as for any other response: the access log sees the 500, CORS and compression apply to error
 * answers. Without `onError`, errors reach the caller.
 *
 * @example
 * ```ts
 * const run = compose([logger, auth, (c) => c.text('hi')]);
 * await run(c);
 * ```
 */
export function compose<V extends object>(
  handlers: readonly Middleware<V>[],
  onError?: ErrorSink<V>,
): (c: Context<V>) => Promise<void> | undefined {
  return (c) => dispatch(c, handlers, 0, onError);
}

/** Runs `handlers` for `c` now: `compose(handlers, onError)(c)` without making the composed function. */
export function runChain<V extends object>(
  c: Context<V>,
  handlers: readonly Middleware<V>[],
  onError?: ErrorSink<V>,
): Promise<void> | undefined {
  return dispatch(c, handlers, 0, onError);
}

/** Turns an error into `c.res` (and may be async); a throw from it goes to the caller. */
export type ErrorSink<V extends object> = (error: unknown, c: Context<V>) => Promise<void> | undefined;

function dispatch<V extends object>(
  c: Context<V>,
  handlers: readonly Middleware<V>[],
  i: number,
  onError: ErrorSink<V> | undefined,
): Promise<void> | undefined {
  const handler = handlers[i];
  if (handler === undefined) return undefined;
  let called = false;
  const next: Next = () => {
    if (called) return Promise.reject(new WirekitError('WK_ERR_INVALID_ARGUMENT', 'next() called more than once'));
    called = true;
    try {
      return Promise.resolve(dispatch(c, handlers, i + 1, onError));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  let result: HandlerResult | Promise<HandlerResult>;
  try {
    result = handler(c, next);
  } catch (error) {
    if (onError === undefined) throw error;
    return onError(error, c);
  }
  if (result instanceof Promise) {
    return result.then(
      (value: HandlerResult) => c.adopt(value),
      (error: unknown) => {
        if (onError === undefined) throw error;
        return onError(error, c);
      },
    );
  }
  c.adopt(result as HandlerResult);
  return undefined;
}
