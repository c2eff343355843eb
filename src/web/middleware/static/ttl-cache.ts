/**
 * A small map whose entries expire after `ttlMs`, bounded by `maxEntries` (when full it starts over:
 * cheaper than tracking recency, and a refill costs only the lookups it saves). A TTL of 0 stores
 * nothing, so every lookup goes to the disk.
 *
 * @example
 * ```ts
 * const cache = new TtlCache<number>(1000);
 * cache.set('a', 1, Date.now());
 * cache.get('a', Date.now()); // 1, for a second
 * ```
 */
export class TtlCache<T> {
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #entries = new Map<string, { value: T; expires: number }>();

  constructor(ttlMs: number, maxEntries = 10_000) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
  }

  get(key: string, now: number): T | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires > now) return entry.value;
    this.#entries.delete(key);
    return undefined;
  }

  set(key: string, value: T, now: number): void {
    if (this.#ttlMs === 0) return;
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
    this.#entries.set(key, { value, expires: now + this.#ttlMs });
  }
}
