/**
 * A small seedable random source (mulberry32), so a fault proxy's jitter, slice sizes, toxicity
 * draws and UDP losses repeat exactly in a test that fixes the seed. Not for anything secret.
 */
import { randomInt } from 'node:crypto';

/**
 * Pseudo-random numbers from a 32-bit seed: the same seed gives the same sequence.
 *
 * @example
 * ```ts
 * const random = new SeededRandom(42);
 * random.next();          // a number in [0, 1)
 * random.between(80, 120); // a number in [80, 120)
 * random.chance(0.1);      // true about one time in ten
 * ```
 */
export class SeededRandom {
  /** The seed this sequence started from (a random one when none was given). */
  readonly seed: number;
  #state: number;

  constructor(seed: number = randomInt(0, 2 ** 32)) {
    this.seed = seed >>> 0;
    this.#state = this.seed;
  }

  /** The next number in [0, 1). */
  next(): number {
    // mulberry32: one 32-bit state word, a full period of 2^32, good enough for test noise.
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  /** A number in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** True with probability `p` (0 never, 1 always). */
  chance(p: number): boolean {
    if (p >= 1) return true;
    if (p <= 0) return false;
    return this.next() < p;
  }
}
