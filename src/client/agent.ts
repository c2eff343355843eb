/**
 * `Agent`: a pool per origin, made on first use and dropped once it has had no connection and no
 * request for `poolIdleTimeoutMs`; and the global dispatcher `request()` and `fetch()` use.
 */
import { WirekitError } from '../errors.js';
import { anyOf, boolean, duration, object } from '../util/options.js';
import { type TimerHandle, timerWheel } from '../util/timer-wheel.js';
import { parseOrigin } from './origin.js';
import { Pool } from './pool.js';
import { POOL_OPTIONS, type PoolOptions, type PoolStats } from './pool-options.js';
import { type ProxyEnvironment, proxyFromEnvironment } from './proxy.js';
import { REQUEST_OPTIONS, type RequestOptions, runRequest } from './request-options.js';
import type { ClientResponse } from './response.js';
import type { Dispatcher, DispatchRequest } from './types.js';

/**
 * Options of an {@link Agent}: those of its pools, and how long an unused pool is kept.
 *
 * @example
 * ```ts
 * const agent = new Agent({ connections: 8, poolIdleTimeoutMs: 30_000, proxyFromEnv: true });
 * ```
 */
export interface AgentOptions extends PoolOptions {
  /** A pool with no connection and nothing queued for this long is dropped. Default 60 000 ms. */
  poolIdleTimeoutMs?: number;
  /**
   * Route requests through the proxy named by `HTTP_PROXY` / `HTTPS_PROXY` (lower case first) unless
   * `NO_PROXY` matches: `true` reads `process.env`, an object is read instead. Ignored when `proxy` is
   * given. Default false.
   */
  proxyFromEnv?: boolean | ProxyEnvironment;
}

/**
 * Default of {@link AgentOptions.poolIdleTimeoutMs}.
 *
 * @example
 * ```ts
 * new Agent({ poolIdleTimeoutMs: DEFAULT_POOL_IDLE_TIMEOUT_MS * 2 });
 * ```
 */
export const DEFAULT_POOL_IDLE_TIMEOUT_MS = 60_000;

/**
 * Pools by origin: the dispatcher for requests to any URL.
 *
 * @example
 * ```ts
 * const agent = new Agent({ connections: 16, timeouts: { headersTimeoutMs: 5_000 } });
 * const res = await agent.request('https://example.com/');
 * console.log(res.status, res.timings);
 * await agent.close();
 * ```
 */
export class Agent implements Dispatcher {
  readonly #options: AgentOptions;
  readonly #idleMs: number;
  readonly #pools = new Map<string, Pool>();
  readonly #retirements = new Map<Pool, TimerHandle>();
  #closed = false;

  constructor(options: AgentOptions = {}) {
    AGENT_OPTIONS.check(options);
    this.#options = options;
    this.#idleMs = options.poolIdleTimeoutMs ?? DEFAULT_POOL_IDLE_TIMEOUT_MS;
  }

  /** Origins with a pool now. */
  get origins(): string[] {
    return [...this.#pools.keys()];
  }

  /** The stats of each pool, by origin. */
  get stats(): Record<string, PoolStats> {
    const out: Record<string, PoolStats> = {};
    for (const [origin, pool] of this.#pools) out[origin] = pool.stats;
    return out;
  }

  /**
   * Sends a request to `url`.
   *
   * @example
   * ```ts
   * const res = await agent.request('http://127.0.0.1:8080/echo', { method: 'POST', body: 'hi' });
   * ```
   */
  request(url: string | URL, options: RequestOptions = {}): Promise<ClientResponse> {
    let target: URL;
    try {
      target = typeof url === 'string' ? new URL(url) : url;
    } catch (cause) {
      return Promise.reject(new WirekitError('WK_ERR_INVALID_ARGUMENT', `not a URL: ${String(url)}`, { cause }));
    }
    return runRequest(this, target.origin, `${target.pathname}${target.search}`, options, AGENT_REQUEST_OPTIONS);
  }

  dispatch(request: DispatchRequest): Promise<ClientResponse> {
    if (this.#closed) return Promise.reject(new WirekitError('WK_ERR_CLIENT_CLOSED', 'the agent is closed'));
    let pool = this.#pools.get(request.origin);
    if (pool === undefined) {
      try {
        pool = this.#create(request.origin);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return pool.dispatch(request);
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const handle of this.#retirements.values()) handle.cancel();
    this.#retirements.clear();
    await Promise.all([...this.#pools.values()].map((pool) => pool.close()));
    this.#pools.clear();
  }

  async destroy(error?: unknown): Promise<void> {
    this.#closed = true;
    for (const handle of this.#retirements.values()) handle.cancel();
    this.#retirements.clear();
    await Promise.all([...this.#pools.values()].map((pool) => pool.destroy(error)));
    this.#pools.clear();
  }

  #create(origin: string): Pool {
    const { poolIdleTimeoutMs: _idle, proxyFromEnv: env, ...poolOptions } = this.#options;
    const options: PoolOptions = poolOptions;
    if (options.proxy === undefined && env !== undefined && env !== false) {
      const proxy = proxyFromEnvironment(parseOrigin(origin), env === true ? process.env : env);
      if (proxy !== undefined) options.proxy = proxy;
    }
    const pool = new Pool(origin, options);
    pool.onEmpty = () => this.#scheduleRetirement(origin, pool);
    this.#pools.set(origin, pool);
    return pool;
  }

  #scheduleRetirement(origin: string, pool: Pool): void {
    if (this.#closed) return;
    const due = timerWheel.now() + this.#idleMs;
    const handle = this.#retirements.get(pool);
    if (handle !== undefined) {
      handle.refresh(due);
      return;
    }
    const retire = (): void => {
      this.#retirements.delete(pool);
      const stats = pool.stats;
      if (stats.connections + stats.connecting + stats.queued > 0) return; // in use again: re-armed when empty
      this.#pools.delete(origin);
      void pool.close();
    };
    this.#retirements.set(pool, timerWheel.add(due, retire));
  }
}

let globalDispatcher: Dispatcher | undefined;

/** The keys of `agent.request(url, options)`. */
const AGENT_REQUEST_OPTIONS = REQUEST_OPTIONS.extend<RequestOptions>('agent.request()', {});

/** The options of `new Agent()`: a pool's, and its own two. */
const AGENT_OPTIONS = POOL_OPTIONS.extend<AgentOptions>('new Agent()', {
  poolIdleTimeoutMs: duration(),
  proxyFromEnv: anyOf(boolean(), object()),
});

/**
 * The dispatcher `request()` and `fetch()` use when none is given (an {@link Agent}, made on first use).
 *
 * @example
 * ```ts
 * await getGlobalDispatcher().close(); // at shutdown
 * ```
 */
export function getGlobalDispatcher(): Dispatcher {
  globalDispatcher ??= new Agent();
  return globalDispatcher;
}

/**
 * Replaces the global dispatcher (the old one is not closed).
 *
 * @example
 * ```ts
 * setGlobalDispatcher(withInterceptors(new Agent({ proxyFromEnv: true }), retry()));
 * ```
 */
export function setGlobalDispatcher(dispatcher: Dispatcher): void {
  globalDispatcher = dispatcher;
}
