import type { Headers } from '../../../http/message/headers.js';

/**
 * Adds `field` to the response's `Vary` (RFC 9110 §12.5.5) unless it is already listed or `Vary: *`
 * already says everything varies. Several middleware add to one Vary (CORS `Origin`, compression
 * `Accept-Encoding`), so each appends instead of replacing the others'.
 *
 * @example
 * ```ts
 * addVary(res.headers, 'Accept-Encoding'); // Vary: Origin → Vary: Origin, Accept-Encoding
 * ```
 */
export function addVary(headers: Headers, field: string): void {
  const current = headers.get('vary');
  if (current === null || current.trim() === '') {
    headers.set('Vary', field);
    return;
  }
  const wanted = field.toLowerCase();
  for (const token of current.split(',')) {
    const name = token.trim().toLowerCase();
    if (name === '*' || name === wanted) return;
  }
  headers.set('Vary', `${current}, ${field}`);
}
