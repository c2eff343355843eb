/**
 * Per-endpoint method dispatch, shared by every router: which registered route serves a request
 * method, and the `Allow` list when none does (RFC 9110 §15.5.6).
 */

import { EMPTY_PARAMS } from './captures.js';
import type { RouteFound, RouteResult } from './router.js';

/**
 * A registered route as a router stores it.
 *
 * @example
 * ```ts
 * const entry: RouteEntry<string> = createEntry('GET', '/u/:id', 'user', ['id']);
 * ```
 */
export interface RouteEntry<T> {
  readonly value: T;
  readonly pattern: string;
  readonly method: string;
  /** Param names in capture order (see `RouteShape.names`). */
  readonly names: readonly string[];
  /** The frozen result of a route without params, so a static hit allocates nothing. */
  readonly found: RouteFound<T> | null;
}

/**
 * Creates a {@link RouteEntry}; routes without params get their shared frozen result.
 *
 * @example
 * ```ts
 * createEntry('GET', '/health', handler, []).found?.params; // {} (frozen)
 * ```
 */
export function createEntry<T>(method: string, pattern: string, value: T, names: readonly string[]): RouteEntry<T> {
  const found: RouteFound<T> | null =
    names.length === 0 ? Object.freeze({ status: 'found', value, params: EMPTY_PARAMS, pattern, method }) : null;
  return { value, pattern, method, names, found };
}

/**
 * The routes of one path shape, by method. A request method is served by its own route, else
 * (for HEAD) by the GET route, as RFC 9110 §9.3.2 asks, else by the `ALL` route.
 *
 * @example
 * ```ts
 * const table = new MethodTable<string>();
 * table.add(createEntry('GET', '/a', 'get', []));
 * table.lookup('HEAD')?.method; // 'GET'
 * table.allow;                  // ['GET', 'HEAD']
 * ```
 */
export class MethodTable<T> {
  readonly #byMethod = new Map<string, RouteEntry<T>>();
  #all: RouteEntry<T> | undefined;
  #get: RouteEntry<T> | undefined;
  /** Sorted methods for `Allow`, with HEAD when GET is there. */
  allow: readonly string[] = [];
  /** The frozen 405 result of this table alone. */
  notAllowed: RouteResult<T> = methodNotAllowed([]);

  /** Adds a route; the caller has checked that its method is new here. */
  add(entry: RouteEntry<T>): void {
    if (entry.method === 'ALL') this.#all = entry;
    else this.#byMethod.set(entry.method, entry);
    if (entry.method === 'GET') this.#get = entry;
    const allow = new Set(this.#byMethod.keys());
    if (this.#get !== undefined) allow.add('HEAD');
    this.allow = Object.freeze([...allow].sort());
    this.notAllowed = methodNotAllowed(this.allow);
  }

  /** The route serving `method` here, or undefined (then the path matched but the method did not). */
  lookup(method: string): RouteEntry<T> | undefined {
    // GET is most requests: a string compare instead of a map lookup.
    if (method === 'GET') return this.#get ?? this.#all;
    return this.#byMethod.get(method) ?? (method === 'HEAD' ? (this.#get ?? this.#all) : this.#all);
  }
}

function methodNotAllowed<T>(allow: readonly string[]): RouteResult<T> {
  return Object.freeze({ status: 'method-not-allowed', allow });
}

/**
 * The 405 result for a path matched by the given tables with none serving the method: their
 * `Allow` lists merged. One table (the common case) reuses its frozen result.
 *
 * @example
 * ```ts
 * mergeNotAllowed([getTable, postTable]); // { status: 'method-not-allowed', allow: ['GET', 'HEAD', 'POST'] }
 * ```
 */
export function mergeNotAllowed<T>(tables: readonly MethodTable<T>[]): RouteResult<T> {
  if (tables.length === 1) return (tables[0] as MethodTable<T>).notAllowed;
  const allow = new Set<string>();
  for (const table of tables) for (const method of table.allow) allow.add(method);
  return methodNotAllowed(Object.freeze([...allow].sort()));
}
