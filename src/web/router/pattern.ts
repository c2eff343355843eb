/**
 * The route pattern parser, shared by every router so they agree on syntax and on which
 * patterns conflict. A pattern becomes one or two {@link RouteShape}s (two for an optional param):
 * a flat token list that a router compiles into its own structure.
 *
 * Syntax (docs/router.md): static text, `:name` (one non-empty segment), `:name{regex}`
 * (the whole decoded segment must match), several params in one segment separated by static text
 * (`/:from-:to`, `/:name.:ext`), `/:name?` as the last segment, `/*` as the last segment.
 */

import { WirekitError } from '../../errors.js';
import { decodePath, decodeReserved, foldCase } from './decode.js';
import type { ResolvedRouterOptions } from './router.js';

/**
 * A regex over one whole decoded segment, for constrained and multi-param segments.
 *
 * @example
 * ```ts
 * // `:from-:to` compiles to { key: '^(.+?)\\-(.+)$', regex: /^(.+?)\-(.+)$/, groups: [1, 2] }
 * ```
 */
export interface SegmentMatcher {
  /** Identity: patterns with the same key share one tree edge, whatever their param names. */
  readonly key: string;
  readonly regex: RegExp;
  /** The capture group of each param of the segment, in order. */
  readonly groups: readonly number[];
}

/**
 * One step of a route shape. `param` and `matcher` consume one non-empty segment (up to `/`).
 *
 * @example
 * ```ts
 * const tokens: Token[] = [{ kind: 'static', text: '/files/' }, { kind: 'wildcard' }]; // '/files/*'
 * ```
 */
export type Token =
  | { readonly kind: 'static'; readonly text: string }
  | { readonly kind: 'param' }
  | { readonly kind: 'matcher'; readonly matcher: SegmentMatcher }
  | { readonly kind: 'wildcard' };

/**
 * A pattern compiled to tokens. Static text is decoded like a request path and folded if case-insensitive.
 *
 * @example
 * ```ts
 * const [shape] = parsePattern('/u/:id', resolveRouterOptions());
 * shape?.names; // ['id']
 * ```
 */
export interface RouteShape {
  readonly tokens: readonly Token[];
  /** Param names in capture order; the wildcard's is `*`. */
  readonly names: readonly string[];
  /** Identity for conflicts: two routes with the same key and method conflict. */
  readonly key: string;
}

type Part = { kind: 'text'; text: string } | { kind: 'param'; name: string; regex: string | null };

interface Segment {
  parts: Part[];
  optional: boolean;
  wildcard: boolean;
}

class PatternError extends WirekitError {
  constructor(pattern: string, why: string, cause?: unknown) {
    super('WK_ERR_ROUTE_PATTERN', `invalid route pattern ${JSON.stringify(pattern)}: ${why}`, { cause });
  }
}

const NAME_CHAR = /^[A-Za-z0-9_]$/;

