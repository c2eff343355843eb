import type { Headers } from '../../../http/message/headers.js';
import { parseEtagList } from '../static/validators.js';

/**
 * An encoded representation is not byte-for-byte the one a strong ETag names, so the tag is
 * weakened (`"x"` → `W/"x"`, RFC 9110 §8.8.1): it still validates (If-None-Match uses the weak
 * comparison) but never claims byte identity for Range or If-Match.
 *
 * @example
 * ```ts
 * weakenEtag(headers); // ETag: "abc" → ETag: W/"abc"
 * ```
 */
export function weakenEtag(headers: Headers): void {
  const tag = headers.get('etag');
  if (tag?.startsWith('"')) headers.set('ETag', `W/${tag}`);
}

/**
 * A 304 names the representation the client holds. If we weakened the tag of the 200 it holds (we
 * compressed it), the client asks with `W/"x"` while the handler answers 304 with `"x"`; a cache
 * only updates stored responses whose validator is the same (RFC 9111 §4.3.4), so the 304 must
 * carry `W/"x"` too (RFC 9110 §15.4.5: the fields the 200 would have had).
 *
 * @example
 * ```ts
 * // If-None-Match: W/"abc", 304 with ETag: "abc" → ETag: W/"abc"
 * weakenNotModifiedEtag(res.headers, c.req.header('if-none-match'));
 * ```
 */
export function weakenNotModifiedEtag(headers: Headers, ifNoneMatch: string | null): void {
  const tag = headers.get('etag');
  if (tag === null || ifNoneMatch === null || !tag.startsWith('"')) return;
  const list = parseEtagList(ifNoneMatch);
  if (list === undefined || list === '*') return;
  const opaque = tag.slice(1, -1);
  const held = list.filter((t) => t.opaque === opaque);
  if (held.length > 0 && held.every((t) => t.weak)) headers.set('ETag', `W/${tag}`);
}
