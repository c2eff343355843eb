/** Options of a cluster (`serve(handler, { workers })`, `app.listen({ workers })`) and their defaults. */
import { availableParallelism } from 'node:os';
import { WirekitError } from '../errors.js';
import { canReusePort } from '../net/tcp-server.js';
import { anyOf, boolean, duration, func, integer, type OptionSpecs, oneOf, string } from '../util/options.js';

/**
 * How connections reach the workers: `'reuseport'` (each worker has its own `SO_REUSEPORT`
 * socket and the kernel spreads connections; Node 22.12+/23.1+ on Linux) or `'round-robin'`
 * (the primary accepts and hands connections to workers in turn: `node:cluster`).
 *
 * @example
 * ```ts
 * await serve(handler, { port: 8080, workers: 4, balancing: 'round-robin' });
 * ```
 */
export type Balancing = 'reuseport' | 'round-robin';

/**
 * Options of a multi-process server (see the README's "Scaling out"). Every wait has a default.
 *
 * @example
 * ```ts
 * await app.listen({ port: 8080, workers: 'auto', drainTimeoutMs: 10_000 });
 * ```
 */
export interface ClusterOptions {
  /** Worker processes: a number ≥ 1, or `'auto'` (one per core: `os.availableParallelism()`). */
  workers: number | 'auto';
  /** Default `'reuseport'` where the runtime has it, else `'round-robin'`. */
  balancing?: Balancing;
  /** The module the workers run. Default: this process's main module (`process.argv[1]`), with its arguments. */
  exec?: string;
  /** How long a new worker has to listen. Default 30 s; then it is killed (a crash). */
  startTimeoutMs?: number;
  /** A draining worker's deadline for in-flight requests and WebSocket close handshakes. Default 10 s. */
  drainTimeoutMs?: number;
  /** How long a draining worker keeps serving with readiness checks answering 503 before it closes. Default 0. */
  drainDelayMs?: number;
  /** A worker that crashes this often within `crashWindowMs` is not restarted again. Default 5. */
  maxCrashes?: number;
  /** Default 60 s. */
  crashWindowMs?: number;
  /** First restart delay after a crash, doubled per recent crash up to 10 s. Default 100 ms. */
  restartDelayMs?: number;
  /** SIGHUP reloads; SIGTERM and SIGINT drain every worker and exit 0. Default true. */
  handleSignals?: boolean;
  /** Where the primary reports (balancing chosen, crashes, reloads). Default: a line on stderr. */
  log?: (message: string) => void;
}

/** Cluster options with every default filled in. */
export interface ResolvedClusterOptions {
  readonly workers: number;
  readonly balancing: Balancing;
  readonly exec: string;
  readonly args: readonly string[];
  readonly startTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly drainDelayMs: number;
  readonly maxCrashes: number;
  readonly crashWindowMs: number;
  readonly restartDelayMs: number;
  readonly handleSignals: boolean;
  readonly log: (message: string) => void;
}

/** Longest wait between restarts of a crashing worker. */
export const MAX_RESTART_DELAY_MS = 10_000;

/**
 * The defaults of {@link ClusterOptions}.
 *
 * @example
 * ```ts
 * await serve(handler, { workers: 2, drainTimeoutMs: CLUSTER_DEFAULTS.drainTimeoutMs * 3 });
 * ```
 */
export const CLUSTER_DEFAULTS = Object.freeze({
  startTimeoutMs: 30_000,
  drainTimeoutMs: 10_000,
  drainDelayMs: 0,
  maxCrashes: 5,
  crashWindowMs: 60_000,
  restartDelayMs: 100,
});

/**
 * The option specs of a cluster, which `app.listen()` adds to the server's (util/options.ts).
 *
 * @example
 * ```ts
 * const schema = SERVE_OPTIONS.extend<ClusterServeOptions>('app.listen()', CLUSTER_OPTION_SPECS);
 * ```
 */
export const CLUSTER_OPTION_SPECS: OptionSpecs<ClusterOptions> = Object.freeze({
  workers: anyOf(integer(1, 1024), oneOf('auto')),
  balancing: oneOf('reuseport', 'round-robin'),
  exec: string(),
  startTimeoutMs: duration(),
  drainTimeoutMs: duration(),
  drainDelayMs: duration(),
  maxCrashes: integer(1),
  crashWindowMs: duration(),
  restartDelayMs: duration(),
  handleSignals: boolean(),
  log: func(),
});

/** Checks the options and fills the defaults. */
export function resolveClusterOptions(options: ClusterOptions): ResolvedClusterOptions {
  const workers = options.workers === 'auto' ? availableParallelism() : options.workers;
  if (!Number.isInteger(workers) || workers < 1 || workers > 1024) {
    throw new WirekitError(
      'WK_ERR_INVALID_ARGUMENT',
      `workers must be 'auto' or an integer in [1, 1024], got ${options.workers}`,
    );
  }
  const balancing = options.balancing ?? (canReusePort() ? 'reuseport' : 'round-robin');
  if (balancing !== 'reuseport' && balancing !== 'round-robin') {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `balancing must be 'reuseport' or 'round-robin'`);
  }
  if (balancing === 'reuseport' && !canReusePort()) {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `balancing 'reuseport' needs Node 22.12 / 23.1+ on Linux`);
  }
  const numbers: Record<keyof typeof CLUSTER_DEFAULTS, number> = { ...CLUSTER_DEFAULTS };
  for (const key of Object.keys(CLUSTER_DEFAULTS) as (keyof typeof CLUSTER_DEFAULTS)[]) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
      throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `${key} must be a finite number ≥ 0`);
    }
    numbers[key] = value;
  }
  const exec = options.exec ?? process.argv[1];
  if (exec === undefined)
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'no main module to run as workers: pass exec');
  return {
    ...numbers,
    workers,
    balancing,
    exec,
    args: options.exec === undefined ? process.argv.slice(2) : [],
    handleSignals: options.handleSignals ?? true,
    log: options.log ?? ((message) => process.stderr.write(`wirekit: ${message}\n`)),
  };
}
