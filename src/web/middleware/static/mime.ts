import mime from 'mime';

/** Types without a `text/` prefix that are text all the same (and so get a charset). */
const TEXTUAL =
  /^application\/(?:javascript|json|xml|manifest\+json|ld\+json|[\w.+-]+\+(?:json|xml))$|^image\/svg\+xml$/;

/**
 * The Content-Type for a file name, from the `mime` package's database (see docs/dependencies.md),
 * with `charset=utf-8` added for text so browsers do not guess; `application/octet-stream` when the
 * extension is unknown (RFC 9110 §8.3 lets a recipient treat that as opaque bytes).
 *
 * @example
 * ```ts
 * contentTypeFor('app.js'); // 'text/javascript; charset=utf-8'
 * contentTypeFor('photo.png'); // 'image/png'
 * ```
 */
export function contentTypeFor(name: string): string {
  const type = mime.getType(name);
  if (type === null) return 'application/octet-stream';
  return type.startsWith('text/') || TEXTUAL.test(type) ? `${type}; charset=utf-8` : type;
}
