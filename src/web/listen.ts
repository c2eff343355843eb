/** The one file of the web layer that touches the server (docs/architecture.md, Layers). */
import type { ClusterServer } from '../cluster/cluster-server.js';
import { CLUSTER_OPTION_SPECS } from '../cluster/options.js';
import { type ClusterServeOptions, isPrimary, serve } from '../cluster/serve.js';
import { clusterTopics } from '../cluster/topic-bus.js';
import type { Handler } from '../http/message/conn-info.js';
import type { HttpServer, ServeOptions } from '../http/server/index.js';
import { logServerFault, SERVE_OPTIONS, warnServerFault } from '../http/server/options.js';
import type { Logger } from '../util/logger.js';
import type { TopicBus } from '../ws/topics.js';

export type { ClusterServer };

/** Options of `app.listen()`: every option of `serve()` (port, host, limits, timeouts). */
export type ListenOptions = ServeOptions;

/** Options of `app.listen({ workers })`: the server's and the cluster's (see the README's "Scaling out"). */
export type ClusterListenOptions = ClusterServeOptions;

/** The options of `app.listen()`: those of `serve()` and of a cluster, named for the call in errors. */
const APP_LISTEN_OPTIONS = SERVE_OPTIONS.extend<ClusterListenOptions>('app.listen()', CLUSTER_OPTION_SPECS);

/** A listening app: `address`, `url`, `connections` and a graceful `close({ timeoutMs })`. */
export type AppServer = HttpServer;

/** What listening needs of an App's WebSockets. */
export interface AppWebSockets {
  /** `server.close()` began: every WebSocket gets 1001 (the server waits for their handshakes). */
  close(): void;
  /** The app listens as a cluster worker: `make` gives topics shared by every worker. */
  inWorker(make: () => TopicBus): void;
}

/**
 * Serves `handler`; errors the app has already reported (a streamed body failing after its head
 * went out, told to `reportErrors`) are not reported again by the server. The server logs through
 * the listen options' `logger`, else the App's.
 */
export async function listenApp(
  handler: Handler,
  given: ListenOptions | ClusterListenOptions,
  reported: WeakSet<object>,
  appLogger: Logger | undefined,
  webSockets: AppWebSockets,
): Promise<AppServer | ClusterServer> {
  const options = APP_LISTEN_OPTIONS.check(given as ClusterListenOptions);
  const logger = options.logger ?? appLogger;
  const onError = options.onError ?? (logger === undefined ? warnServerFault : logServerFault(logger));
  const serveOptions = {
    ...options,
    onError: (error: Error, info: Parameters<typeof onError>[1]) => reported.has(error) || onError(error, info),
    // server.close() first tells the app's WebSockets to close (1001), then the listener's own hook.
    onClose: () => {
      webSockets.close();
      options.onClose?.();
    },
  };
  if (logger !== undefined) serveOptions.logger = logger;
  if (serveOptions.workers !== undefined) {
    // A worker's sockets hear what every worker publishes (relayed by the primary): a chat room
    // written for one process stays one room on every core.
    if (!isPrimary()) webSockets.inWorker(clusterTopics);
    return serve(handler, serveOptions);
  }
  return serve(handler, serveOptions as ServeOptions);
}
