import zlib from 'node:zlib';
import type { BodyContent, BodyInit } from '../../../http/message/body.js';
import type { Headers } from '../../../http/message/headers.js';
import type { Response } from '../../../http/message/response.js';
import { isStreamed, knownSize, withBody } from '../../../http/message/response-content.js';
import { func, integer, listOf, OptionsSchema, object, oneOf } from '../../../util/options.js';
import type { Middleware } from '../../compose.js';
import { integerOption } from '../shared/options.js';
import { addVary } from '../shared/vary.js';
import { availableCodecs, type Codec, type Encoding, type ZlibLike } from './codecs.js';
import { isCompressible, mustNotEncode } from './eligible.js';
import { weakenEtag, weakenNotModifiedEtag } from './etag.js';
import { negotiateEncoding } from './negotiate.js';
import { compressBytes, compressChunks } from './stream.js';

export { type CompressionStream, type Encoding, hasZstd, type ZlibLike } from './codecs.js';
export { isCompressible } from './eligible.js';
export { negotiateEncoding } from './negotiate.js';

/** Options of {@link compress}; every one has a default. */
export interface CompressOptions {
  /** Codings offered, in the server's preference (it breaks q ties). Default `['br', 'zstd', 'gzip']`; zstd only where Node has it. */
  encodings?: readonly Encoding[];
  /** Bodies smaller than this many bytes go out unencoded (the headers would eat the gain). Default 1024. Streams of unknown size are always compressed. */
  threshold?: number;
  /** Which Content-Types to compress. Default {@link isCompressible}: not images, audio, video, archives, PDF, octet-stream or `text/event-stream`. */
  filter?: (contentType: string | null) => boolean;
  /** gzip level, 0–9. Default 6 (zlib's default). */
  gzipLevel?: number;
  /** Brotli quality, 0–11. Default 4: near gzip's speed with smaller output (11 is for build-time compression). */
  brotliQuality?: number;
  /** zstd level, 1–22. Default 3 (zstd's default). */
  zstdLevel?: number;
  /** The zlib implementation. Default `node:zlib`; tests pass another to exercise zstd where Node lacks it. */
  zlib?: ZlibLike;
}

const COMPRESS_OPTIONS = new OptionsSchema<CompressOptions>('compress()', {
  encodings: listOf(oneOf('br', 'zstd', 'gzip'), 'a list of "br", "zstd" and "gzip"'),
  threshold: integer(0),
  filter: func(),
  gzipLevel: integer(0, 9),
  brotliQuality: integer(0, 11),
  zstdLevel: integer(1, 22),
  zlib: object(),
});

/**
 * Compresses responses with the best coding the client accepts (`Accept-Encoding` with q-values;
 * br > zstd > gzip on ties). Skipped for small bodies, types not worth it, responses already encoded
 * or marked `no-transform`, partial and bodiless responses. HEAD gets GET's fields. Streams are compressed chunk
 * by chunk with backpressure, flushed after each chunk. Sets `Vary: Accept-Encoding`, drops
 * `Content-Length` (the server frames the new body) and `Accept-Ranges`, weakens a strong ETag.
 *
 * @example
 * ```ts
 * const app = new App();
 * app.use(compress({ threshold: 512 }));
 * app.get('/data', (c) => c.json(bigList));
 * ```
 */
export function compress<V extends object = Record<string, unknown>>(options: CompressOptions = {}): Middleware<V> {
  COMPRESS_OPTIONS.check(options);
  const codecs = availableCodecs(options.zlib ?? (zlib as unknown as ZlibLike), options.encodings ?? DEFAULT_ORDER, {
    gzipLevel: integerOption('gzipLevel', options.gzipLevel ?? 6, 0, 9),
    brotliQuality: integerOption('brotliQuality', options.brotliQuality ?? 4, 0, 11),
    zstdLevel: integerOption('zstdLevel', options.zstdLevel ?? 3, 1, 22),
  });
  const offered = codecs.map((codec) => codec.encoding);
  const threshold = integerOption('threshold', options.threshold ?? 1024);
  const filter = options.filter ?? isCompressible;
  return async (c, next) => {
    await next();
    const res = c.res;
    if (res === undefined) return;
    if (res.status === 304) {
      weakenNotModifiedEtag(res.headers, c.req.header('if-none-match'));
      return;
    }
    if (mustNotEncode(res) || !filter(res.headers.get('content-type'))) return;
    const negotiated = negotiateEncoding(c.req.header('accept-encoding'), offered);
    const size = knownSize(res.peekContent()) ?? declaredLength(res.headers.get('content-length'));
    // Below the threshold the answer never varies, unless the client refused identity outright.
    if (size !== undefined && size < threshold && !negotiated.identityRefused) return;
    addVary(res.headers, 'Accept-Encoding');
    const codec = codecs.find((candidate) => candidate.encoding === negotiated.coding);
    if (codec === undefined) return;
    // HEAD gets the fields GET gets (RFC 9110 §9.3.2): caches compare their validators. A fixed body
    // is encoded for its length; a stream the server cancels unread is left as it is.
    if (c.req.method === 'HEAD' && isStreamed(res.peekContent())) markEncoded(res.headers, codec);
    else c.res = await encode(res, codec);
  };
}

/** The fields of an encoded answer; the length is the server's to frame. */
function markEncoded(headers: Headers, codec: Codec): void {
  headers.delete('content-length');
  // Byte ranges of the encoded body are not offered (nginx does the same when it gzips).
  headers.delete('accept-ranges');
  headers.set('Content-Encoding', codec.encoding);
  weakenEtag(headers);
}

const DEFAULT_ORDER: readonly Encoding[] = ['br', 'zstd', 'gzip'];

/** The response with its body encoded; the original's body is taken (used). */
async function encode(res: Response, codec: Codec): Promise<Response> {
  markEncoded(res.headers, codec);
  return withBody(res, await encodedBody(res.takeContent(), codec));
}

function encodedBody(content: BodyContent, codec: Codec): Promise<BodyInit> | BodyInit {
  if (content === null) return null;
  if (typeof content === 'string') return compressBytes(Buffer.from(content, 'utf8'), codec);
  if (content instanceof Uint8Array) return compressBytes(content, codec);
  return compressChunks(content, codec);
}

/** A Content-Length a handler declared for a stream (a static file), if it is a plain number. */
function declaredLength(value: string | null): number | undefined {
  if (value === null || !/^[0-9]{1,15}$/.test(value)) return undefined;
  return Number(value);
}
