import { isBodylessStatus } from '../../../http/codec/status.js';
import type { Response } from '../../../http/message/response.js';

/**
 * Media types not worth compressing: already compressed (images but SVG, audio, video, archives,
 * WOFF fonts, PDF), opaque binaries, and `text/event-stream`, whose events must not wait in a
 * compressor (and which some proxies break when encoded). Opt SSE in with a custom `filter`.
 */
const INCOMPRESSIBLE =
  /^(?:image\/(?!svg\+xml$)|audio\/|video\/|font\/woff2?$|text\/event-stream$|application\/(?:zip|gzip|x-gzip|zstd|x-bzip2?|x-xz|x-7z-compressed|x-rar-compressed|vnd\.rar|pdf|octet-stream|ogg|wasm-compressed)$)/;

/**
 * The default content-type filter: true for types worth compressing. A response without a
 * Content-Type is not compressed: we cannot tell what its bytes are.
 *
 * @example
 * ```ts
 * isCompressible('application/json; charset=utf-8'); // true
 * isCompressible('image/png'); // false
 * compress({ filter: (type) => type === 'text/event-stream' || isCompressible(type) });
 * ```
 */
export function isCompressible(contentType: string | null): boolean {
  if (contentType === null) return false;
  const type = mediaType(contentType);
  return type !== '' && !INCOMPRESSIBLE.test(type);
}

/**
 * The media type of a Content-Type, lower-cased, without parameters.
 *
 * @example
 * ```ts
 * mediaType('Text/HTML; charset=utf-8'); // 'text/html'
 * ```
 */
export function mediaType(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

/**
 * Whether a response must go out as it is, whatever the client accepts:
 * no body, a status without content (1xx, 204, 304), a partial response (a range of the encoded
 * bytes would be another thing, RFC 9110 §14.4), an existing content-coding (never encode twice),
 * or `Cache-Control: no-transform` (RFC 9111 §5.2.2.6 forbids changing the content).
 *
 * @example
 * ```ts
 * if (mustNotEncode(c.res)) return; // e.g. a 304, or a body the handler already gzipped
 * ```
 */
export function mustNotEncode(res: Response): boolean {
  if (res.peekContent() === null || isBodylessStatus(res.status) || res.status === 206) return true;
  const headers = res.headers;
  if (headers.has('content-range')) return true;
  const coding = headers.get('content-encoding');
  if (coding !== null && coding.trim().toLowerCase() !== 'identity') return true;
  const cacheControl = headers.get('cache-control');
  return cacheControl !== null && hasDirective(cacheControl, 'no-transform');
}

function hasDirective(cacheControl: string, directive: string): boolean {
  for (const part of cacheControl.split(',')) if (part.trim().toLowerCase() === directive) return true;
  return false;
}
