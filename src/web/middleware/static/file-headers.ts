import { Headers } from '../../../http/message/headers.js';
import type { FileIdentity } from './file-lookup.js';
import type { Coding } from './negotiate.js';
import type { ResolvedStaticOptions } from './options.js';
import { fileEtag, truncateToSeconds, type Validators } from './validators.js';

const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

/**
 * The `Cache-Control` of a file: a year and `immutable` for hashed names (their content never
 * changes under that name, RFC 8246), else `max-age=maxAgeSeconds`, or `no-cache` when that is 0:
 * caches may store the file but must revalidate, which the ETag makes a cheap 304.
 *
 * @example
 * ```ts
 * cacheControlFor('app.3f9a2c1b.js', options); // 'public, max-age=31536000, immutable'
 * ```
 */
export function cacheControlFor(name: string, options: ResolvedStaticOptions): string {
  if (options.immutable !== false && options.immutable.test(name)) {
    return `public, max-age=${ONE_YEAR_SECONDS}, immutable`;
  }
  return options.maxAgeSeconds > 0 ? `public, max-age=${options.maxAgeSeconds}` : 'no-cache';
}

/**
 * The validators of a file under the options (either may be switched off). Last-Modified is never
 * later than now (RFC 9110 §8.8.2.1): a file with an mtime in the future (a clock that was wrong, an
 * archive from elsewhere) gets the time of the response instead, which a cache can compare sanely.
 *
 * @example
 * ```ts
 * validatorsOf({ path, ino: 7, size: 10, mtimeMs: 1718000000123 }, options); // { etag: '"7-a-…"', lastModifiedMs: 1718000000000 }
 * ```
 */
export function validatorsOf(file: FileIdentity, options: ResolvedStaticOptions, nowMs = Date.now()): Validators {
  return {
    etag: options.etag === false ? undefined : fileEtag(file, options.etag),
    lastModifiedMs: options.lastModified ? truncateToSeconds(Math.min(file.mtimeMs, nowMs)) : undefined,
  };
}

/**
 * The fields a 304 repeats from the 200 it stands for (RFC 9110 §15.4.5): validators, caching and
 * Vary; nothing about the content.
 *
 * @example
 * ```ts
 * return c.body(null, 304, cachingHeaders('app.js', validators, options));
 * ```
 */
export function cachingHeaders(name: string, v: Validators, options: ResolvedStaticOptions): Headers {
  const headers = new Headers();
  if (v.etag !== undefined) headers.set('ETag', v.etag);
  if (v.lastModifiedMs !== undefined) headers.set('Last-Modified', new Date(v.lastModifiedMs).toUTCString());
  headers.set('Cache-Control', cacheControlFor(name, options));
  // Always when precompressed variants may exist, whatever this request chose: a shared cache must
  // not hand a br body to a client that did not ask for it (RFC 9110 §12.5.5).
  if (options.precompressed) headers.set('Vary', 'Accept-Encoding');
  return headers;
}

/**
 * The fields of a 200/206 for the file: caching fields plus type, coding and `Accept-Ranges`.
 *
 * @example
 * ```ts
 * const headers = representationHeaders('app.js', 'text/javascript; charset=utf-8', 'br', validators, options);
 * ```
 */
export function representationHeaders(
  name: string,
  type: string,
  coding: Coding | undefined,
  v: Validators,
  options: ResolvedStaticOptions,
): Headers {
  const headers = cachingHeaders(name, v, options);
  headers.set('Content-Type', type);
  // The type comes from the file name: a browser must not second-guess it (an uploaded `.txt`
  // holding HTML is text, not a page that runs script on this origin).
  headers.set('X-Content-Type-Options', 'nosniff');
  if (coding !== undefined) headers.set('Content-Encoding', coding);
  headers.set('Accept-Ranges', 'bytes');
  return headers;
}
