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
  /**
   * The path the kernel holds for an open descriptor (Linux: the `/proc/self/fd/N` link), or
   * undefined where the platform cannot tell (no `/proc`: macOS, Windows, some sandboxes).
   */
  fdPath(fd: number): Promise<string | undefined>;
  /** A path that names the open directory `fd` itself (`/proc/self/fd/N`), or undefined (see fdPath). */
  fdDirectory(fd: number): Promise<string | undefined>;
}

/** Whether `/proc/self/fd` tells true paths here, asked once. */
let procFd: Promise<boolean> | undefined;

function hasProcFd(): Promise<boolean> {
  procFd ??= procFdWorks().catch(() => false);
  return procFd;
}

/**
 * Opens a directory and asks `/proc/self/fd` for its path: it must be the directory's real path.
 * An emulated `/proc` that answers something else would make every file look outside the root,
 * so then the fallback (resolving the path again) is used instead.
 */
async function procFdWorks(): Promise<boolean> {
  const dir = await realpath(tmpdir());
  const handle = await open(dir, constants.O_RDONLY | (constants.O_DIRECTORY ?? 0));
  try {
    return (await readlink(`/proc/self/fd/${handle.fd}`)) === dir;
  } finally {
    await handle.close();
  }
}

/**
 * Node's own calls; `fdPath` reads `/proc/self/fd` where it tells true paths.
 *
 * @example
 * ```ts
 * const noProc: StaticFs = { ...NODE_FS, fdPath: async () => undefined, fdDirectory: async () => undefined };
 * ```
 */
export const NODE_FS: StaticFs = {
  open: (path, flags) => open(path, flags),
  realpath: (path) => realpath(path),
  stat: (path) => stat(path),
  readdir: (path) => readdir(path),
  fdPath: async (fd) => ((await hasProcFd()) ? readlink(`/proc/self/fd/${fd}`) : undefined),
  fdDirectory: async (fd) => ((await hasProcFd()) ? `/proc/self/fd/${fd}` : undefined),
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
