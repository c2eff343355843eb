/**
 * The reference router: one anchored regex per route shape, scanned in priority order. Slow
 * (linear in the number of routes) and obviously correct; the shared test suite runs against it to
 * prove the suite does not depend on the radix tree, and a randomized test cross-checks the two.
 */

import { decodeReserved } from './decode.js';
import { MethodTable, type RouteEntry } from './methods.js';
import { escapeRegex, type RouteShape, type Token } from './pattern.js';
import type { RouteFound } from './router.js';
import { RouterBase } from './router-base.js';

interface LinearRoute<T> {
  readonly shape: RouteShape;
  readonly regex: RegExp;
  /** Sort key, see {@link compareRanks}. */
  readonly ranks: readonly (readonly [number, number])[];
  readonly table: MethodTable<T>;
}

/**
 * Priority as the radix tree's depth-first order defines it, one step at a time: a static character
 * [0, code], a regex segment [1, order of first registration at that position], a param [2, 0],
 * the wildcard [3, 0]; a shape that ends first wins (it can only tie with a wildcard capturing '').
 */
function compareRanks(a: LinearRoute<unknown>, b: LinearRoute<unknown>): number {
  const n = Math.min(a.ranks.length, b.ranks.length);
  for (let i = 0; i < n; i++) {
    const [ra, sa] = a.ranks[i] as readonly [number, number];
    const [rb, sb] = b.ranks[i] as readonly [number, number];
    if (ra !== rb) return ra - rb;
    if (sa !== sb) return sa - sb;
  }
  return a.ranks.length - b.ranks.length;
}

function tokenSource(token: Token): string {
  switch (token.kind) {
    case 'static':
      return escapeRegex(token.text);
    case 'param':
    case 'matcher':
      return '([^/]+)';
    case 'wildcard':
      return '(.*)';
  }
}

/**
 * The linear-scan router; same options, syntax and answers as {@link RadixRouter}.
 *
 * @example
 * ```ts
 * const router = new LinearRouter<string>();
 * router.add('GET', '/a/:x/c', 'x');
 * router.find('GET', '/a/b/c'); // found, params { x: 'b' }
 * ```
 */
export class LinearRouter<T> extends RouterBase<T> {
  readonly #routes: LinearRoute<T>[] = [];
  readonly #byKey = new Map<string, LinearRoute<T>>();
  /** Registration order of regex segment edges, keyed by the steps leading to them. */
  readonly #edgeOrder = new Map<string, number>();

  protected insert(shape: RouteShape, entry: RouteEntry<T>): void {
    let route = this.#byKey.get(shape.key);
    if (route === undefined) {
      const source = `^${shape.tokens.map(tokenSource).join('')}$`;
      route = { shape, regex: new RegExp(source, 'd'), ranks: this.#ranks(shape), table: new MethodTable<T>() };
      this.#byKey.set(shape.key, route);
      this.#routes.push(route);
      this.#routes.sort(compareRanks);
    }
    route.table.add(entry);
  }

  #ranks(shape: RouteShape): [number, number][] {
    const ranks: [number, number][] = [];
    for (const token of shape.tokens) {
      if (token.kind === 'static') for (const unit of token.text.split('')) ranks.push([0, unit.charCodeAt(0)]);
      else if (token.kind === 'param') ranks.push([2, 0]);
      else if (token.kind === 'wildcard') ranks.push([3, 0]);
      else {
        const edge = JSON.stringify([ranks, token.matcher.key]);
        if (!this.#edgeOrder.has(edge)) this.#edgeOrder.set(edge, this.#edgeOrder.size);
        ranks.push([1, this.#edgeOrder.get(edge) as number]);
      }
    }
    return ranks;
  }

  protected search(method: string, key: string, path: string, decoded: boolean): RouteFound<T> | null {
    for (const route of this.#routes) {
      const match = route.regex.exec(key);
      if (match === null || !this.#capture(route.shape, match, path, decoded)) continue;
      const entry = route.table.lookup(method);
      if (entry === undefined) {
        this.seen.push(route.table);
        continue;
      }
      return entry.found ?? this.captures.found(entry, path, decoded);
    }
    return null;
  }

  /** Records the captures of a regex match; false when a length limit or segment regex refuses it. */
  #capture(shape: RouteShape, match: RegExpExecArray, path: string, decoded: boolean): boolean {
    let group = 0;
    let slot = 0;
    for (const token of shape.tokens) {
      if (token.kind === 'static') continue;
      // The 'd' flag guarantees indices; every group of a matching regex took part.
      const [start, end] = (match.indices as RegExpIndicesArray)[++group] as [number, number];
      if (token.kind !== 'wildcard' && end - start > this.options.maxParamLength) return false;
      if (token.kind !== 'matcher') {
        this.captures.span(slot++, start, end);
        continue;
      }
      const raw = path.slice(start, end);
      const groups = token.matcher.regex.exec(decoded ? decodeReserved(raw) : raw);
      if (groups === null) return false;
      for (const g of token.matcher.groups) this.captures.value(slot++, groups[g] as string);
    }
    return true;
  }
}
