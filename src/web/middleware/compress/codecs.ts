import type { Transform } from 'node:stream';
import zlib from 'node:zlib';

/** A content-coding this middleware can produce. */
export type Encoding = 'br' | 'zstd' | 'gzip';

/** A zlib-style compression stream: a Transform that can flush what it holds so far. */
export type CompressionStream = Transform & { flush(kind: number, callback: () => void): void };

/** The parts of `node:zlib` compression uses; a test passes another to exercise the zstd branch. */
export interface ZlibLike {
  readonly constants: Readonly<Record<string, number>>;
  createGzip(options: zlib.ZlibOptions): CompressionStream;
  createBrotliCompress(options: zlib.BrotliOptions): CompressionStream;
  /** Present from Node 22.15 / 23.8; absent in Node 20. */
  createZstdCompress?: (options: { params?: Record<number, number> }) => CompressionStream;
}

/** Compression levels (each library's own scale). */
export interface Levels {
  readonly gzipLevel: number;
  readonly brotliQuality: number;
  readonly zstdLevel: number;
}

/** One coding: how to make its stream and the flush that ends a block without ending the stream. */
export interface Codec {
  readonly encoding: Encoding;
  readonly flushKind: number;
  create(sizeHint: number | undefined): CompressionStream;
}

/**
 * The codings this Node can produce, in `order` (the server's preference), leaving out those it
 * lacks: zstd only when `createZstdCompress` exists (feature detection, not a version check).
 *
 * @example
 * ```ts
 * availableCodecs(zlib, ['br', 'zstd', 'gzip'], levels).map((c) => c.encoding); // ['br', 'gzip'] on Node 20
 * ```
 */
export function availableCodecs(lib: ZlibLike, order: readonly Encoding[], levels: Levels): Codec[] {
  const out: Codec[] = [];
  for (const encoding of order) {
    const codec = codecFor(lib, encoding, levels);
    if (codec !== undefined) out.push(codec);
  }
  return out;
}

/**
 * Whether this Node has zstd compression (`zlib.createZstdCompress`, Node ≥ 22.15).
 *
 * @example
 * ```ts
 * hasZstd(); // false on Node 20: compress() then offers br and gzip only
 * ```
 */
export function hasZstd(lib: ZlibLike = zlib as unknown as ZlibLike): boolean {
  return typeof lib.createZstdCompress === 'function';
}

function codecFor(lib: ZlibLike, encoding: Encoding, levels: Levels): Codec | undefined {
  const k = lib.constants;
  switch (encoding) {
    case 'gzip':
      // Z_SYNC_FLUSH ends a block on a byte boundary without resetting the dictionary (RFC 1951 §3.2.3).
      return { encoding, flushKind: k.Z_SYNC_FLUSH ?? 2, create: () => lib.createGzip({ level: levels.gzipLevel }) };
    case 'br':
      return {
        encoding,
        flushKind: k.BROTLI_OPERATION_FLUSH ?? 1,
        create: (sizeHint) =>
          lib.createBrotliCompress({
            params: {
              [k.BROTLI_PARAM_QUALITY ?? 1]: levels.brotliQuality,
              ...(sizeHint === undefined ? {} : { [k.BROTLI_PARAM_SIZE_HINT ?? 5]: sizeHint }),
            },
          }),
      };
    case 'zstd': {
      const create = lib.createZstdCompress;
      if (typeof create !== 'function') return undefined;
      return {
        encoding,
        flushKind: k.ZSTD_e_flush ?? 1,
        create: () => create({ params: { [k.ZSTD_c_compressionLevel ?? 100]: levels.zstdLevel } }),
      };
    }
  }
}
