/** Paths of the repository, from the compiled test's location (dist/test/helpers → repo root). */
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const SRC_DIR = fileURLToPath(new URL('../../../src/', import.meta.url));
export const DIST_DIR = fileURLToPath(new URL('../../', import.meta.url));
