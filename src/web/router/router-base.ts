/**
 * What every router shares: method and pattern validation, conflict detection, and the request
 * side of `find` (path checks, percent-decoding, case folding, the trailing-slash retry, 405
 * merging). A subclass only compiles shapes and searches them, so the policies cannot drift apart.
 */

import { WirekitError } from '../../errors.js';
import { Captures } from './captures.js';
import { decodePath, foldCase } from './decode.js';
import { createEntry, type MethodTable, mergeNotAllowed, type RouteEntry } from './methods.js';
import { parsePattern, type RouteShape } from './pattern.js';
import {
  BAD_PATH,
  NOT_FOUND,
  type ResolvedRouterOptions,
  type RouteFound,
  type RouteResult,
  type Router,
  type RouterOptions,
  resolveRouterOptions,
} from './router.js';

const SLASH = 0x2f;

/** RFC 9110 §9.1: a method is a token. */
const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Base class of the routers; see the file comment.
 *
 * @example
 * ```ts
 * class MyRouter<T> extends RouterBase<T> {
 *   protected insert(shape: RouteShape, entry: RouteEntry<T>): void { ... }
 *   protected search(method: string, key: string, path: string, decoded: boolean) { ... }
 * }
 * ```
 */
export abstract class RouterBase<T> implements Router<T> {
  protected readonly options: ResolvedRouterOptions;
  /** Tables whose path matched but not the method, filled by `search` for the 405 answer. */
  protected readonly seen: MethodTable<T>[] = [];
  protected readonly captures = new Captures();
  readonly #keys = new Set<string>();

  constructor(options?: RouterOptions) {
    this.options = resolveRouterOptions(options);
  }

  /** Stores `entry` under `shape` (whose key is new for this method). */
  protected abstract insert(shape: RouteShape, entry: RouteEntry<T>): void;

  /**
   * The highest-priority route matching `key` (the path as matched, case-folded if so configured)
   * and serving `method`; params are read from `path` (same length as `key`). Pushes onto
   * {@link seen} every table whose path matched but whose methods did not.
   */
  protected abstract search(method: string, key: string, path: string, decoded: boolean): RouteFound<T> | null;

  add(method: string, pattern: string, value: T): void {
    if (typeof method !== 'string' || !METHOD.test(method)) {
      throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `invalid method ${JSON.stringify(method)}`);
    }
    const shapes = parsePattern(pattern, this.options);
    // Check every shape first, so a failed add leaves the router unchanged.
    for (const shape of shapes) {
      if (this.#keys.has(`${method} ${shape.key}`)) {
        throw new WirekitError('WK_ERR_ROUTE_CONFLICT', `route ${method} ${pattern} conflicts with an existing route`);
      }
    }
    for (const shape of shapes) {
      this.#keys.add(`${method} ${shape.key}`);
      this.insert(shape, createEntry(method, pattern, value, shape.names));
    }
  }

  find(method: string, path: string): RouteResult<T> {
    // Also refuses '' and the asterisk-form '*'.
    if (path.charCodeAt(0) !== SLASH) return NOT_FOUND;
    let match = path;
    // Whether params may hold kept reserved escapes; false on the fast path (no '%': no decoding at all).
    let decoded = false;
    if (path.indexOf('%') !== -1) {
      const safe = decodePath(path);
      if (safe === null) return BAD_PATH;
      match = safe;
      decoded = safe.indexOf('%') !== -1;
    }
    if (this.seen.length !== 0) this.seen.length = 0;
    if (!this.options.ignoreTrailingSlash) return this.#lookup(method, match, decoded) ?? this.#miss();
    // Patterns are stored without a trailing slash; `/a/` and `/a` both try `/a`, then `/a/`
    // (which only a wildcard can match: `/files/*` serves `/files` too).
    const bare = match.length > 1 && match.charCodeAt(match.length - 1) === SLASH ? match.slice(0, -1) : match;
    return (
      this.#lookup(method, bare, decoded) ??
      (bare === '/' ? null : this.#lookup(method, `${bare}/`, decoded)) ??
      this.#miss()
    );
  }

  #lookup(method: string, path: string, decoded: boolean): RouteFound<T> | null {
    return this.search(method, this.options.caseSensitive ? path : foldCase(path), path, decoded);
  }

  #miss(): RouteResult<T> {
    return this.seen.length === 0 ? NOT_FOUND : mergeNotAllowed(this.seen);
  }
}
