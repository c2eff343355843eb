/** The one file of the web layer that touches the server (DESIGN.md §1). */
import type { Handler } from '../http/message/conn-info.js';
import { type HttpServer, type ServeOptions, serve } from '../http/server/index.js';

/** Options of `app.listen()`: every option of `serve()` (port, host, limits, timeouts). */
export type ListenOptions = ServeOptions;

/** A listening app: `address`, `url`, `connections` and a graceful `close({ timeoutMs })`. */
export type AppServer = HttpServer;

export function listenApp(handler: Handler, options: ListenOptions): Promise<AppServer> {
  return serve(handler, options);
}
