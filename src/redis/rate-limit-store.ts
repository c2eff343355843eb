import { WirekitError } from '../errors.js';
import { HttpError } from '../web/http-error.js';
import {
  RATE_LIMIT_REDIS_SCRIPT,
  type RateLimitCounts,
  type RateLimitStore,
} from '../web/middleware/rate-limit/store.js';
import { openRedis, type RedisLink, whenReady } from './client.js';
import { DEFAULT_COUNT_TIMEOUT_MS, DEFAULT_REDIS_URL, type RedisConnection } from './options.js';

/**
 * Options of {@link RedisRateLimitStore}.
 *
 * @example
 * ```ts
 * new RedisRateLimitStore({ redis: 'redis://10.0.0.5:6379', whenDown: 'allow' });
 * ```
 */
export interface RedisRateLimitStoreOptions {
  /** Where Redis is (a URL or host, port, password…). Default `redis://127.0.0.1:6379`. */
  redis?: RedisConnection;
  /** Prefix of every key. Default `wk:rl:`. */
  prefix?: string;
  /**
   * When Redis cannot answer (down, restarting, slower than `commandTimeoutMs`): `'refuse'`
   * (default, fail closed: 503 with `Retry-After: 1`, nothing is let through uncounted) or
   * `'allow'` (fail open: the request passes uncounted; availability over the limit).
   */
  whenDown?: 'refuse' | 'allow';
  /** How long a count may take. Default 500 ms. */
  commandTimeoutMs?: number;
}

/** The counts a request gets when Redis is down and the store lets it through. */
const ALLOWED_UNCOUNTED: RateLimitCounts = Object.freeze({ current: 1, previous: 0, elapsedMs: 0 });

/**
 * A {@link RateLimitStore} in Redis, so a limit holds across processes and machines: one atomic
 * Lua script per request (`RATE_LIMIT_REDIS_SCRIPT`, sent once and then called by its SHA), on
 * Redis's clock. Reconnects by itself; while Redis is down it refuses or allows (`whenDown`).
 *
 * @example
 * ```ts
 * import { RedisRateLimitStore } from 'wirekit/redis';
 * app.use(rateLimit({ windowMs: 60_000, limit: 100, store: new RedisRateLimitStore({ redis: process.env.REDIS_URL }) }));
 * ```
 */
export class RedisRateLimitStore implements RateLimitStore {
  readonly #redis: RedisLink;
  readonly #prefix: string;
  readonly #whenDown: 'refuse' | 'allow';
  readonly #timeoutMs: number;
  #sha: string | undefined;

  constructor(options: RedisRateLimitStoreOptions = {}) {
    const whenDown = options.whenDown ?? 'refuse';
    if (whenDown !== 'refuse' && whenDown !== 'allow') {
      throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `whenDown must be 'refuse' or 'allow'`);
    }
    this.#whenDown = whenDown;
    this.#prefix = options.prefix ?? 'wk:rl:';
    this.#timeoutMs = options.commandTimeoutMs ?? DEFAULT_COUNT_TIMEOUT_MS;
    this.#redis = openRedis(options.redis ?? DEFAULT_REDIS_URL, this.#timeoutMs);
  }

  async increment(key: string, windowMs: number): Promise<RateLimitCounts> {
    try {
      const [current, previous, elapsedMs] = (await this.#eval(this.#key(key), windowMs)) as [number, number, number];
      return { current, previous, elapsedMs };
    } catch (error) {
      if (this.#whenDown === 'allow') return ALLOWED_UNCOUNTED;
      throw new HttpError(503, 'the rate limiter cannot reach its store', {
        headers: { 'Retry-After': '1' },
        cause: new WirekitError('WK_ERR_REDIS', 'rate limit count failed', { cause: error }),
      });
    }
  }

  async reset(key: string): Promise<void> {
    try {
      await whenReady(this.#redis, this.#timeoutMs);
      await this.#redis.del(this.#key(key));
    } catch (error) {
      throw new WirekitError('WK_ERR_REDIS', 'rate limit reset failed', { cause: error });
    }
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }

  /** `rl:{key}`: braces keep a key in one Redis Cluster slot. */
  #key(key: string): string {
    return `${this.#prefix}{${key}}`;
  }

  /** EVALSHA, loading the script on first use and again after a Redis restart forgot it (NOSCRIPT). */
  async #eval(key: string, windowMs: number): Promise<unknown> {
    await whenReady(this.#redis, this.#timeoutMs);
    this.#sha ??= (await this.#redis.script('LOAD', RATE_LIMIT_REDIS_SCRIPT)) as string;
    try {
      return await this.#redis.evalsha(this.#sha, 1, key, windowMs);
    } catch (error) {
      if (!String((error as Error).message).startsWith('NOSCRIPT')) throw error;
      this.#sha = (await this.#redis.script('LOAD', RATE_LIMIT_REDIS_SCRIPT)) as string;
      return this.#redis.evalsha(this.#sha, 1, key, windowMs);
    }
  }
}
