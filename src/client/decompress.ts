/**
 * The decompress interceptor: asks for `gzip, deflate, br` and decodes the body with node:zlib
 * streams (backpressure end to end: a slow reader pauses zlib, which pauses the socket). Headers are
 * left as received, as Fetch does; a coding we do not know leaves the body as it is.
 */
import { pipeline, Readable, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import { WirekitError } from '../errors.js';
import { hasHeader } from './fields.js';
import type { ClientResponse } from './response.js';
import { ResponseBody } from './response-body.js';
import type { Interceptor } from './types.js';

const ACCEPT = 'gzip, deflate, br';
const KNOWN = new Set(['gzip', 'x-gzip', 'deflate', 'br']);

/**
 * Decodes compressed response bodies.
 *
 * @example
 * ```ts
 * const api = withInterceptors(new Agent(), decompress());
 * const res = await api.dispatch({ origin, path: '/', method: 'GET', headers: [] });
 * console.log(await res.body.text()); // decoded
 * ```
 */
export function decompress(): Interceptor {
  return (next) => async (request) => {
    const ask = hasHeader(request.headers, 'accept-encoding')
      ? request
      : { ...request, headers: [...request.headers, 'Accept-Encoding', ACCEPT] };
    const response = await next(ask);
    if (request.method === 'HEAD' || response.status === 204 || response.status === 304) return response;
    const codings = contentCodings(response.headers.get('content-encoding'));
    if (codings.length === 0 || !codings.every((coding) => KNOWN.has(coding))) return response;
    // Cancelled before its first read, the decoder has not touched the body it decodes: pass it on.
    const decoded = Object.assign(decode(response, codings), { cancel: () => response.body.cancel() });
    return response.with({ body: new ResponseBody(decoded, undefined, response) });
  };
}

/**
 * The codings of a Content-Encoding value, in the order they were applied (`identity` dropped).
 *
 * @example
 * ```ts
 * contentCodings('gzip, br'); // ['gzip', 'br']: decode br first
 * ```
 */
export function contentCodings(value: string | null): string[] {
  if (value === null) return [];
  return value
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
}

async function* decode(response: ClientResponse, codings: string[]): AsyncGenerator<Uint8Array> {
  const source = response.body[Symbol.asyncIterator]();
  const first = await source.next();
  if (first.done) return;
  const decoders = codings.reverse().map((coding, i) => decoder(coding, i === 0 ? first.value : undefined));
  const input = Readable.from(prepend(first.value, source), { objectMode: false });
  const output = (pipeline as (...streams: (Readable | Transform | ((error: unknown) => void))[]) => Transform)(
    input,
    ...decoders,
    () => {},
  );
  try {
    for await (const chunk of output) yield chunk as Uint8Array;
  } catch (error) {
    if (error instanceof WirekitError) throw error;
    throw new WirekitError('WK_ERR_DECOMPRESS', `cannot decode the ${codings.join(', ')} body of ${response.url}`, {
      cause: error,
      localAddress: response.localAddress,
      remoteAddress: response.remoteAddress,
    });
  } finally {
    output.destroy();
  }
}

async function* prepend(first: Uint8Array, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield first;
  try {
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    await rest.return?.();
  }
}

/** A decoder for `coding`; `first` (the body's first bytes, when this decoder reads them) tells zlib from raw deflate. */
function decoder(coding: string, first: Uint8Array | undefined): Transform {
  switch (coding) {
    case 'br':
      return createBrotliDecompress();
    case 'deflate':
      // RFC 9110 §8.4.1.2 means zlib-wrapped; some servers send raw deflate. A zlib stream starts
      // with a CMF byte whose low nibble is 8 (deflate).
      return first !== undefined && ((first[0] ?? 0) & 0x0f) !== 8 ? createInflateRaw() : createInflate();
    default:
      return createGunzip();
  }
}
