/** Paths of the repository, from the compiled test's location (dist/test/helpers → repo root). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SRC_DIR = fileURLToPath(new URL('../../../src/', import.meta.url));
export const DIST_DIR = fileURLToPath(new URL('../../', import.meta.url));

const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  bin: { wirekit: string };
  exports: { '.': { import: string } };
};
/** The `wirekit` command as the package installs it (the bundle in dist/pkg). */
export const BIN = join(REPO_ROOT, manifest.bin.wirekit);
/** The file `import 'wirekit'` loads, for code written outside the repository. */
export const PACKAGE_MAIN = join(REPO_ROOT, manifest.exports['.'].import);
