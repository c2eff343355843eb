import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { ResolvedStaticOptions } from './options.js';
import { descriptorLink, fsRefusal, NODE_FS, OPEN_DIRECTORY, OPEN_FILE, type StaticFs } from './static-fs.js';
import { TtlCache } from './ttl-cache.js';

/** The one dot-directory served whatever the dotfile policy (RFC 8615). */
const WELL_KNOWN = '.well-known';

/** A version of a file: where it is, which file it is, and what it was when seen. */
export interface FileIdentity {
  readonly path: string;
  /** The device and inode: a file replaced by a rename is another file, even with the same size and mtime. */
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

/** A file the lookup checked: its real path, and the device and inode the path led to then. */
export interface FoundFile extends FileIdentity {
  readonly kind: 'file';
}

/** A directory the lookup checked. */
export interface FoundDirectory {
  readonly kind: 'directory';
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
  readonly mtimeMs: number;
}

/** Nothing servable there (absent, not a regular file or directory, outside the root, a hidden dotfile). */
export interface Missing {
  readonly kind: 'missing';
}

/** There, but refused: a dotfile under the `'deny'` policy, or not readable by the server (EACCES). */
export interface Forbidden {
  readonly kind: 'forbidden';
}

/** What a URL path names on disk, after every safety check. */
export type Lookup = FoundFile | FoundDirectory | Missing | Forbidden;

/** An open descriptor checked to be the file or directory a lookup found, inside the root. */
export interface Opened {
  readonly kind: 'opened';
  readonly handle: FileHandle;
  /** The descriptor's own stat: what its bytes are. */
  readonly stats: Stats;
}

/** What {@link FileLookup.open} gives: the checked descriptor, or why there is none. */
export type OpenResult = Opened | Missing | Forbidden;

/** The one `missing` answer (frozen, shared). */
export const MISSING: Missing = Object.freeze({ kind: 'missing' });
const FORBIDDEN: Forbidden = Object.freeze({ kind: 'forbidden' });

/**
 * Maps checked path segments (see `decodePath`) to a file or directory inside the root, and opens
 * what it found so that the bytes served come from inside the root however the tree changes.
 *
 * Finding: the lexical join cannot leave the root (segments hold no `/`, `.` or `..`); the real
 * path is then checked too, so a symlink that leads out of the root is treated as absent unless
 * `followSymlinks` is set, and a link to a dotfile gets the dotfile policy. Sockets, FIFOs and
 * devices are treated as absent. Results are reused for `statCacheMs`.
 *
 * Opening (see {@link FileLookup.open}): a found path is only a claim about the past. Any directory
 * on it may since have become a symlink to elsewhere (a rename and a link, within `statCacheMs` or
 * between two system calls), so the descriptor itself is checked after the open: its device and
 * inode must be those found, and its own path, as the kernel holds it, must pass the same checks.
 *
 * @example
 * ```ts
 * const lookup = new FileLookup(resolveOptions('public', {}));
 * const found = await lookup.find(['css', 'site.css']); // { kind: 'file', path, dev, ino, size, mtimeMs }
 * ```
 */
export class FileLookup {
  readonly #options: ResolvedStaticOptions;
  readonly #fs: StaticFs;
  readonly #cache: TtlCache<Lookup>;
  #realRoot: { value: string; expires: number } | undefined;

  constructor(options: ResolvedStaticOptions, fs: StaticFs = NODE_FS) {
    this.#options = options;
    this.#fs = fs;
    this.#cache = new TtlCache(options.statCacheMs);
  }

  /** The file or directory named by `segments` (relative to the root), from the cache when fresh. */
  find(segments: readonly string[]): Promise<Lookup> {
    return this.#find(segments, true);
  }

  /** {@link find}, asking the disk again (the cached answer was found stale) and caching the answer. */
  refresh(segments: readonly string[]): Promise<Lookup> {
    return this.#find(segments, false);
  }

