import { WirekitError } from '../../../errors.js';
import { boolean, func, integer, number, OptionsSchema, object, string } from '../../../util/options.js';
import { clientIp } from '../../client-ip.js';
import type { Middleware } from '../../compose.js';
import { Context } from '../../context.js';
import { TooManyRequestsError } from '../../http-error.js';
import { digest } from '../shared/credentials.js';
import { integerOption } from '../shared/options.js';
import { delaySeconds, limitField, policyField, policyName } from './fields.js';
import { ipKey } from './ip-key.js';
import { MemoryStore } from './memory-store.js';
import { decide } from './sliding-window.js';
import type { RateLimitStore } from './store.js';

export { ipKey } from './ip-key.js';
export { DEFAULT_RATE_LIMIT_MAX_KEYS, MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export type { RateLimitCounts, RateLimitStore } from './store.js';

/** Options of {@link rateLimit}: `windowMs` and `limit` are required. */
export interface RateLimitOptions<V extends object = Record<string, unknown>> {
  /** The window, in milliseconds: a whole number of seconds (the draft's `w` has no fractions), 1 s to 1 year. */
  windowMs: number;
  /** Requests allowed per key in any `windowMs`. */
  limit: number;
  /** Whose requests count together. Default: the client IP (`clientIp(c)`), IPv6 by `/ipv6Subnet` prefix. */
  key?: (c: Context<V>) => string | Promise<string>;
  /** Where counts live. Default a new {@link MemoryStore} (one process, 100 000 keys). */
  store?: RateLimitStore;
  /** Requests that neither count nor are limited (health checks, trusted callers). */
  skip?: (c: Context<V>) => boolean | Promise<boolean>;
  /** The policy's name in `RateLimit-Policy` and `RateLimit`, and the prefix of its store keys. Default `<limit>-in-<seconds>s`. */
  name?: string;
  /** Send `RateLimit-Policy` and `RateLimit` on every response. Default true; `Retry-After` on a 429 always. */
  headers?: boolean;
  /** Prefix length that identifies an IPv6 client for the default key. Default 56. */
  ipv6Subnet?: number;
}

/** A rate limiter: middleware, plus `reset` to forget a client's count. */
export type RateLimitMiddleware<V extends object = Record<string, unknown>> = Middleware<V> & {
  /** Forgets the count of a key (as `key` returns it) or of the request `c`'s client. */
  reset(keyOrContext: string | Context<V>): Promise<void>;
};

/** Keys longer than this are stored as their SHA-256, so a key taken from a request field cannot grow memory. */
const MAX_KEY_LENGTH = 128;
const YEAR_MS = 365 * 24 * 3600 * 1000;

const RATE_LIMIT_OPTIONS = new OptionsSchema<RateLimitOptions>('rateLimit()', {
  windowMs: number(),
  limit: number(),
  key: func(),
  store: object(),
  skip: func(),
  name: string(),
  headers: boolean(),
  ipv6Subnet: integer(1, 128),
});

/**
 * Limits how many requests a client makes per window: the `limit + 1`-th request within any
 * `windowMs` (a sliding window counter: see `sliding-window.ts` for why) is answered 429 with
 * `Retry-After`, before any route runs. Every response carries the IETF fields of
 * draft-ietf-httpapi-ratelimit-headers (`RateLimit-Policy: "100-in-60s";q=100;w=60`,
 * `RateLimit: "100-in-60s";r=42;t=17`); several limiters add to one list.
 *
 * Counts live in a bounded in-memory store by default (one process); give every process the same
 * `store` (Redis: one atomic script, `RATE_LIMIT_REDIS_SCRIPT`) for limits that hold across nodes.
 * A store that fails fails the request (500): nothing is let through uncounted.
 *
 * @example
 * ```ts
 * app.use('/api/*', rateLimit({ windowMs: 60_000, limit: 100 }));
 * const logins = rateLimit({ windowMs: 15 * 60_000, limit: 5, name: 'login' });
 * app.post('/login', logins, async (c) => {
 *   await logins.reset(c); // a successful login starts afresh
 *   return c.text('welcome');
 * });
 * ```
 */
export function rateLimit<V extends object = Record<string, unknown>>(
  options: RateLimitOptions<V>,
): RateLimitMiddleware<V> {
  RATE_LIMIT_OPTIONS.check(options as RateLimitOptions);
  const windowMs = integerOption('windowMs', options.windowMs, 1000, YEAR_MS);
  if (windowMs % 1000 !== 0) {
    throw new WirekitError(
      'WK_ERR_INVALID_ARGUMENT',
      `windowMs must be whole seconds (RateLimit-Policy's w), not ${windowMs}`,
    );
  }
  const limit = integerOption('limit', options.limit, 1);
  const rawName = options.name ?? `${limit}-in-${windowMs / 1000}s`;
  const name = policyName(rawName);
  const subnet = integerOption('ipv6Subnet', options.ipv6Subnet ?? 56, 1, 128);
  const keyOf = checkFunction('key', options.key) ?? ((c: Context<V>) => ipKey(clientIp(c), subnet));
  const skip = checkFunction('skip', options.skip);
  const store = options.store ?? new MemoryStore();
  if (typeof store?.increment !== 'function' || typeof store.reset !== 'function') {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', 'store must have increment(key, windowMs) and reset(key)');
  }
  const headers = options.headers ?? true;
  const policy = policyField(name, limit, windowMs);
  const storeKey = async (c: Context<V>) => stored(rawName, await keyOf(c));

  const middleware = async (c: Context<V>, next: () => Promise<void>) => {
    if (skip !== undefined && (await skip(c))) return next();
    const decision = decide(await store.increment(await storeKey(c), windowMs), limit, windowMs);
    if (!decision.allowed) {
      const seconds = delaySeconds(decision.resetMs, 1);
      const fields: Record<string, string> = { 'Retry-After': String(seconds) };
      if (headers) {
        // The window announced on a refusal ends when Retry-After does (draft §6: not before).
        fields['RateLimit-Policy'] = policy;
        fields.RateLimit = limitField(name, 0, seconds);
      }
      throw new TooManyRequestsError('too many requests', { headers: fields });
    }
    await next();
    if (!headers) return;
    const remaining = limitField(name, decision.remaining, delaySeconds(decision.resetMs, 0));
    const target = c.res?.headers;
    // Appended: these fields are lists, and an outer limiter's items join this one's.
    if (target === undefined) {
      c.header('RateLimit-Policy', policy, { append: true });
      c.header('RateLimit', remaining, { append: true });
    } else {
      target.append('RateLimit-Policy', policy);
      target.append('RateLimit', remaining);
    }
  };
  return Object.assign(middleware, {
    reset: async (keyOrContext: string | Context<V>) =>
      store.reset(
        keyOrContext instanceof Context ? await storeKey(keyOrContext) : stored(rawName, String(keyOrContext)),
      ),
  });
}

/** The store key: the policy's name (limiters sharing a store keep apart) and the client's key, hashed when long. */
function stored(name: string, key: string): string {
  const text = typeof key === 'string' ? key : String(key);
  const short = text.length <= MAX_KEY_LENGTH ? text : `#${digest(text).toString('base64url')}`;
  return `${name}:${short}`;
}

function checkFunction<F>(name: string, value: F | undefined): F | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `${name} must be a function`);
  }
  return value;
}
