/** URLs as people type them on a command line: `:8080/path`, `example.com`, or a full URL. */
import { UsageError } from './usage-error.js';

/**
 * A URL from a short form: `:8080/path` is `http://localhost:8080/path`, `:/path` is
 * `http://localhost/path`, and a URL without a scheme gets `http://` (httpie's shorthands). A
 * scheme not in `schemes` is a usage error.
 *
 * @example
 * ```ts
 * parseShortUrl(':8080/users/1').href; // 'http://localhost:8080/users/1'
 * ```
 */
export function parseShortUrl(text: string, schemes: readonly string[] = ['http:', 'https:']): URL {
  let href = text;
  if (href.startsWith(':')) href = `http://localhost${href.startsWith(':/') ? href.slice(1) : href}`;
  else if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(href)) href = `http://${href}`;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    throw new UsageError(`not a URL: ${text}`);
  }
  if (!schemes.includes(url.protocol)) {
    throw new UsageError(`not an ${schemes.map((s) => `${s}//`).join(' or ')} URL: ${text}`);
  }
  return url;
}