  async #find(segments: readonly string[], cached: boolean): Promise<Lookup> {
    const policy = this.#dotfileVerdict(segments);
    if (policy !== undefined) return policy;
    const lexical = segments.length === 0 ? this.#options.root : join(this.#options.root, ...segments);
    if (!isWithin(lexical, this.#options.root)) return FORBIDDEN;
    const now = Date.now();
    const hit = cached ? this.#cache.get(lexical, now) : undefined;
    if (hit !== undefined) return hit;
    const found = await this.#resolve(lexical, now);
    this.#cache.set(lexical, found, now);
    return found;
  }

  /**
   * Opens what `found` names and checks the descriptor, not the path: it must be a regular file
   * (or directory) with the device and inode found, and its path as the kernel holds it
   * (`/proc/self/fd/N`, see `descriptorLink`) must be inside the root and pass the dotfile policy.
   * A hard link is a name of the same inode: one inside the root is served like any file there.
   * Where the kernel cannot say (no `/proc`), the path is resolved again after the open and must
   * lead to the opened device and inode: a tree swapped back and forth between those calls, in
   * step with them, is the one race left there. `missing` when it is gone, replaced or moved, or
   * is another file now (callers look again: {@link refresh}); `forbidden` when the server may not
   * read it. Other failures (EMFILE, EIO) throw.
   */
  async open(found: FoundFile | FoundDirectory): Promise<OpenResult> {
    let handle: FileHandle;
    try {
      handle = await this.#fs.open(found.path, found.kind === 'file' ? OPEN_FILE : OPEN_DIRECTORY);
    } catch (error) {
      return refusal(error);
    }
    try {
      const stats = await handle.stat();
      if (await this.#isFound(handle.fd, stats, found)) return { kind: 'opened', handle, stats };
    } catch (error) {
      await handle.close().catch(() => {});
      return refusal(error);
    }
    await handle.close().catch(() => {});
    return MISSING;
  }

  /**
   * The names in the directory `found`, read through a checked descriptor (its descriptor link
   * names the directory opened), so a directory swapped in since the lookup is never listed. Where
   * there are no descriptor links, the path is resolved again instead and must still lead to the
   * directory found, inside the root (nothing opens a directory there: Windows cannot).
   */
  async list(found: FoundDirectory): Promise<string[] | Missing | Forbidden> {
    if (!(await this.#fs.descriptorLinks())) {
      try {
        const real = await this.#resolvesTo(found.path, found);
        if (real === undefined || this.#placeVerdict(real, await this.#root(Date.now())) !== undefined) return MISSING;
        return await this.#fs.readdir(found.path);
      } catch (error) {
        return refusal(error);
      }
    }
    const opened = await this.open(found);
    if (opened.kind !== 'opened') return opened;
    try {
      return await this.#fs.readdir(descriptorLink(opened.handle.fd));
    } catch (error) {
      return refusal(error);
    } finally {
      await opened.handle.close().catch(() => {});
    }
  }

  async #isFound(fd: number, stats: Stats, found: FoundFile | FoundDirectory): Promise<boolean> {
    const kind = found.kind === 'file' ? stats.isFile() : stats.isDirectory();
    if (!kind || stats.dev !== found.dev || stats.ino !== found.ino) return false;
    const realRoot = await this.#root(Date.now());
    const real = (await this.#fs.descriptorLinks())
      ? await this.#fs.readlink(descriptorLink(fd))
      : await this.#resolvesTo(found.path, stats);
    return real !== undefined && this.#placeVerdict(real, realRoot) === undefined;
  }

  /** Without descriptor links: the real path of `path` now, if it leads to `file` (device and inode), else undefined. */
  async #resolvesTo(path: string, file: { dev: number; ino: number }): Promise<string | undefined> {
    const real = await this.#fs.realpath(path);
    const now = await this.#fs.stat(real);
    return now.dev === file.dev && now.ino === file.ino ? real : undefined;
  }

  async #resolve(lexical: string, now: number): Promise<Lookup> {
    let real: string;
    let stats: Stats;
    let realRoot: string;
    try {
      realRoot = await this.#root(now);
      real = await this.#fs.realpath(lexical);
      stats = await this.#fs.stat(real);
    } catch (error) {
      // ENOENT, ENOTDIR, ELOOP…: "not here", and the answer never says which.
      return refusal(error);
    }
    const verdict = this.#placeVerdict(real, realRoot);
    if (verdict !== undefined) return verdict;
    const { dev, ino, mtimeMs } = stats;
    if (stats.isFile()) return { kind: 'file', path: real, dev, ino, size: stats.size, mtimeMs };
    if (stats.isDirectory()) return { kind: 'directory', path: real, dev, ino, mtimeMs };
    return MISSING;
  }

  /**
   * Undefined when a real path may be served: inside the root (or anywhere with `followSymlinks`)
   * and, inside, allowed by the dotfile policy; else what to answer.
   */
  #placeVerdict(real: string, realRoot: string): Lookup | undefined {
    if (!isWithin(real, realRoot)) return this.#options.followSymlinks ? undefined : MISSING;
    return this.#dotfileVerdict(relative(realRoot, real).split(sep));
  }

  /** The root's real path (it may itself be a symlink), reused like any lookup. */
  async #root(now: number): Promise<string> {
    if (this.#realRoot !== undefined && this.#realRoot.expires > now) return this.#realRoot.value;
    const value = await this.#fs.realpath(this.#options.root);
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

/** True when `path` is `dir` or below it (`/srv/www2` is not below `/srv/www`; any path is below `/`). */
function isWithin(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/** An fs failure as an answer (see fsRefusal); a failure of the server itself is thrown on. */
function refusal(error: unknown): Missing | Forbidden {
  const kind = fsRefusal(error);
  if (kind === undefined) throw error;
  return kind === 'forbidden' ? FORBIDDEN : MISSING;
}
