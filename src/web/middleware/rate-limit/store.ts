/**
 * The counts of one key in the sliding window counter (see `sliding-window.ts`): the requests of
 * the current fixed window, this one included, those of the window before, and how far into the
 * current window the request came. That is all the algorithm needs, so a store is one atomic
 * read-and-increment.
 */
export interface RateLimitCounts {
  /** Requests counted in the current window, the one just counted included (so at least 1). */
  readonly current: number;
  /** Requests counted in the window before the current one (0 when there was none). */
  readonly previous: number;
  /** Milliseconds since the current window began, on the store's clock (0 ≤ elapsedMs < windowMs). */
  readonly elapsedMs: number;
}

/**
 * Where `rateLimit()` keeps its counts. Windows are aligned on the store's clock (window n covers
 * `[n × windowMs, (n + 1) × windowMs)`), so every process sharing a store (Redis) agrees on them.
 *
 * A shared store must make `increment` one atomic step, or two nodes counting the same key at once
 * lose a request; {@link RATE_LIMIT_REDIS_SCRIPT} is that step for Redis.
 *
 * @example
 * ```ts
 * const store: RateLimitStore = {
 *   increment: (key, windowMs) => redis.evalsha(sha, 1, `rl:{${key}}`, windowMs).then(([current, previous, elapsedMs]) => ({ current, previous, elapsedMs })),
 *   reset: (key) => redis.del(`rl:{${key}}`).then(() => {}),
 * };
 * ```
 */
export interface RateLimitStore {
  /** Counts one request for `key` and answers the counts after it. */
  increment(key: string, windowMs: number): Promise<RateLimitCounts>;
  /** Forgets `key` (a user who just logged in, an operator's unblock). */
  reset(key: string): Promise<void>;
}

/**
 * The Redis form of {@link RateLimitStore.increment}: one Lua script, so the read, the window
 * roll-over and the increment are one atomic step on the server, and the time is Redis's own
 * (`TIME`), so nodes with skewed clocks still agree on the windows. One hash per key (fields
 * `w` window number, `c` current count, `p` previous count), which keeps a key in one Redis
 * Cluster slot; it expires two windows after its last request, when it could no longer count.
 *
 * `EVAL script 1 <key> <windowMs> [nowMs]` answers `[current, previous, elapsedMs]`. `nowMs` is for
 * tests only: leave it out in production so every node uses Redis's clock.
 *
 * @example
 * ```ts
 * const [current, previous, elapsedMs] = await redis.eval(RATE_LIMIT_REDIS_SCRIPT, 1, `rl:{${key}}`, windowMs);
 * ```
 */
export const RATE_LIMIT_REDIS_SCRIPT = `
local w = tonumber(ARGV[1])
local now = tonumber(ARGV[2])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local n = math.floor(now / w)
local s = redis.call('HMGET', KEYS[1], 'w', 'c', 'p')
local last, c, p = tonumber(s[1]), tonumber(s[2]) or 0, tonumber(s[3]) or 0
if last == nil or last < n - 1 then
  c, p = 0, 0
elseif last == n - 1 then
  c, p = 0, c
elseif last > n then
  n = last
end
c = c + 1
redis.call('HSET', KEYS[1], 'w', n, 'c', c, 'p', p)
redis.call('PEXPIRE', KEYS[1], 2 * w)
return { c, p, math.max(0, math.min(w - 1, now - n * w)) }
`;
