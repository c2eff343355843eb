/**
 * `serve(handler, options)`: the engine's server, or with `workers` a cluster of processes that
 * each run it (see the README's "Scaling out" for the model: like `node:cluster`, the main module
 * runs in the primary and again in every worker; the call decides by the process it runs in).
 */
import type { Handler } from '../http/message/conn-info.js';
import type { ServeOptions } from '../http/server/options.js';
import { type HttpServer, serve as serveHttp } from '../http/server/server.js';
import type { ClusterServer } from './cluster-server.js';
import { type ClusterOptions, resolveClusterOptions } from './options.js';
import { workerIdentity } from './protocol.js';

/**
 * Options of a multi-process `serve()`: the server's and the cluster's.
 *
 * @example
 * ```ts
 * const options: ClusterServeOptions = { port: 8080, workers: 'auto' };
 * ```
 */
export type ClusterServeOptions = ServeOptions & ClusterOptions;

/**
 * Serves HTTP/1.1 with `handler` (docs/architecture.md, The Handler seam). With `workers`, a
 * cluster: in the primary this forks the workers (which run the main module again), supervises
 * them and resolves once all listen; in a worker it listens as the primary says. SIGHUP reloads
 * with no dropped request, SIGTERM/SIGINT drain and exit.
 *
 * @example
 * ```ts
 * import { serve, Response } from 'wirekit';
 * const server = await serve((req) => Response.json({ pid: process.pid }), { port: 3000, workers: 'auto' });
 * if (server.role === 'primary') console.log(`listening on ${server.url}`);
 * ```
 */
export function serve(handler: Handler, options: ClusterServeOptions): Promise<ClusterServer>;
export function serve(handler: Handler, options?: ServeOptions): Promise<HttpServer>;
export function serve(
  handler: Handler,
  options: ServeOptions | ClusterServeOptions = {},
): Promise<HttpServer | ClusterServer> {
  if (!('workers' in options) || options.workers === undefined) return serveHttp(handler, options);
  return serveCluster(handler, options);
}

async function serveCluster(handler: Handler, options: ClusterServeOptions): Promise<ClusterServer> {
  const cluster = resolveClusterOptions(options);
  const serveOptions: ServeOptions & Partial<ClusterOptions> = { ...options };
  for (const key of CLUSTER_KEYS) delete serveOptions[key];
  if (workerIdentity() !== undefined) {
    const { serveAsWorker } = await import('./worker.js');
    return serveAsWorker(handler, serveOptions, cluster);
  }
  const { startPrimary } = await import('./primary.js');
  return startPrimary(cluster, options.port ?? 0);
}

const CLUSTER_KEYS = [
  'workers',
  'balancing',
  'exec',
  'startTimeoutMs',
  'drainTimeoutMs',
  'drainDelayMs',
  'maxCrashes',
  'crashWindowMs',
  'restartDelayMs',
  'handleSignals',
  'log',
] as const satisfies readonly (keyof ClusterOptions)[];

/**
 * True in a cluster's primary or a plain process, false in a worker: guard work meant to run once
 * (a migration, a scheduler) with it, since the main module runs in every process.
 *
 * @example
 * ```ts
 * if (isPrimary()) await runMigrations();
 * await app.listen({ port: 8080, workers: 4 });
 * ```
 */
export function isPrimary(): boolean {
  return workerIdentity() === undefined;
}
