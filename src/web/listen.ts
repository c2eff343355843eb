/** The one file of the web layer that touches the server (docs/architecture.md, Layers). */
import type { Handler } from '../http/message/conn-info.js';
import { type HttpServer, type ServeOptions, serve } from '../http/server/index.js';
import { warnServerFault } from '../http/server/options.js';

/** Options of `app.listen()`: every option of `serve()` (port, host, limits, timeouts). */
export type ListenOptions = ServeOptions;

/** A listening app: `address`, `url`, `connections` and a graceful `close({ timeoutMs })`. */
export type AppServer = HttpServer;

/**
 * Serves `handler`; errors the app has already reported (a streamed body failing after its head
 * went out, told to `reportErrors`) are not reported again by the server.
 */
export function listenApp(handler: Handler, options: ListenOptions, reported: WeakSet<object>): Promise<AppServer> {
  const onError = options.onError ?? warnServerFault;
  return serve(handler, { ...options, onError: (error, info) => reported.has(error) || onError(error, info) });
}
