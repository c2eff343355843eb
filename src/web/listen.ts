/** The one file of the web layer that touches the server (docs/architecture.md, Layers). */
import type { ClusterServer } from '../cluster/cluster-server.js';
import { type ClusterServeOptions, serve } from '../cluster/serve.js';
import type { Handler } from '../http/message/conn-info.js';
import type { HttpServer, ServeOptions } from '../http/server/index.js';
import { warnServerFault } from '../http/server/options.js';

export type { ClusterServer };

/** Options of `app.listen()`: every option of `serve()` (port, host, limits, timeouts). */
export type ListenOptions = ServeOptions;

/** Options of `app.listen({ workers })`: the server's and the cluster's (see the README's "Scaling out"). */
export type ClusterListenOptions = ClusterServeOptions;

/** A listening app: `address`, `url`, `connections` and a graceful `close({ timeoutMs })`. */
export type AppServer = HttpServer;

/**
 * Serves `handler`; errors the app has already reported (a streamed body failing after its head
 * went out, told to `reportErrors`) are not reported again by the server.
 */
export function listenApp(
  handler: Handler,
  options: ListenOptions | ClusterListenOptions,
  reported: WeakSet<object>,
): Promise<AppServer | ClusterServer> {
  const onError = options.onError ?? warnServerFault;
  const withHook = {
    ...options,
    onError: (error: Error, info: Parameters<typeof onError>[1]) => reported.has(error) || onError(error, info),
  };
  if ('workers' in withHook && withHook.workers !== undefined) return serve(handler, withHook);
  return serve(handler, withHook as ListenOptions);
}
