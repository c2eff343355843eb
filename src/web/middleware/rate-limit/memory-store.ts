import { checkInteger } from '../shared/options.js';
import type { RateLimitCounts, RateLimitStore } from './store.js';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most keys kept. Past it, the key used least recently is forgotten (its client starts afresh).
   * Default 100 000: about 13 MiB (measured 135 bytes per entry with IPv4 keys).
   */
  maxKeys?: number;
  /** The clock, in milliseconds. Default wall-clock time that never steps back. Injectable for tests. */
  now?: () => number;
}

/** Default {@link MemoryStoreOptions.maxKeys}. */
export const DEFAULT_RATE_LIMIT_MAX_KEYS = 100_000;

interface Entry {
  /** The window number the counts belong to. */
  window: number;
  current: number;
  previous: number;
  /** The window length the entry counts in (stores may be shared by limiters of different windows). */
  windowMs: number;
}

/**
 * The default {@link RateLimitStore}: counts in this process's memory, for one process (several
 * processes each count alone: use a shared store there). Bounded twice: a key two windows old is
 * dropped as it is met (its counts can no longer matter), and past `maxKeys` the least recently used
 * key goes, so a flood of new keys (spoofed or rotating addresses) costs at most `maxKeys` entries.
 * Both happen on `increment`, in O(1): a `Map` in least-recently-used order, no timer.
 *
 * @example
 * ```ts
 * const store = new MemoryStore({ maxKeys: 10_000 });
 * app.use(rateLimit({ windowMs: 60_000, limit: 100, store }));
 * ```
 */
export class MemoryStore implements RateLimitStore {
  readonly maxKeys: number;
  readonly #now: () => number;
  /** Keys in least-recently-used order: the first is the next to evict. */
  readonly #entries = new Map<string, Entry>();

  constructor(options: MemoryStoreOptions = {}) {
    this.maxKeys = checkInteger('maxKeys', options.maxKeys ?? DEFAULT_RATE_LIMIT_MAX_KEYS, 1);
    this.#now = options.now ?? monotonicWallClock;
  }

  /** Keys held now. */
  get size(): number {
    return this.#entries.size;
  }

  increment(key: string, windowMs: number): Promise<RateLimitCounts> {
    return Promise.resolve(this.count(key, windowMs));
  }

  reset(key: string): Promise<void> {
    this.#entries.delete(key);
    return Promise.resolve();
  }

  /** {@link increment} without the promise (same semantics as {@link RATE_LIMIT_REDIS_SCRIPT}). */
  count(key: string, windowMs: number): RateLimitCounts {
    const now = this.#now();
    let window = Math.floor(now / windowMs);
    const entries = this.#entries;
    let entry = entries.get(key);
    if (entry === undefined) {
      // Flattens a key built by concatenation (a V8 rope) before it is kept: the key then costs its
      // characters, not the pieces it was made of (measured: 285 → 135 bytes per entry).
      key.charCodeAt(0);
      entry = { window, current: 0, previous: 0, windowMs };
    } else if (entry.windowMs !== windowMs || entry.window < window - 1) {
      entry = { window, current: 0, previous: 0, windowMs };
    } else if (entry.window === window - 1) {
      entry.previous = entry.current;
      entry.current = 0;
      entry.window = window;
    } else if (entry.window > window) {
      // The clock stepped back: keep counting in the window the entry is in.
      window = entry.window;
    }
    entry.current++;
    // Re-inserted last: the Map's order is the order of use.
    entries.delete(key);
    entries.set(key, entry);
    this.#evict(now);
    return { current: entry.current, previous: entry.previous, elapsedMs: clamp(now - window * windowMs, windowMs) };
  }

  /** Drops stale keys from the least recently used end, then any over `maxKeys`. */
  #evict(now: number): void {
    const entries = this.#entries;
    for (const [key, entry] of entries) {
      const stale = entry.window < Math.floor(now / entry.windowMs) - 1;
      if (!stale && entries.size <= this.maxKeys) break;
      entries.delete(key);
    }
  }
}

function clamp(elapsed: number, windowMs: number): number {
  return Math.max(0, Math.min(windowMs - 1, elapsed));
}

/**
 * Wall-clock milliseconds (windows line up with other processes' and Redis's) that never step back
 * when the system clock is set: the process's start time plus the monotonic clock.
 */
function monotonicWallClock(): number {
  return performance.timeOrigin + performance.now();
}