/** Index of the `}` closing the `{` at `open`, skipping escapes and character classes. */
function closingBrace(pattern: string, open: number): number {
  let depth = 0;
  let inClass = false;
  for (let i = open; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (inClass) inClass = c !== ']';
    else if (c === '[') inClass = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  throw new PatternError(pattern, `unclosed "{" at ${open}`);
}

/** Reads `:name` or `:name{regex}` at `start`; returns the part and the index after it. */
function readParam(pattern: string, start: number): [Part, number] {
  let i = start + 1;
  while (i < pattern.length && NAME_CHAR.test(pattern[i] as string)) i++;
  const name = pattern.slice(start + 1, i);
  if (name === '') throw new PatternError(pattern, `param without a name at ${start}`);
  if (pattern[i] !== '{') return [{ kind: 'param', name, regex: null }, i];
  const close = closingBrace(pattern, i);
  const regex = pattern.slice(i + 1, close);
  if (regex === '') throw new PatternError(pattern, `empty regex for :${name}`);
  return [{ kind: 'param', name, regex }, close + 1];
}

/** Splits a pattern into segments at `/` outside `{regex}`, each a list of text and param parts. */
function scan(pattern: string): Segment[] {
  const segments: Segment[] = [];
  let seg: Segment = { parts: [], optional: false, wildcard: false };
  let text = '';
  const flushText = (): void => {
    if (text !== '') seg.parts.push({ kind: 'text', text });
    text = '';
  };
  for (let i = 1; i <= pattern.length; ) {
    const c = pattern[i];
    if (c === undefined || c === '/') {
      flushText();
      segments.push(seg);
      seg = { parts: [], optional: false, wildcard: false };
      i++;
    } else if (c === ':') {
      flushText();
      const [part, next] = readParam(pattern, i);
      seg.parts.push(part);
      i = next;
    } else if (c === '?' && i === pattern.length - 1 && seg.parts.length === 1 && text === '') {
      seg.optional = seg.parts[0]?.kind === 'param';
      if (!seg.optional) throw new PatternError(pattern, '"?" must follow a param');
      i++;
    } else if (c === '*' && i === pattern.length - 1 && seg.parts.length === 0 && text === '') {
      seg.wildcard = true;
      i++;
    } else if (c === '?' || c === '*' || c === '#' || c === '{' || c === '}') {
      throw new PatternError(pattern, `unexpected "${c}" at ${i} (optional params and "*" only as the last segment)`);
    } else {
      text += c;
      i++;
    }
  }
  return segments;
}

/** Number of capture groups in a user regex; throws a PatternError if it does not compile. */
function groupCount(pattern: string, regex: string): number {
  try {
    return (new RegExp(`(?:${regex})|`).exec('')?.length ?? 1) - 1;
  } catch (cause) {
    throw new PatternError(pattern, `bad regex {${regex}}`, cause);
  }
}

/**
 * `text` with regex syntax characters escaped.
 *
 * @example
 * ```ts
 * escapeRegex('a.b'); // 'a\\.b'
 * ```
 */
export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** Regex source matching `text` literally, letter case folded when `caseSensitive` is false. */
function literal(text: string, caseSensitive: boolean): string {
  let out = '';
  for (const unit of text.split('')) {
    const lower = foldCase(unit);
    const upper = unit.toUpperCase();
    if (!caseSensitive && lower !== upper && upper.length === 1) out += `[${lower}${upper}]`;
    else out += escapeRegex(unit);
  }
  return out;
}

/** Decodes static pattern text like a request path, so `/caf%C3%A9` and `/café` are one route. */
function decodeText(pattern: string, text: string): string {
  const decoded = decodePath(text);
  if (decoded === null) throw new PatternError(pattern, `malformed percent-encoding in "${text}"`);
  return decoded;
}

/** Compiles the parts of one segment from its first param on into a {@link SegmentMatcher}. */
function segmentMatcher(pattern: string, parts: readonly Part[], caseSensitive: boolean): SegmentMatcher {
  let source = '^';
  let group = 0;
  const groups: number[] = [];
  const lastParam = parts.findLastIndex((p) => p.kind === 'param');
  parts.forEach((part, i) => {
    if (part.kind === 'text') {
      source += literal(decodeReserved(decodeText(pattern, part.text)), caseSensitive);
      return;
    }
    if (parts[i - 1]?.kind === 'param')
      throw new PatternError(pattern, 'two params in a segment need text between them');
    groups.push(++group);
    // Earlier params are lazy: `/:from-:to` on `a-b-c` gives from=a, to=b-c.
    source += part.regex === null ? (i === lastParam ? '(.+)' : '(.+?)') : `((?:${part.regex}))`;
    if (part.regex !== null) group += groupCount(pattern, part.regex);
  });
  source += '$';
  return { key: source, regex: new RegExp(source), groups };
}

/** Builds shapes from scanned segments; see {@link parsePattern}. */
class ShapeBuilder {
  readonly tokens: Token[] = [];
  readonly names: string[] = [];
  text = '';

  constructor(
    readonly pattern: string,
    readonly options: ResolvedRouterOptions,
  ) {}

  /** The pending static text as a token, or null. */
  staticToken(): Token | null {
    if (this.text === '') return null;
    const decoded = decodeText(this.pattern, this.text);
    return { kind: 'static', text: this.options.caseSensitive ? decoded : foldCase(decoded) };
  }

  flush(): void {
    const token = this.staticToken();
    if (token !== null) this.tokens.push(token);
    this.text = '';
  }

  name(name: string): void {
    if (this.names.includes(name)) throw new PatternError(this.pattern, `duplicate param name :${name}`);
    this.names.push(name);
  }

  /** Appends a segment whose text has already been added; `params` starts at its first param. */
  params(params: Part[]): void {
    this.flush();
    for (const part of params) if (part.kind === 'param') this.name(part.name);
    const only = params[0];
    if (params.length === 1 && only?.kind === 'param' && only.regex === null) this.tokens.push({ kind: 'param' });
    else
      this.tokens.push({ kind: 'matcher', matcher: segmentMatcher(this.pattern, params, this.options.caseSensitive) });
  }

  /** The shape of what was added so far; the builder can go on. */
  shape(): RouteShape {
    const tokens = this.tokens.slice();
    const pending = this.staticToken();
    if (pending !== null) tokens.push(pending);
    const last = tokens.at(-1);
    // ignoreTrailingSlash: `/a/` is stored as `/a`; find() tries `/a` before `/a/`.
    if (this.options.ignoreTrailingSlash && last?.kind === 'static' && last.text.endsWith('/') && last.text !== '/') {
      if (last.text.length === 1) tokens.pop();
      else tokens[tokens.length - 1] = { kind: 'static', text: last.text.slice(0, -1) };
    }
    return { tokens, names: this.names.slice(), key: shapeKey(tokens) };
  }
}

/** An unambiguous identity for a token list (static text may hold any character). */
function shapeKey(tokens: readonly Token[]): string {
  return JSON.stringify(
    tokens.map((t) =>
      t.kind === 'static' ? t.text : t.kind === 'matcher' ? [t.matcher.key] : t.kind === 'param' ? 0 : 1,
    ),
  );
}

/**
 * Parses a route pattern into one shape, or two for an optional last param (`/a/:id?` is `/a`
 * and `/a/:id`; `/:id?` is `/` and `/:id`). Throws `WK_ERR_ROUTE_PATTERN` on invalid syntax.
 *
 * @example
 * ```ts
 * parsePattern('/users/:id', resolveRouterOptions())[0]?.tokens;
 * // [{ kind: 'static', text: '/users/' }, { kind: 'param' }]
 * ```
 */
export function parsePattern(pattern: string, options: ResolvedRouterOptions): RouteShape[] {
  if (typeof pattern !== 'string' || !pattern.startsWith('/')) {
    throw new PatternError(String(pattern), 'a pattern starts with "/"');
  }
  const b = new ShapeBuilder(pattern, options);
  const shapes: RouteShape[] = [];
  for (const seg of scan(pattern)) {
    if (seg.optional) {
      // The shape without the param has no slash before it either (`/a`, not `/a/`), except the root.
      const before = b.text;
      if (before === '' && b.tokens.length === 0) b.text = '/';
      shapes.push(b.shape());
      b.text = before;
    }
    b.text += '/';
    const first = seg.parts.findIndex((p) => p.kind === 'param');
    for (const part of first === -1 ? seg.parts : seg.parts.slice(0, first))
      if (part.kind === 'text') b.text += part.text;
    if (first !== -1) b.params(seg.parts.slice(first));
    if (seg.wildcard) {
      b.flush();
      b.name('*');
      b.tokens.push({ kind: 'wildcard' });
    }
  }
  shapes.push(b.shape());
  return shapes;
}
