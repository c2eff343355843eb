import { Response } from '../../../http/message/response.js';
import { boolean, OptionsSchema } from '../../../util/options.js';
import type { Middleware } from '../../compose.js';
import { listMatches } from '../static/validators.js';
import { bodyEtag } from './hash.js';

export { bodyEtag } from './hash.js';

/** Options of {@link etag}. */
export interface EtagOptions {
  /**
   * Send weak tags (`W/"…"`): say so when equal tags only promise equivalent content, e.g. a body
   * that embeds a timestamp the client does not care about. Default false (strong).
   */
  weak?: boolean;
}

const ETAG_OPTIONS = new OptionsSchema<EtagOptions>('etag()', { weak: boolean() });

/**
 * ETags for dynamic responses: a 200 answer to GET or HEAD whose body is text or bytes gets an
 * `ETag` hashed from the body (unless it has one), and a request whose `If-None-Match` matches it
 * (weak comparison, `*` included, RFC 9110 §13.1.2) gets 304 without a body instead. Streamed
 * bodies are not hashed (that would mean buffering them), but a tag the handler set is honoured.
 * The handler still runs: this saves bandwidth, not work. Put it inside `compress()` so it hashes
 * the unencoded body and a 304 costs no compression.
 *
 * @example
 * ```ts
 * app.use(compress());
 * app.use(etag());
 * app.get('/report', (c) => c.json(buildReport()));
 * ```
 */
export function etag<V extends object = Record<string, unknown>>(options: EtagOptions = {}): Middleware<V> {
  ETAG_OPTIONS.check(options);
  const weak = options.weak ?? false;
  return async (c, next) => {
    await next();
    const res = c.res;
    const method = c.req.method;
    if (res === undefined || res.status !== 200 || (method !== 'GET' && method !== 'HEAD')) return;
    let tag = res.headers.get('etag');
    if (tag === null) {
      const content = res.peekContent();
      if (typeof content !== 'string' && !(content instanceof Uint8Array)) return;
      tag = bodyEtag(content, weak);
      res.headers.set('ETag', tag);
    }
    const condition = c.req.header('if-none-match');
    if (condition !== null && listMatches(condition, tag, 'weak')) c.res = notModified(res);
  };
}

/**
 * Representation metadata a 304 leaves out (RFC 9110 §15.4.5: it carries the fields the 200 would,
 * Cache-Control, ETag, Vary, Expires, Content-Location, Date, and no other representation metadata;
 * Last-Modified only helps when there is no ETag, and here there always is one). Everything else,
 * Set-Cookie and CORS fields included, stays.
 */
const NOT_FOR_304 = ['content-type', 'content-length', 'content-encoding', 'content-language', 'last-modified'];

function notModified(res: Response): Response {
  const content = res.takeContent();
  // A streamed body that will never be sent: let its producer release what it holds.
  if (content !== null && typeof content === 'object' && !(content instanceof Uint8Array)) {
    void content[Symbol.asyncIterator]()
      .return?.()
      ?.catch(() => {});
  }
  const headers = res.headers;
  for (const name of NOT_FOR_304) headers.delete(name);
  return new Response(null, { status: 304, headers });
}
