import { integer, OptionsSchema } from '../../../util/options.js';
import type { Middleware } from '../../compose.js';
import { integerOption } from '../shared/options.js';
import { limitBody, tooLarge } from './limited-body.js';

/** Options of {@link bodyLimit}. */
export interface BodyLimitOptions {
  /** Most request-body bytes accepted; more is a 413. */
  maxBytes: number;
}

const BODY_LIMIT_OPTIONS = new OptionsSchema<BodyLimitOptions>('bodyLimit()', { maxBytes: integer(0) });

/**
 * Refuses request bodies over `maxBytes` with 413: at once from `Content-Length` (the body is never
 * read; the server drops a small one and keeps the connection, or closes after a large one), and
 * for chunked bodies while they are read: `c.req.json()`, `text()`, `bytes()`, `form()` and the
 * `c.req.body` stream throw a 413 {@link PayloadTooLargeError} when the count crosses the limit.
 * Unlike the server's `maxBodyBytes`, it can differ per route.
 *
 * @example
 * ```ts
 * app.post('/upload', bodyLimit({ maxBytes: 10 * 1024 * 1024 }), async (c) => {
 *   for await (const chunk of c.req.body) await sink.write(chunk);
 *   return c.body(null, 204);
 * });
 * ```
 */
export function bodyLimit<V extends object = Record<string, unknown>>(options: BodyLimitOptions): Middleware<V> {
  BODY_LIMIT_OPTIONS.check(options);
  const maxBytes = integerOption('maxBytes', options.maxBytes);
  return (c, next) => {
    // A valid Content-Length is exact (the server frames the body by it), so it decides before any read.
    const declared = c.req.header('content-length');
    if (declared !== null && /^[0-9]+$/.test(declared) && Number(declared) > maxBytes) throw tooLarge(maxBytes);
    limitBody(c.req.raw, maxBytes);
    return next();
  };
}
