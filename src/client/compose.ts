/** `withInterceptors()`: a dispatcher wrapped in interceptors, still a dispatcher. */
import type { Dispatch, Dispatcher, Interceptor } from './types.js';

/**
 * Wraps `dispatcher` in `interceptors`; the first one listed sees each request first.
 *
 * @example
 * ```ts
 * const logged: Interceptor = (next) => async (request) => {
 *   const response = await next(request);
 *   console.log(request.method, request.path, response.status);
 *   return response;
 * };
 * const api = withInterceptors(new Agent(), logged, retry());
 * await request('http://127.0.0.1:8080/', { dispatcher: api });
 * ```
 */
export function withInterceptors(dispatcher: Dispatcher, ...interceptors: Interceptor[]): Dispatcher {
  let dispatch: Dispatch = (request) => dispatcher.dispatch(request);
  for (let i = interceptors.length - 1; i >= 0; i--) dispatch = (interceptors[i] as Interceptor)(dispatch);
  return {
    dispatch,
    close: () => dispatcher.close(),
    destroy: (error?: unknown) => dispatcher.destroy(error),
  };
}
