import type { SocketAddress } from '../errors.js';
import type { HttpServer } from '../http/server/server.js';
import type { Balancing } from './options.js';

/**
 * A worker as the primary sees it.
 *
 * @example
 * ```ts
 * for (const w of server.workers) console.log(w.slot, w.generation, w.pid, w.state);
 * ```
 */
export interface ClusterWorkerInfo {
  /** Which of the `workers` places it fills (0 … n − 1); a restart or a reload fills it again. */
  readonly slot: number;
  /** 0 for the first workers, +1 per reload. */
  readonly generation: number;
  readonly pid: number | undefined;
  readonly state: 'starting' | 'listening' | 'draining';
}

/**
 * What `serve(handler, { workers })` and `app.listen({ workers })` resolve with, in the primary
 * and in each worker (the same code runs in both: see the README's "Scaling out").
 *
 * @example
 * ```ts
 * const server = await app.listen({ port: 8080, workers: 'auto' });
 * if (server.role === 'primary') console.log(`${server.workers.length} workers on ${server.url}`);
 * ```
 */
export interface ClusterServer extends AsyncDisposable {
  /** `'primary'`: the supervisor, which serves nothing itself; `'worker'`: serving. */
  readonly role: 'primary' | 'worker';
  /** In a worker: its slot and generation. */
  readonly worker: { readonly slot: number; readonly generation: number } | undefined;
  readonly balancing: Balancing;
  /** Where the cluster listens (the real port when 0 was asked for). */
  readonly address: SocketAddress;
  /** `http://host:port`. */
  readonly url: string;
  /** In the primary: the live workers. Empty in a worker. */
  readonly workers: readonly ClusterWorkerInfo[];
  /** In a worker: its HTTP server. Undefined in the primary. */
  readonly server: HttpServer | undefined;
  /**
   * Zero-downtime reload: new workers (new code) start, and once they all listen the old ones
   * drain. Rejects `WK_ERR_CLUSTER_RELOAD` (the old workers keep serving) when a new one fails to
   * start. In a worker it asks the primary and resolves at once. SIGHUP does the same.
   */
  reload(): Promise<void>;
  /**
   * Drains every worker (in-flight requests and WebSocket close handshakes finish, up to
   * `timeoutMs`, default `drainTimeoutMs`) and resolves when all have exited. In a worker: drains
   * this worker and exits its process.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
}
