/**
 * Helpers of the tree-swap tests: a root with files beside an outside directory holding a secret
 * under the same names, the swap an attacker makes (a directory renamed away and a symlink to the
 * outside put in its place), and a record of the process warnings emitted during a test.
 */
import { execFile } from 'node:child_process';
import { rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { LeakTracker } from '../../helpers/leaks.js';
import { tempDir, writeFiles } from './helpers.js';

export const SECRET = 'OUTSIDE-SECRET-5d2e';
export const MIB = 1024 * 1024;
/** Over the 1 MiB small-file size: streamed from a file handle. */
export const BIG = Math.round(1.5 * MIB);

/** Inside: one letter; outside: the secret first, so any slice of it would show. */
export const insideBig = (): Buffer => Buffer.alloc(BIG, 'i');
export const outsideBig = (): Buffer => Buffer.concat([Buffer.from(SECRET), Buffer.alloc(BIG - SECRET.length, 'o')]);

/** The files under `dir/` in the root, and the same names outside with the secret in them. */
export const INSIDE_FILES: Record<string, string | Buffer> = {
  'big.bin': insideBig(),
  'small.txt': 'inside small',
  'index.html': 'inside index',
  'page.txt': 'inside page',
  // Precompressed siblings are served as they are: their content need not be real gzip/brotli.
  'page.txt.gz': 'inside page gz',
  'page.txt.br': 'inside page br',
};

const OUTSIDE_FILES: Record<string, string | Buffer> = {
  'big.bin': outsideBig(),
  'small.txt': SECRET,
  'index.html': SECRET,
  'page.txt': SECRET,
  'page.txt.gz': SECRET,
  'page.txt.br': SECRET,
  'only-outside.txt': SECRET,
};

/** `<tmp>/site` (the root) with `dir/` holding INSIDE_FILES, and `<tmp>/outside` holding the secrets. */
export async function swapLayout(leaks: LeakTracker): Promise<{ top: string; root: string; outside: string }> {
  const top = await tempDir(leaks, 'wk-swap-');
  const root = join(top, 'site');
  const outside = join(top, 'outside');
  await writeFiles(join(root, 'dir'), INSIDE_FILES);
  await writeFiles(outside, OUTSIDE_FILES);
  return { top, root, outside };
}

/** The attack: `path` renamed away and a symlink to `target` put in its place. Returns the undo. */
export async function swapForSymlink(path: string, target: string): Promise<() => Promise<void>> {
  await rename(path, `${path}-moved`);
  await symlink(target, path);
  return async () => {
    await rm(path);
    await rename(`${path}-moved`, path);
  };
}

/** Replaces the file at `path` by a FIFO (reading it would block until a writer comes). */
export async function replaceByFifo(path: string): Promise<void> {
  await rm(path);
  await new Promise<void>((resolve, reject) => {
    execFile('mkfifo', [path], (error) => (error ? reject(error) : resolve()));
  });
}
