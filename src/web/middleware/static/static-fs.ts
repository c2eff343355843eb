import { constants, type Stats } from 'node:fs';
import { type FileHandle, open, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';

/**
 * The file-system calls the static middleware makes, in one place: Node's by default, and a seam
 * for tests that change the tree at an exact point between two of them (a deterministic race).
 *
 * @example
 * ```ts
 * const lookup = new FileLookup(resolveOptions('public', {}), NODE_FS);
 * ```
 */
export interface StaticFs {
  open(path: string, flags: number): Promise<FileHandle>;
  realpath(path: string): Promise<string>;
  stat(path: string): Promise<Stats>;
  readdir(path: string): Promise<string[]>;
  readlink(path: string): Promise<string>;
  /**
   * Whether {@link descriptorLink} names an open descriptor and reads back its true path (Linux's
   * `/proc/self/fd`); false where the platform has no such thing (macOS, Windows, some sandboxes).
   */
  descriptorLinks(): Promise<boolean>;
}

/**
 * The link that names open descriptor `fd` (where {@link StaticFs.descriptorLinks} says it exists):
 * `readlink` gives the path the kernel holds for it, `readdir` lists it as the directory it is.
 *
 * @example
 * ```ts
 * await readlink(descriptorLink(handle.fd)); // '/srv/www/app.js'
 * ```
 */
export function descriptorLink(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

/** Whether `/proc/self/fd` tells true paths here, asked once. */
let procFd: Promise<boolean> | undefined;

/**
 * Opens a directory and asks its descriptor link for its path: it must be the directory's real
 * path. An emulated `/proc` that answered something else would make every file look outside the
 * root, so then the fallback (resolving the path again) is used instead.
 */
async function procFdWorks(): Promise<boolean> {
  const dir = await realpath(tmpdir());
  const handle = await open(dir, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0));
  try {
    return (await readlink(descriptorLink(handle.fd))) === dir;
  } finally {
    await handle.close();
  }
}

/**
 * Node's own calls, and `/proc/self/fd` where it tells true paths.
 *
 * @example
 * ```ts
 * const noProc: StaticFs = { ...NODE_FS, descriptorLinks: async () => false }; // as on macOS
 * ```
 */
export const NODE_FS: StaticFs = {
  open: (path, flags) => open(path, flags),
  realpath: (path) => realpath(path),
  stat: (path) => stat(path),
  readdir: (path) => readdir(path),
  readlink: (path) => readlink(path),
  descriptorLinks: () => {
    procFd ??= procFdWorks().catch(() => false);
    return procFd;
  },
};

/**
 * Opening flags. O_NOFOLLOW: the path is a checked real path, so a symlink in its last place was put
 * there since (ELOOP). O_NONBLOCK: a FIFO put in a file's place must not block the open (and a
 * thread of libuv's small pool with it) until some writer comes; regular files ignore the flag.
 * Flags a platform lacks are 0.
 */
export const OPEN_FILE = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
export const OPEN_DIRECTORY = OPEN_FILE | (constants.O_DIRECTORY ?? 0);

/** Errors that mean the path names nothing servable now: removed, replaced, a symlink loop, too long… */
const MISSING_CODES: ReadonlySet<string> = new Set([
  'ENOENT',
  'ENOTDIR',
  'ELOOP',
  'EISDIR',
  'ENXIO',
  'ENAMETOOLONG',
  'ESTALE',
]);

/**
 * What an fs error means for a request: `'missing'` (the tree changed under us, or the name never
 * led anywhere: a 404), `'forbidden'` (the server may not read it: a 403, as nginx answers), or
 * undefined for a failure of the server itself (EMFILE, EIO…), which stays an error (500).
 * None of the first two is the server's fault, so none is worth a warning.
 *
 * @example
 * ```ts
 * try { await readdir(path); } catch (error) { if (fsRefusal(error) === undefined) throw error; }
 * ```
 */
export function fsRefusal(error: unknown): 'missing' | 'forbidden' | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (code === 'EACCES' || code === 'EPERM') return 'forbidden';
  return MISSING_CODES.has(code) ? 'missing' : undefined;
}
