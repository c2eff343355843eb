/**
 * Validators of a file (RFC 9110 §8.8): the ETag and Last-Modified a response carries and the
 * conditional headers compare against.
 */

/** The validators of one selected representation. */
export interface Validators {
  /** The ETag field value (`"…"` or `W/"…"`), or undefined when ETags are off. */
  readonly etag: string | undefined;
  /** Last modification, truncated to whole seconds as HTTP-dates are; undefined when off. */
  readonly lastModifiedMs: number | undefined;
}

/**
 * The ETag of a file from its inode, size and modification time (microseconds), as Apache's default
 * does. Size and mtime alone (nginx) miss a same-length file put in place with its old mtime kept
 * (`rsync -t`, `cp -p`, a build that pins timestamps): written to a temporary name and renamed, it
 * has a new inode. That keeps a strong ETag justified (in-place writes change the mtime, and two of
 * the same length within one microsecond do not happen in practice); strong tags make `If-Range` and
 * `If-Match` usable (both need the strong comparison, RFC 9110 §8.8.3.2). Precompressed variants are
 * other files, so they get other tags. The cost, as with Apache: copies of a site on several servers
 * have different inodes, so their tags differ.
 *
 * @example
 * ```ts
 * fileEtag({ ino: 2277701, size: 4096, mtimeMs: 1718000000123.456 }, 'strong'); // '"22c145-1000-61b1d6c7c9e1c"'
 * ```
 */
export function fileEtag(file: { ino: number; size: number; mtimeMs: number }, kind: 'strong' | 'weak'): string {
  const tag = `"${file.ino.toString(16)}-${file.size.toString(16)}-${Math.round(file.mtimeMs * 1000).toString(16)}"`;
  return kind === 'weak' ? `W/${tag}` : tag;
}

/**
 * An mtime as an HTTP-date can carry it: whole seconds.
 *
 * @example
 * ```ts
 * truncateToSeconds(1718000000999.5); // 1718000000000
 * ```
 */
export function truncateToSeconds(mtimeMs: number): number {
  return Math.floor(mtimeMs / 1000) * 1000;
}

/** One parsed entity-tag. */
interface EntityTag {
  readonly weak: boolean;
  readonly opaque: string;
}

const ENTITY_TAG = /^\s*(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*(?:,|$)/;

/**
 * Parses `*` or a list of entity-tags (RFC 9110 §13.1.1). Undefined for a malformed list, which
 * callers treat as matching nothing.
 *
 * @example
 * ```ts
 * parseEtagList('W/"a", "b"'); // [{ weak: true, opaque: 'a' }, { weak: false, opaque: 'b' }]
 * ```
 */
export function parseEtagList(value: string): '*' | EntityTag[] | undefined {
  if (value.trim() === '*') return '*';
  const tags: EntityTag[] = [];
  let rest = value;
  while (rest.trim() !== '') {
    if (/^\s*,/.test(rest)) {
      // Empty list elements are allowed by the `#` rule (RFC 9110 §5.6.1).
      rest = rest.replace(/^\s*,/, '');
      continue;
    }
    const match = ENTITY_TAG.exec(rest);
    if (match === null) return undefined;
    tags.push({ weak: match[1] !== undefined, opaque: match[2] ?? '' });
    rest = rest.slice(match[0].length);
  }
  return tags;
}

/**
 * Strong comparison (RFC 9110 §8.8.3.2): both strong and the same opaque tag.
 *
 * @example
 * ```ts
 * strongMatch('"a"', '"a"'); // true
 * strongMatch('W/"a"', '"a"'); // false
 * ```
 */
export function strongMatch(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return !a.startsWith('W/') && a === b;
}

/**
 * Whether `header` (an If-Match / If-None-Match value) matches `etag`, by the given comparison.
 *
 * @example
 * ```ts
 * listMatches('"x", W/"a"', '"a"', 'weak'); // true
 * listMatches('"x", W/"a"', '"a"', 'strong'); // false
 * ```
 */
export function listMatches(header: string, etag: string | undefined, comparison: 'strong' | 'weak'): boolean {
  const list = parseEtagList(header);
  // `*` matches any current representation (RFC 9110 §13.1.1/§13.1.2): we have one.
  if (list === '*') return true;
  if (list === undefined || etag === undefined) return false;
  const current = opaqueOf(etag);
  return list.some((t) => t.opaque === current.opaque && (comparison === 'weak' || (!t.weak && !current.weak)));
}

function opaqueOf(etag: string): EntityTag {
  const weak = etag.startsWith('W/');
  return { weak, opaque: (weak ? etag.slice(2) : etag).slice(1, -1) };
}

const IMF_FIXDATE = /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;
const RFC850 = /^[A-Z][a-z]+, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/;
const ASCTIME = /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/;

/**
 * Parses an HTTP-date (RFC 9110 §5.6.7) in any of its three forms; undefined when it is not one
 * (the caller then ignores the header, as §13.1.3 and §13.1.4 require).
 *
 * @example
 * ```ts
 * parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT'); // 784111777000
 * ```
 */
export function parseHttpDate(value: string): number | undefined {
  const text = value.trim();
  let ms: number;
  if (IMF_FIXDATE.test(text) || RFC850.test(text)) ms = Date.parse(text);
  else if (ASCTIME.test(text)) ms = Date.parse(`${text} GMT`);
  else return undefined;
  return Number.isNaN(ms) ? undefined : ms;
}
