/** The part of the `mime` package we use. */
interface MimeDatabase {
  getType(path: string): string | null;
}

let database: MimeDatabase | undefined;
let loading: Promise<MimeDatabase> | undefined;

/**
 * Loads the MIME database once. It is a few MiB of tables, so it is imported when `serveStatic` is
 * first set up, not when wirekit is: an app that serves no files never pays for it.
 */
export function loadMimeDatabase(): Promise<MimeDatabase> {
  loading ??= import('mime').then((mod) => {
    database = mod.default;
    return mod.default;
  });
  return loading;
}

/** Types without a `text/` prefix that are text all the same (and so get a charset). */
const TEXTUAL =
  /^application\/(?:javascript|json|xml|manifest\+json|ld\+json|[\w.+-]+\+(?:json|xml))$|^image\/svg\+xml$/;

/**
 * The Content-Type for a file name, from the `mime` package's database (see docs/dependencies.md,
 * and `loadMimeDatabase`),
 * with `charset=utf-8` added for text so browsers do not guess; `application/octet-stream` when the
 * extension is unknown (RFC 9110 §8.3 lets a recipient treat that as opaque bytes).
 *
 * @example
 * ```ts
 * contentTypeFor('app.js'); // 'text/javascript; charset=utf-8'
 * contentTypeFor('photo.png'); // 'image/png'
 * ```
 */
export function contentTypeFor(name: string, db: MimeDatabase | undefined = database): string {
  if (db === undefined) throw new Error('the MIME database is not loaded yet: await loadMimeDatabase() first');
  const type = db.getType(name);
  if (type === null) return 'application/octet-stream';
  return type.startsWith('text/') || TEXTUAL.test(type) ? `${type}; charset=utf-8` : type;
}
