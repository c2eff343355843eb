/**
 * Calling the application's handlers: a throw, or the rejection of a handler's promise, goes to
 * `failed` (the connection reports it and closes with 1011) instead of escaping into the event loop.
 */

/**
 * Calls `handler` with `this` = `thisArg`; a throw or a rejected promise goes to `failed(owner, error)`.
 *
 * @example
 * ```ts
 * callHandler(handlers.open, handlers, ws, undefined, undefined, (ws, error) => ws.close(1011));
 * ```
 */
export function callHandler<W, A, B>(
  handler: ((ws: W, a: A, b: B) => void | Promise<void>) | undefined,
  thisArg: object,
  ws: W,
  a: A,
  b: B,
  failed: (ws: W, error: unknown) => void,
): void {
  if (handler === undefined) return;
  try {
    const result = handler.call(thisArg, ws, a, b);
    if (result !== undefined) watchResult(result, ws, failed);
  } catch (error) {
    failed(ws, error);
  }
}

/**
 * A handler's result: when it is a promise, its rejection goes to `failed`.
 *
 * @example
 * ```ts
 * watchResult(handler(ws), ws, (ws, error) => ws.close(1011));
 * ```
 */
export function watchResult<W>(result: unknown, ws: W, failed: (ws: W, error: unknown) => void): void {
  if (typeof (result as Promise<void>).then === 'function') {
    (result as Promise<void>).then(undefined, (error: unknown) => failed(ws, error));
  }
}
