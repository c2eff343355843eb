/**
 * The production router: a radix tree (see node.ts) searched depth-first with backtracking, so
 * static beats param beats wildcard at every position and `/a/:x/c` and `/a/b/d` both work.
 *
 * The hot path does no regex and no allocation beyond the params object and the result: a fully
 * static path is one map lookup and returns a shared frozen result; elsewhere each step is a char
 * compare, a `startsWith` or an `indexOf('/')`. Captures are recorded as spans and only sliced on a hit.
 */

import { decodeReserved } from './decode.js';
import type { MethodTable, RouteEntry } from './methods.js';
import { insertShape, Node } from './node.js';
import type { RouteShape } from './pattern.js';
import type { RouteFound, RouterOptions } from './router.js';
import { RouterBase } from './router-base.js';
import { StaticIndex } from './static-index.js';

/**
 * Whether `key` continues with `prefix` at `pos`, whose first character is known to match.
 * A charCodeAt loop: V8 inlines it, where `startsWith` is a builtin call per node.
 */
function matchesAt(key: string, pos: number, prefix: string): boolean {
  const length = prefix.length;
  if (pos + length > key.length) return false;
  for (let i = 1; i < length; i++) if (key.charCodeAt(pos + i) !== prefix.charCodeAt(i)) return false;
  return true;
}

/**
 * The radix-tree router; options in {@link RouterOptions}, syntax in `docs/router.md`.
 *
 * @example
 * ```ts
 * const router = new RadixRouter<string>({ ignoreTrailingSlash: true });
 * router.add('GET', '/files/*', 'files');
 * router.find('GET', '/files/a/b.txt'); // found, params { '*': 'a/b.txt' }
 * router.find('POST', '/files/x');      // { status: 'method-not-allowed', allow: ['GET', 'HEAD'] }
 * ```
 */
export class RadixRouter<T> extends RouterBase<T> {
  readonly #root = new Node<T>('');
  /** Routes whose pattern is all static, by exact path: a static hit skips the tree. */
  readonly #statics = new StaticIndex<T>();
  // The request being searched: fields rather than arguments keep the recursion's frames small.
  #key = '';
  #path = '';
  #method = '';
  #decoded = false;

  protected insert(shape: RouteShape, entry: RouteEntry<T>): void {
    const table = insertShape(this.#root, shape.tokens);
    table.add(entry);
    const only = shape.tokens[0];
    if (shape.tokens.length === 1 && only?.kind === 'static') this.#statics.set(only.text, table);
  }

  protected search(method: string, key: string, path: string, decoded: boolean): RouteFound<T> | null {
    const table = this.#statics.get(key);
    if (table !== undefined) {
      // A static route outranks every other route matching the same path.
      const entry = table.lookup(method);
      if (entry !== undefined) return entry.found ?? this.captures.found(entry, path, decoded);
    }
    this.#key = key;
    this.#path = path;
    this.#method = method;
    this.#decoded = decoded;
    const entry = this.#walk(this.#root, 0, 0);
    // Retain nothing of the request once it is answered.
    this.#key = this.#path = '';
    if (entry === null) return null;
    return entry.found ?? this.captures.found(entry, path, decoded);
  }

  /** Depth-first search below `node` (whose prefix ends at `pos`); `slot` is the next capture slot. */
  #walk(node: Node<T>, pos: number, slot: number): RouteEntry<T> | null {
    const key = this.#key;
    for (;;) {
      if (pos === key.length) return this.#atEnd(node, pos, slot);
      const child = node.child(key.charCodeAt(pos));
      const matched = child !== undefined && matchesAt(key, pos, child.prefix);
      if (matched && !node.branches) {
        // Nothing to backtrack to here: descend without a call (most of a static path).
        node = child;
        pos += child.prefix.length;
        continue;
      }
      if (matched) {
        const found = this.#walk(child, pos + child.prefix.length, slot);
        if (found !== null) return found;
      }
      if (node.param !== null || node.matchers.length > 0) {
        const found = this.#walkSegment(node, pos, slot);
        if (found !== null) return found;
      }
      return node.wildcard === null ? null : this.#wildcard(node.wildcard, pos, slot);
    }
  }

  /** The path is consumed: a route ending here, else a wildcard capturing ''. */
  #atEnd(node: Node<T>, pos: number, slot: number): RouteEntry<T> | null {
    if (node.endpoint !== null) {
      const entry = this.#serve(node.endpoint);
      if (entry !== null) return entry;
    }
    return node.wildcard === null ? null : this.#wildcard(node.wildcard, pos, slot);
  }

  #wildcard(table: MethodTable<T>, pos: number, slot: number): RouteEntry<T> | null {
    const entry = this.#serve(table);
    if (entry !== null) this.captures.span(slot, pos, this.#key.length);
    return entry;
  }

  /** The entry of `table` for the request method; else notes the table for the 405 answer. */
  #serve(table: MethodTable<T>): RouteEntry<T> | null {
    const entry = table.lookup(this.#method);
    if (entry !== undefined) return entry;
    this.seen.push(table);
    return null;
  }

  /** Params of one non-empty segment `[pos, next '/')`: regex edges first, then the plain param. */
  #walkSegment(node: Node<T>, pos: number, slot: number): RouteEntry<T> | null {
    const key = this.#key;
    let end = key.indexOf('/', pos);
    if (end === -1) end = key.length;
    if (end === pos || end - pos > this.options.maxParamLength) return null;
    if (node.matchers.length > 0) {
      const found = this.#walkMatchers(node, pos, end, slot);
      if (found !== null) return found;
    }
    if (node.param === null) return null;
    this.captures.span(slot, pos, end);
    return this.#walk(node.param, end, slot + 1);
  }

  #walkMatchers(node: Node<T>, pos: number, end: number, slot: number): RouteEntry<T> | null {
    // Regexes see the fully decoded segment, in its original case.
    const raw = this.#path.slice(pos, end);
    const value = this.#decoded ? decodeReserved(raw) : raw;
    for (const { matcher, node: next } of node.matchers) {
      const match = matcher.regex.exec(value);
      if (match === null) continue;
      const groups = matcher.groups;
      for (let i = 0; i < groups.length; i++) this.captures.value(slot + i, match[groups[i] as number] as string);
      const found = this.#walk(next, end, slot + groups.length);
      if (found !== null) return found;
    }
    return null;
  }
}
