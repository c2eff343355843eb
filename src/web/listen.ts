/** The one file of the web layer that touches the server (docs/architecture.md, Layers). */
import type { Handler } from '../http/message/conn-info.js';
import { type HttpServer, type ServeOptions, serve } from '../http/server/index.js';
import { logServerFault, SERVE_OPTIONS, warnServerFault } from '../http/server/options.js';
import type { Logger } from '../util/logger.js';

/** Options of `app.listen()`: every option of `serve()` (port, host, limits, timeouts). */
export type ListenOptions = ServeOptions;

/** The options of `app.listen()`: those of `serve()`, named for the call in errors. */
const APP_LISTEN_OPTIONS = SERVE_OPTIONS.extend<ListenOptions>('app.listen()', {});

/** A listening app: `address`, `url`, `connections` and a graceful `close({ timeoutMs })`. */
export type AppServer = HttpServer;

/**
 * Serves `handler`; errors the app has already reported (a streamed body failing after its head
 * went out, told to `reportErrors`) are not reported again by the server. The server logs through
 * the listen options' `logger`, else the App's.
 */
export async function listenApp(
  handler: Handler,
  given: ListenOptions,
  reported: WeakSet<object>,
  appLogger: Logger | undefined,
): Promise<AppServer> {
  const options = APP_LISTEN_OPTIONS.check(given);
  const logger = options.logger ?? appLogger;
  const onError = options.onError ?? (logger === undefined ? warnServerFault : logServerFault(logger));
  const serveOptions: ServeOptions = {
    ...options,
    onError: (error, info) => reported.has(error) || onError(error, info),
  };
  if (logger !== undefined) serveOptions.logger = logger;
  return serve(handler, serveOptions);
}
