import type { RateLimitCounts } from './store.js';

/** What the limiter decided for one request. */
export interface Decision {
  readonly allowed: boolean;
  /** Requests still available now (the draft's `r`). */
  readonly remaining: number;
  /**
   * Milliseconds the answer holds for: for an allowed request, until the current window ends (its
   * count starts to fade then); for a refused one, until a request would be allowed again.
   */
  readonly resetMs: number;
}

/**
 * The sliding window counter (the approximation of a sliding log that Cloudflare and others use):
 * the requests of the last `windowMs` are estimated as all of the current fixed window's plus the
 * previous window's scaled by how much of it still lies within the last `windowMs`:
 *
 *     estimate = previous × (windowMs − elapsed) / windowMs + current
 *
 * A request is allowed while the estimate, itself included, is at most `limit`. Why this algorithm:
 * unlike a fixed window it allows no burst of 2 × limit across a window boundary; unlike a sliding
 * log it keeps two numbers per key instead of one timestamp per request; unlike a token bucket it
 * keeps the meaning users configure ("at most `limit` in any `windowMs`"), where a full bucket
 * refilled during a window lets nearly 2 × limit through; and a shared store needs only an atomic
 * increment of one key (see RATE_LIMIT_REDIS_SCRIPT). It is exact when the previous window's
 * requests were spread evenly, and errs by at most that window's unevenness otherwise.
 *
 * Refused requests are counted too (the store counts before anyone decides): a client that keeps
 * sending while refused stays refused; one that waits `Retry-After` gets through.
 *
 * @example
 * ```ts
 * decide({ current: 3, previous: 10, elapsedMs: 45_000 }, 5, 60_000);
 * // estimate 10 × 0.25 + 3 = 5.5 > 5: { allowed: false, remaining: 0, resetMs: … }
 * ```
 */
export function decide(counts: RateLimitCounts, limit: number, windowMs: number): Decision {
  const elapsed = Math.max(0, Math.min(windowMs, counts.elapsedMs));
  const left = windowMs - elapsed;
  const estimate = (counts.previous * left) / windowMs + counts.current;
  if (estimate <= limit) {
    return { allowed: true, remaining: Math.max(0, Math.floor(limit - estimate)), resetMs: left };
  }
  return { allowed: false, remaining: 0, resetMs: waitMs(counts, limit, windowMs, left) };
}

/**
 * How long until one more request would be allowed, if none is sent meanwhile: the first moment at
 * which estimate + 1 ≤ limit. Within the current window the previous window's share fades; failing
 * that, the current count becomes the previous one and fades in the next window. After two windows
 * nothing is counted, so the answer is at most `left + windowMs`.
 */
function waitMs(counts: RateLimitCounts, limit: number, windowMs: number, left: number): number {
  const room = limit - 1 - counts.current;
  if (room >= 0 && counts.previous > 0) {
    // previous × (left − t) / windowMs ≤ room
    const t = left - (room * windowMs) / counts.previous;
    if (t <= left) return Math.max(0, t);
  }
  // In the next window, after s of it: current × (windowMs − s) / windowMs + 1 ≤ limit.
  const s = Math.max(0, windowMs - ((limit - 1) * windowMs) / counts.current);
  return left + s;
}
