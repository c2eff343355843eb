/** The options of a `Pool` (and of the pools an `Agent` makes), their defaults and their checks. */

import {
  anyOf,
  boolean,
  duration,
  instanceOf,
  integer,
  nested,
  number,
  OptionsSchema,
  object,
  string,
} from '../util/options.js';
import type { TlsOptions } from './connector.js';
import type { ProxyConfig } from './proxy.js';
import type { Timeouts } from './timeouts.js';

/**
 * Options of a {@link Pool} (and of the pools an `Agent` makes). Every limit has a default.
 *
 * @example
 * ```ts
 * const pool = new Pool('http://127.0.0.1:8080', { connections: 16, maxQueue: 1_000, timeouts: { headersTimeoutMs: 5_000 } });
 * ```
 */
export interface PoolOptions {
  /** Most connections open at once. Default 64 (a `Client`: 1). */
  connections?: number;
  /** Requests written on one connection before their responses arrive. Default 1 (no pipelining). */
  pipelining?: number;
  /** Most requests waiting for a connection; one more is refused with `WK_ERR_POOL_QUEUE_FULL`. Default 10 000. */
  maxQueue?: number;
  /** Timeouts of every request (each can be overridden per request). Defaults: {@link DEFAULT_TIMEOUTS}. */
  timeouts?: Partial<Timeouts>;
  /** Idle time after which a keep-alive connection is closed when the server names none. Default 4 000 ms. */
  keepAliveTimeoutMs?: number;
  /** Cap on the idle time a server's `Keep-Alive: timeout` can give. Default 600 000 ms. */
  keepAliveMaxTimeoutMs?: number;
  /** How long before the server's `Keep-Alive: timeout` an idle connection is closed. Default 1 000 ms. */
  keepAliveTimeoutThresholdMs?: number;
  /** Largest response body let through (`WK_ERR_RESPONSE_TOO_LARGE`). Default unlimited: stream what you want. */
  maxResponseBytes?: number;
  /** Largest response head. Default 16 KiB (`WK_ERR_RESPONSE_HEAD_TOO_LARGE`). */
  maxHeadBytes?: number;
  /** Most response header fields. Default 256. */
  maxHeaderCount?: number;
  /** Response body bytes buffered for a slow reader before the socket is paused. Default 64 KiB. */
  bodyHighWaterBytes?: number;
  /** TLS settings for `https:` (CA, client certificate, `rejectUnauthorized`, SNI name). */
  tls?: TlsOptions;
  /** An HTTP proxy to tunnel through with CONNECT (`http://user:pass@host:port`). */
  proxy?: string | URL | ProxyConfig;
  /** The local address to connect from. */
  localAddress?: string;
  /**
   * Offer HTTP/2 by ALPN on `https:` connections; a server that picks it gets every request of the
   * pool multiplexed on one connection (up to `maxConcurrentStreams` at once). Default false.
   */
  allowH2?: boolean;
  /** Requests in flight at once on one HTTP/2 connection (the server's SETTINGS may lower it). Default 100. */
  maxConcurrentStreams?: number;
}

/**
 * Counts of a pool, for monitoring and tests.
 *
 * @example
 * ```ts
 * const { connections, idle, queued, running } = pool.stats;
 * ```
 */
export interface PoolStats {
  /** Open connections. */
  connections: number;
  /** Connections being opened. */
  connecting: number;
  /** Open connections with nothing in flight. */
  idle: number;
  /** Requests waiting for a connection. */
  queued: number;
  /** Requests written and not yet answered to their end. */
  running: number;
}

/**
 * Defaults of {@link PoolOptions}.
 *
 * @example
 * ```ts
 * new Pool(origin, { connections: POOL_DEFAULTS.connections * 2 });
 * ```
 */
export const POOL_DEFAULTS = Object.freeze({
  connections: 64,
  pipelining: 1,
  maxQueue: 10_000,
  keepAliveTimeoutMs: 4_000,
  keepAliveMaxTimeoutMs: 600_000,
  keepAliveTimeoutThresholdMs: 1_000,
  bodyHighWaterBytes: 64 * 1024,
  maxConcurrentStreams: 100,
});

/**
 * Validates pool options at construction, so a typo fails at once (`WK_ERR_INVALID_ARGUMENT`).
 *
 * @example
 * ```ts
 * checkPoolOptions({ connections: 0 }); // throws: connections must be an integer in [1, …]
 * ```
 */
export function checkPoolOptions(options: PoolOptions, where = 'new Pool()'): void {
  const schema = where === POOL_OPTIONS.where ? POOL_OPTIONS : POOL_OPTIONS.extend<PoolOptions>(where, {});
  schema.check(options);
}

/**
 * The keys of {@link Timeouts}, for `timeouts` options (of a pool, and of each request).
 *
 * @example
 * ```ts
 * TIMEOUT_OPTIONS.check({ headersTimeoutMs: 5_000 });
 * ```
 */
export const TIMEOUT_OPTIONS = new OptionsSchema<Timeouts>('timeouts', {
  queueTimeoutMs: duration(),
  connectTimeoutMs: duration(),
  tlsTimeoutMs: duration(),
  headersTimeoutMs: duration(),
  bodyTimeoutMs: duration(),
  totalTimeoutMs: duration(),
});

/**
 * The options of a pool (util/options.ts: unknown keys and bad values fail at set-up).
 *
 * @example
 * ```ts
 * POOL_OPTIONS.check({ connections: 8 });
 * ```
 */
export const POOL_OPTIONS = new OptionsSchema<PoolOptions>('new Pool()', {
  connections: integer(1, 1_000_000),
  pipelining: integer(1, 1_000),
  maxQueue: integer(0),
  timeouts: nested(TIMEOUT_OPTIONS),
  keepAliveTimeoutMs: duration(),
  keepAliveMaxTimeoutMs: duration(),
  keepAliveTimeoutThresholdMs: duration(),
  maxResponseBytes: number(0),
  maxHeadBytes: integer(1),
  maxHeaderCount: integer(1),
  bodyHighWaterBytes: integer(1),
  tls: object(),
  proxy: anyOf(string(), instanceOf(URL, 'a URL'), object()),
  localAddress: string(),
  allowH2: boolean(),
  maxConcurrentStreams: integer(1, 2 ** 31 - 1),
});
