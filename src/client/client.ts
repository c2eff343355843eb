/** `Client`: one keep-alive connection to one origin, optionally pipelined. */
import { Pool } from './pool.js';
import type { PoolOptions } from './pool-options.js';
import { POOL_OPTIONS } from './pool-options.js';

/** The options of `new Client()`: a pool's but `connections` (always 1). */
const CLIENT_OPTIONS = POOL_OPTIONS.omit<ClientOptions>('new Client()', ['connections']);

/**
 * Options of a {@link Client}: a pool's, without `connections` (always 1).
 *
 * @example
 * ```ts
 * const options: ClientOptions = { pipelining: 4, keepAliveTimeoutMs: 10_000 };
 * ```
 */
export type ClientOptions = Omit<PoolOptions, 'connections'>;

/**
 * One connection to one origin, reopened when it closes; requests beyond `pipelining` wait in its
 * bounded queue. A `Pool` with a single connection, under the name undici users know.
 *
 * @example
 * ```ts
 * const client = new Client('http://127.0.0.1:8080', { pipelining: 4 });
 * const [a, b] = await Promise.all([client.request({ path: '/a' }), client.request({ path: '/b' })]);
 * await Promise.all([a.body.text(), b.body.text()]);
 * await client.close();
 * ```
 */
export class Client extends Pool {
  constructor(origin: string | URL, options: ClientOptions = {}) {
    CLIENT_OPTIONS.check(options);
    super(origin, { ...options, connections: 1 });
  }
}
