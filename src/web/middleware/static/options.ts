import { type Stats, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { WirekitError } from '../../../errors.js';
import {
  anyOf,
  boolean,
  checkOption,
  duration,
  instanceOf,
  integer,
  listOf,
  number,
  OptionsSchema,
  oneOf,
  string,
} from '../../../util/options.js';

/** What to do with a path segment that starts with a dot (`.env`, `.git/config`). */
export type DotfilesPolicy = 'ignore' | 'deny' | 'allow';

const STATIC_OPTIONS = new OptionsSchema<StaticOptions>('serveStatic()', {
  prefix: string(),
  index: anyOf(listOf(string(), 'a list of file names'), oneOf(false)),
  listing: boolean(),
  dotfiles: oneOf('ignore', 'deny', 'allow'),
  followSymlinks: boolean(),
  fallthrough: boolean(),
  maxAgeSeconds: number(0),
  immutable: anyOf(instanceOf(RegExp, 'a RegExp'), oneOf(false)),
  precompressed: boolean(),
  spa: anyOf(boolean(), string()),
  etag: oneOf('strong', 'weak', false),
  lastModified: boolean(),
  maxRanges: integer(1),
  statCacheMs: duration(),
  smallFileBytes: integer(0),
  memoryCacheBytes: integer(0),
  chunkBytes: integer(1024),
  maxListingEntries: integer(1),
});

/**
 * The root as an absolute path, once it is known to be a directory: a typo in the path fails when
 * the app is set up, not as a 404 on every request.
 */
function checkRoot(root: string): string {
  checkOption('serveStatic()', 'root', string(), root);
  const absolute = resolve(root);
  let stats: Stats;
  try {
    stats = statSync(absolute);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
    throw new WirekitError('WK_ERR_INVALID_ARGUMENT', `serveStatic(): the root ${JSON.stringify(absolute)} ${why}`, {
      cause: error,
    });
  }
  if (!stats.isDirectory()) {
    throw new WirekitError(
      'WK_ERR_INVALID_ARGUMENT',
      `serveStatic(): the root ${JSON.stringify(absolute)} is not a directory`,
    );
  }
  return absolute;
}

/**
 * Options of {@link serveStatic}. Every option has a default; units are in the names.
 *
 * @example
 * ```ts
 * app.use(serveStatic('public', { maxAgeSeconds: 3600, spa: true, listing: false }));
 * ```
 */
export interface StaticOptions {
  /** URL path prefix mapped to the root, below the mount point; other paths go to `next()`. Default `'/'`. */
  prefix?: string;
  /** Index files tried for a directory URL (ending in `/`), in order; `false` for none. Default `['index.html']`. */
  index?: readonly string[] | false;
  /** An HTML (or, with `Accept: application/json`, JSON) listing of directories without an index. Default `true`. */
  listing?: boolean;
  /**
   * Dotfiles: `'ignore'` (as if absent), `'deny'` (403) or `'allow'`. Default `'ignore'`. The root's
   * `.well-known/` directory (RFC 8615) is served in every mode; dotfiles inside it follow the policy.
   */
  dotfiles?: DotfilesPolicy;
  /** Serve symlinks whose target is outside the root. Default `false` (they are treated as absent). */
  followSymlinks?: boolean;
  /** Not found (or a method other than GET/HEAD): `true` calls `next()`, `false` answers 404 (405). Default `true`. */
  fallthrough?: boolean;
  /** `Cache-Control: public, max-age=N`; 0 sends `no-cache` (always revalidate, cheap with ETags). Default 0. */
  maxAgeSeconds?: number;
  /**
   * Names that carry a content hash get `public, max-age=31536000, immutable`. Default: a dot or dash,
   * then 8+ hex digits with at least one digit and one letter, then the extension (`app.3f9a2c1b.js`).
   * `false` disables it.
   */
  immutable?: RegExp | false;
  /** Serve `x.br` / `x.gz` siblings of `x` when `Accept-Encoding` allows (with `Vary`). Default `true`. */
  precompressed?: boolean;
  /**
   * SPA fallback: unknown paths that accept HTML and have no extension get this file (`true` means
   * `index.html`, relative to the root). Default `false`.
   */
  spa?: boolean | string;
  /** ETag `'strong'` (from inode, size and mtime, like Apache), `'weak'`, or `false` for none. Default `'strong'`. */
  etag?: 'strong' | 'weak' | false;
  /** Send `Last-Modified` (never later than now) and honour `If-Modified-Since`/`If-Unmodified-Since`. Default `true`. */
  lastModified?: boolean;
  /** More ranges than this in one `Range` field (or overlapping ranges) get the whole file (RFC 9110 §14.2). Default 16. */
  maxRanges?: number;
  /**
   * How long a file's metadata (stat, realpath) is reused: a changed file may be served as it was
   * for up to this long. 0 checks the disk on every request. Default 1000.
   */
  statCacheMs?: number;
  /**
   * Files up to this size are read whole, kept in memory (see `memoryCacheBytes`) and sent in one
   * write; larger files stream in `chunkBytes` pieces. A response of a file not in the cache holds
   * at most this much until the client has read it. Default 1 MiB.
   */
  smallFileBytes?: number;
  /** Bound of the small-file cache (least recently used entries leave first). 0 disables it. Default 32 MiB. */
  memoryCacheBytes?: number;
  /** Bytes read per chunk when streaming a file. Default 64 KiB. */
  chunkBytes?: number;
  /** Most entries a directory listing shows (the rest are counted, not listed). Default 5000. */
  maxListingEntries?: number;
}

/** {@link StaticOptions} with every default filled in, and the root made absolute. */
export interface ResolvedStaticOptions {
  readonly root: string;
  readonly prefix: string;
  readonly index: readonly string[];
  readonly listing: boolean;
  readonly dotfiles: DotfilesPolicy;
  readonly followSymlinks: boolean;
  readonly fallthrough: boolean;
  readonly maxAgeSeconds: number;
  readonly immutable: RegExp | false;
  readonly precompressed: boolean;
  readonly spa: string | false;
  readonly etag: 'strong' | 'weak' | false;
  readonly lastModified: boolean;
  readonly maxRanges: number;
  readonly statCacheMs: number;
  readonly smallFileBytes: number;
  readonly memoryCacheBytes: number;
  readonly chunkBytes: number;
  readonly maxListingEntries: number;
}

/** Hashed asset names: `app.3f9a2c1b.js`, `chunk-0a1b2c3d4e.css`; not `photo-20240101.jpg` (no letter). */
export const DEFAULT_IMMUTABLE = /[.-](?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{8,}\.[a-z0-9]+$/i;

/**
 * Fills in the defaults of {@link StaticOptions}.
 *
 * @example
 * ```ts
 * resolveOptions('public', { spa: true }).spa; // 'index.html'
 * ```
 */
export function resolveOptions(root: string, options: StaticOptions): ResolvedStaticOptions {
  STATIC_OPTIONS.check(options);
  const prefix = options.prefix ?? '/';
  return {
    root: checkRoot(root),
    prefix: prefix.endsWith('/') ? prefix : `${prefix}/`,
    index: options.index === false ? [] : (options.index ?? ['index.html']),
    listing: options.listing ?? true,
    dotfiles: options.dotfiles ?? 'ignore',
    followSymlinks: options.followSymlinks ?? false,
    fallthrough: options.fallthrough ?? true,
    maxAgeSeconds: Math.max(0, Math.floor(options.maxAgeSeconds ?? 0)),
    immutable: options.immutable ?? DEFAULT_IMMUTABLE,
    precompressed: options.precompressed ?? true,
    spa: options.spa === true ? 'index.html' : (options.spa ?? false),
    etag: options.etag ?? 'strong',
    lastModified: options.lastModified ?? true,
    maxRanges: Math.max(1, options.maxRanges ?? 16),
    statCacheMs: Math.max(0, options.statCacheMs ?? 1000),
    smallFileBytes: Math.max(0, options.smallFileBytes ?? 1024 * 1024),
    memoryCacheBytes: Math.max(0, options.memoryCacheBytes ?? 32 * 1024 * 1024),
    chunkBytes: Math.max(1024, options.chunkBytes ?? 64 * 1024),
    maxListingEntries: Math.max(1, options.maxListingEntries ?? 5000),
  };
}
