/**
 * The routes whose pattern is all static, by exact path: a static hit is one map lookup.
 *
 * A map lookup costs a string hash and a probe even when it misses, which is most of the time in
 * a REST table (`/users/42` is not static), and that miss measured ~20% of a param lookup. So a
 * filter goes first: one bit per (path length, last char) pair that some static path has. An id
 * ends in a digit where static paths end in letters, so most param paths skip the map.
 */

import type { MethodTable } from './methods.js';

/** Four 32-bit words cover the 128 ASCII codes; other codes share their low 7 bits (a filter may over-match). */
const WORDS_PER_LENGTH = 4;

/**
 * Exact-path index of static routes with a cheap negative filter.
 *
 * @example
 * ```ts
 * const index = new StaticIndex<string>();
 * index.set('/health', table);
 * index.get('/health');  // table
 * index.get('/users/1'); // undefined, without touching the map
 * ```
 */
export class StaticIndex<T> {
  readonly #tables = new Map<string, MethodTable<T>>();
  #filter = new Uint32Array(0);

  set(path: string, table: MethodTable<T>): void {
    this.#tables.set(path, table);
    const needed = (path.length + 1) * WORDS_PER_LENGTH;
    if (needed > this.#filter.length) {
      const grown = new Uint32Array(needed);
      grown.set(this.#filter);
      this.#filter = grown;
    }
    const code = path.charCodeAt(path.length - 1) & 127;
    const word = path.length * WORDS_PER_LENGTH + (code >> 5);
    this.#filter[word] = (this.#filter[word] as number) | (1 << (code & 31));
  }

  get(path: string): MethodTable<T> | undefined {
    const code = path.charCodeAt(path.length - 1) & 127;
    const at = path.length * WORDS_PER_LENGTH + (code >> 5);
    // Bounds-checked by hand: an out-of-bounds typed-array read would deoptimize this function.
    if (at >= this.#filter.length) return undefined;
    return ((this.#filter[at] as number) & (1 << (code & 31))) === 0 ? undefined : this.#tables.get(path);
  }
}
