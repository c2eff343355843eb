/**
 * Bundles the compiled entry points (dist/src, from tsc) into dist/pkg, which the package's
 * `exports` and `bin` point at. Why: Node's ESM loader costs memory per module (about 7 MiB of RSS
 * for the ~50 files `serve()` needs), and a few bundled files start faster too. Code splitting
 * keeps one copy of every module across entry points, so `Response` from 'wirekit/http' is the very
 * class 'wirekit/web' uses. Declarations stay per file in dist/src (the `types` conditions).
 */
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const ENTRIES = [
  'index',
  'net/index',
  'http/index',
  'web/index',
  'client/index',
  'ws/index',
  'tools/index',
  'redis/index',
  'cli/main',
];

rmSync('dist/pkg', { recursive: true, force: true });
await build({
  entryPoints: ENTRIES.map((entry) => `dist/src/${entry}.js`),
  outbase: 'dist/src',
  outdir: 'dist/pkg',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Runtime dependencies (mime, hdr-histogram-js) stay imports: one copy shared with the user's own.
  packages: 'external',
  chunkNames: 'chunks/[hash]',
  // Linked maps that chain through tsc's own: `node --enable-source-maps` shows src/*.ts lines.
  sourcemap: 'linked',
  logLevel: 'warning',
});
