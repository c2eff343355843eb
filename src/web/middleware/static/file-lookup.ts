import type { Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { ResolvedStaticOptions } from './options.js';
import { TtlCache } from './ttl-cache.js';

/** The one dot-directory served whatever the dotfile policy (RFC 8615). */
const WELL_KNOWN = '.well-known';

/** What a URL path names on disk, after every safety check. */
export type Lookup =
  | {
      readonly kind: 'file';
      readonly path: string;
      readonly ino: number;
      readonly size: number;
      readonly mtimeMs: number;
    }
  | { readonly kind: 'directory'; readonly path: string; readonly mtimeMs: number }
  | { readonly kind: 'missing' }
  | { readonly kind: 'forbidden' };

const MISSING: Lookup = Object.freeze({ kind: 'missing' });
const FORBIDDEN: Lookup = Object.freeze({ kind: 'forbidden' });

/**
 * Maps checked path segments (see `decodePath`) to a file or directory inside the root. The lexical
 * join cannot leave the root (segments hold no `/`, `.` or `..`); the real path is then checked too,
 * so a symlink that leads out of the root is treated as absent unless `followSymlinks` is set, and a
 * link to a dotfile gets the dotfile policy. Sockets, FIFOs and devices are treated as absent: reading
 * a FIFO would block. Results are reused for `statCacheMs`.
 *
 * @example
 * ```ts
 * const lookup = new FileLookup(resolveOptions('public', {}));
 * const found = await lookup.find(['css', 'site.css']); // { kind: 'file', path, ino, size, mtimeMs }
 * ```
 */
export class FileLookup {
  readonly #options: ResolvedStaticOptions;
  readonly #cache: TtlCache<Lookup>;
  #realRoot: { value: string; expires: number } | undefined;

  constructor(options: ResolvedStaticOptions) {
    this.#options = options;
    this.#cache = new TtlCache(options.statCacheMs);
  }

  /** The file or directory named by `segments` (relative to the root). */
  async find(segments: readonly string[]): Promise<Lookup> {
    const policy = this.#dotfileVerdict(segments);
    if (policy !== undefined) return policy;
    const lexical = segments.length === 0 ? this.#options.root : join(this.#options.root, ...segments);
    if (lexical !== this.#options.root && !lexical.startsWith(this.#options.root + sep)) return FORBIDDEN;
    const now = Date.now();
    const cached = this.#cache.get(lexical, now);
    if (cached !== undefined) return cached;
    const found = await this.#resolve(lexical, now);
    this.#cache.set(lexical, found, now);
    return found;
  }

  async #resolve(lexical: string, now: number): Promise<Lookup> {
    let real: string;
    let stats: Stats;
    let realRoot: string;
    try {
      realRoot = await this.#root(now);
      real = await realpath(lexical);
      stats = await stat(real);
    } catch {
      // ENOENT, ENOTDIR, ELOOP, EACCES…: all "not here", and the answer never says which.
      return MISSING;
    }
    const inside = real === realRoot || real.startsWith(realRoot + sep);
    if (!inside && !this.#options.followSymlinks) return MISSING;
    if (inside) {
      const verdict = this.#dotfileVerdict(relative(realRoot, real).split(sep));
      if (verdict !== undefined) return verdict;
    }
    if (stats.isFile()) return { kind: 'file', path: real, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs };
    if (stats.isDirectory()) return { kind: 'directory', path: real, mtimeMs: stats.mtimeMs };
    return MISSING;
  }

  /** The root's real path (it may itself be a symlink), reused like any lookup. */
  async #root(now: number): Promise<string> {
    if (this.#realRoot !== undefined && this.#realRoot.expires > now) return this.#realRoot.value;
    const value = await realpath(this.#options.root);
    this.#realRoot = { value, expires: now + this.#options.statCacheMs };
    return value;
  }

  /**
   * Undefined when the dotfile policy lets `segments` through, else what to answer. The root's
   * `.well-known/` (RFC 8615: ACME challenges, security.txt) is served whatever the policy, as sirv does.
   */
  #dotfileVerdict(segments: readonly string[]): Lookup | undefined {
    const policy = this.#options.dotfiles;
    if (policy === 'allow') return undefined;
    if (!segments.some((s, i) => s.startsWith('.') && !(i === 0 && s === WELL_KNOWN))) return undefined;
    return policy === 'deny' ? FORBIDDEN : MISSING;
  }
}
