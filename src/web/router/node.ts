/**
 * The radix tree of {@link RadixRouter}. A node consumes its static `prefix`, then its children
 * are tried in priority order: the static child starting with the next character, the regex
 * segment edges (in the order they were added), the plain param child, the wildcard.
 */

import { MethodTable } from './methods.js';
import type { SegmentMatcher, Token } from './pattern.js';

/** Past this many static children a node indexes them by char code; below it a scan is as fast. */
const SCAN_LIMIT = 8;

/**
 * A regex segment edge: the matcher, and the node after the segment.
 *
 * @example
 * ```ts
 * const edge: MatcherEdge<string> = { matcher, node: new Node('') };
 * ```
 */
export interface MatcherEdge<T> {
  readonly matcher: SegmentMatcher;
  readonly node: Node<T>;
}

/**
 * A tree node.
 *
 * @example
 * ```ts
 * const root = new Node<string>('');
 * insertShape(root, parsePattern('/users/:id', options)[0].tokens).add(entry);
 * ```
 */
export class Node<T> {
  prefix: string;
  /** Static children; their prefixes start with distinct characters. */
  readonly children: Node<T>[] = [];
  /** The first char code of each child, in the same order: the scan reads no child. */
  readonly #codes: number[] = [];
  /** Children by first char code, built once a node has many (a holey array: one indexed load). */
  #byCode: (Node<T> | undefined)[] | null = null;
  /** Regex segment edges, tried before {@link param}. */
  readonly matchers: MatcherEdge<T>[] = [];
  param: Node<T> | null = null;
  /** Routes ending with `*` right here (after this node's prefix). */
  wildcard: MethodTable<T> | null = null;
  /** Whether the search may have to come back here: there is a param, regex or wildcard edge. */
  branches = false;
  /** Routes ending exactly here. */
  endpoint: MethodTable<T> | null = null;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  /** The static child whose prefix starts with char code `code`. */
  child(code: number): Node<T> | undefined {
    if (this.#byCode !== null) return this.#byCode[code];
    const codes = this.#codes;
    for (let i = 0; i < codes.length; i++) if (codes[i] === code) return this.children[i];
    return undefined;
  }

  /** Adds or replaces (same first character) a static child. */
  setChild(node: Node<T>): void {
    const code = node.prefix.charCodeAt(0);
    const at = this.children.findIndex((c) => c.prefix.charCodeAt(0) === code);
    if (at === -1) {
      this.children.push(node);
      this.#codes.push(code);
    } else this.children[at] = node;
    if (this.#byCode !== null || this.children.length > SCAN_LIMIT) {
      this.#byCode = [];
      for (const child of this.children) this.#byCode[child.prefix.charCodeAt(0)] = child;
    }
  }
}

function commonPrefixLength(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let i = 0;
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Walks or grows the static path `text` below `node`, splitting prefixes; returns the node where it ends. */
function insertStatic<T>(node: Node<T>, text: string): Node<T> {
  let parent = node;
  let rest = text;
  while (rest !== '') {
    let child = parent.child(rest.charCodeAt(0));
    if (child === undefined) {
      child = new Node<T>(rest);
      parent.setChild(child);
      return child;
    }
    const common = commonPrefixLength(child.prefix, rest);
    if (common < child.prefix.length) {
      const mid = new Node<T>(child.prefix.slice(0, common));
      parent.setChild(mid); // replaces `child`: same first character
      child.prefix = child.prefix.slice(common);
      mid.setChild(child);
      child = mid;
    }
    rest = rest.slice(common);
    parent = child;
  }
  return parent;
}

function matcherNode<T>(node: Node<T>, matcher: SegmentMatcher): Node<T> {
  const edge = node.matchers.find((e) => e.matcher.key === matcher.key);
  if (edge !== undefined) return edge.node;
  const next = new Node<T>('');
  node.matchers.push({ matcher, node: next });
  return next;
}

/**
 * Grows the tree for a route shape and returns the method table where it ends.
 *
 * @example
 * ```ts
 * insertShape(root, shape.tokens).add(entry);
 * ```
 */
export function insertShape<T>(root: Node<T>, tokens: readonly Token[]): MethodTable<T> {
  let node = root;
  for (const token of tokens) {
    switch (token.kind) {
      case 'static':
        node = insertStatic(node, token.text);
        break;
      case 'param':
        node.branches = true;
        node.param ??= new Node<T>('');
        node = node.param;
        break;
      case 'matcher':
        node.branches = true;
        node = matcherNode(node, token.matcher);
        break;
      case 'wildcard':
        node.branches = true;
        node.wildcard ??= new MethodTable<T>();
        return node.wildcard;
    }
  }
  node.endpoint ??= new MethodTable<T>();
  return node.endpoint;
}
