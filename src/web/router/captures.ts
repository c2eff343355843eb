/**
 * Param captures recorded while matching, turned into a {@link Params} object only on a hit.
 * Spans are indexes into the matched path, so a branch that backtracks allocates no strings.
 */

import { decodeReserved } from './decode.js';
import type { RouteEntry } from './methods.js';
import type { Params, RouteFound } from './router.js';

/**
 * The constructor of params objects. Its prototype is `Object.create(null)`, so params inherit
 * nothing (`'toString' in params` is false, `__proto__` is an ordinary key) while V8 keeps them in
 * fast mode; a bare `Object.create(null)` is a slow dictionary object (measured: 1.7x slower to
 * build and read). The same trick as find-my-way's `NullObject`.
 */
const NullObject = function NullObject() {} as unknown as new () => Params;
NullObject.prototype = Object.create(null);

/**
 * The params of every route without any: frozen, so sharing it is safe.
 *
 * @example
 * ```ts
 * router.find('GET', '/health').params === EMPTY_PARAMS; // for a static route
 * ```
 */
export const EMPTY_PARAMS: Params = Object.freeze(new NullObject());

/**
 * Scratch space for one `find` at a time (routers are synchronous, so one per router is enough).
 * Slot `i` holds the capture of the route's `names[i]`: a span or, for regex segments, a value.
 *
 * @example
 * ```ts
 * const c = new Captures();
 * c.span(0, 7, 9);
 * c.found(entry, '/users/42', false).params; // { id: '42' } for a route '/users/:id'
 * ```
 */
export class Captures {
  readonly #starts: number[] = [];
  readonly #ends: number[] = [];
  readonly #values: (string | undefined)[] = [];

  /** Records `path[start, end)` as the capture of `slot`. */
  span(slot: number, start: number, end: number): void {
    this.#starts[slot] = start;
    this.#ends[slot] = end;
    this.#values[slot] = undefined;
  }

  /** Records an already decoded value (a regex group) as the capture of `slot`. */
  value(slot: number, value: string): void {
    this.#values[slot] = value;
  }

  /**
   * The result for `entry`, its params read from `path` (the path as matched: decoded except for
   * reserved escapes, which `decoded` says may be present and are decoded here, exactly once).
   */
  found<T>(entry: RouteEntry<T>, path: string, decoded: boolean): RouteFound<T> {
    const params: Params = new NullObject();
    const names = entry.names;
    for (let i = 0; i < names.length; i++) {
      let value = this.#values[i];
      if (value === undefined) {
        value = path.slice(this.#starts[i], this.#ends[i]);
        if (decoded) value = decodeReserved(value);
      }
      params[names[i] as string] = value;
    }
    return { status: 'found', value: entry.value, params, pattern: entry.pattern, method: entry.method };
  }
}
