import { func, integer, OptionsSchema } from '../../../util/options.js';
import { integerOption } from '../shared/options.js';
import type { RateLimitCounts, RateLimitStore } from './store.js';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /**
   * Most keys kept. Past it, the key used least recently is forgotten (its client starts afresh).
   * Default 100 000: about 16 MiB (measured 165 bytes per entry with IPv4 keys).
   */
  maxKeys?: number;
  /** The clock, in milliseconds. Default wall-clock time that never steps back. Injectable for tests. */
  now?: () => number;
}

const MEMORY_STORE_OPTIONS = new OptionsSchema<MemoryStoreOptions>('new MemoryStore()', {
  maxKeys: integer(1),
  now: func(),
});

/**
 * Default {@link MemoryStoreOptions.maxKeys}.
 *
 * @example
 * ```ts
 * new MemoryStore({ maxKeys: DEFAULT_RATE_LIMIT_MAX_KEYS / 10 }); // a small service
 * ```
 */
export const DEFAULT_RATE_LIMIT_MAX_KEYS = 100_000;

/** One key's counts, linked in least-recently-used order. */
class Entry {
  readonly key: string;
  /** The window number the counts belong to. */
  window: number;
  current = 0;
  previous = 0;
  /** The window length the entry counts in (stores may be shared by limiters of different windows). */
  windowMs: number;
  /** The entry used just before this one (towards the eviction end), and just after. */
  older: Entry | undefined;
  newer: Entry | undefined;

  constructor(key: string, window: number, windowMs: number) {
    this.key = key;
    this.window = window;
    this.windowMs = windowMs;
  }
}

/**
 * The default {@link RateLimitStore}: counts in this process's memory, for one process (several
 * processes each count alone: use a shared store there). Bounded twice: a key two windows old is
 * dropped as it is met (its counts can no longer matter), and past `maxKeys` the least recently used
 * key goes, so a flood of new keys (spoofed or rotating addresses) costs at most `maxKeys` entries.
 * Both happen on `increment`, in O(1): a `Map` to find a key and a linked list in order of use (not
 * the Map's own order: taking its first entry again and again walks over every deleted one), no timer.
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
  readonly #entries = new Map<string, Entry>();
  /** Ends of the list in order of use: the oldest is the next to evict. */
  #oldest: Entry | undefined;
  #newest: Entry | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    MEMORY_STORE_OPTIONS.check(options);
    this.maxKeys = integerOption('maxKeys', options.maxKeys ?? DEFAULT_RATE_LIMIT_MAX_KEYS, 1);
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
    const entry = this.#entries.get(key);
    if (entry !== undefined) this.#remove(entry);
    return Promise.resolve();
  }

  /** {@link increment} without the promise (same semantics as {@link RATE_LIMIT_REDIS_SCRIPT}). */
  count(key: string, windowMs: number): RateLimitCounts {
    const now = this.#now();
    let window = Math.floor(now / windowMs);
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      // Flattens a key built by concatenation (a V8 rope) before it is kept: the key then costs its
      // characters, not the pieces it was made of (measured: 310 → 165 bytes per entry).
      key.charCodeAt(0);
      entry = new Entry(key, window, windowMs);
      this.#entries.set(key, entry);
    } else {
      this.#unlink(entry);
      if (entry.windowMs !== windowMs || entry.window < window - 1) {
        entry.windowMs = windowMs;
        entry.window = window;
        entry.current = 0;
        entry.previous = 0;
      } else if (entry.window === window - 1) {
        entry.previous = entry.current;
        entry.current = 0;
        entry.window = window;
      } else if (entry.window > window) {
        // The clock stepped back: keep counting in the window the entry is in.
        window = entry.window;
      }
    }
    entry.current++;
    this.#pushNewest(entry);
    this.#evict(now);
    return { current: entry.current, previous: entry.previous, elapsedMs: clamp(now - window * windowMs, windowMs) };
  }

  /** Drops stale keys from the least recently used end, then any over `maxKeys`. */
  #evict(now: number): void {
    for (let oldest = this.#oldest; oldest !== undefined; oldest = this.#oldest) {
      const stale = oldest.window < Math.floor(now / oldest.windowMs) - 1;
      if (!stale && this.#entries.size <= this.maxKeys) return;
      this.#remove(oldest);
    }
  }

  #remove(entry: Entry): void {
    this.#unlink(entry);
    this.#entries.delete(entry.key);
  }

  #pushNewest(entry: Entry): void {
    entry.older = this.#newest;
    entry.newer = undefined;
    if (this.#newest === undefined) this.#oldest = entry;
    else this.#newest.newer = entry;
    this.#newest = entry;
  }

  #unlink(entry: Entry): void {
    if (entry.older === undefined) this.#oldest = entry.newer;
    else entry.older.newer = entry.newer;
    if (entry.newer === undefined) this.#newest = entry.older;
    else entry.newer.older = entry.older;
    entry.older = undefined;
    entry.newer = undefined;
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
