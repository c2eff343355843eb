import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { App } from '../index.js';
import { UsageError } from './usage-error.js';

/**
 * Imports a module whose default export (or `app` export) is an App. TypeScript modules need a
 * runtime that strips types (Node 22.6+ with the flag, 23.6+ by default) or the `tsx` package next
 * to the module, which is registered on demand. A module without an App, or TypeScript without a
 * way to run it, is a {@link UsageError}; an error the module throws while loading is passed on.
 *
 * @example
 * ```ts
 * const app = await loadAppModule('/srv/app.mjs', 'app.mjs');
 * ```
 */
export async function loadAppModule(path: string, shown: string = path): Promise<App> {
  if (/\.m?ts$/.test(path) && !nodeStripsTypes()) await registerTsx(path, shown);
  const mod = (await import(pathToFileURL(path).href)) as { default?: unknown; app?: unknown };
  const app = mod.default ?? mod.app;
  if (isApp(app)) return app;
  throw new UsageError(`${shown} must export an App as its default export (export default app)`);
}

function isApp(value: unknown): value is App {
  return (
    typeof value === 'object' && value !== null && typeof (value as App).fetch === 'function' && 'handler' in value
  );
}

function nodeStripsTypes(): boolean {
  return (
    (process.features as { typescript?: unknown }).typescript !== undefined &&
    (process.features as { typescript?: unknown }).typescript !== false
  );
}

async function registerTsx(path: string, shown: string): Promise<void> {
  const { register } = (await import(pathToFileURL(tsxEsmApi(path, shown)).href)) as { register: () => void };
  register();
}

/**
 * Where `import 'tsx/esm/api'` from the module's folder would land. `require.resolve` picks the
 * CommonJS build, so the package's `exports` map is read for its `import` entry instead.
 */
function tsxEsmApi(path: string, shown: string): string {
  let manifest: string;
  try {
    manifest = createRequire(path).resolve('tsx/package.json');
  } catch {
    throw new UsageError(`${shown} is TypeScript: install tsx (npm i -D tsx) or run the compiled .js`);
  }
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { exports?: Record<string, unknown> };
  const entry = pkg.exports?.['./esm/api'] as { import?: string | { default?: string } } | undefined;
  const target = typeof entry?.import === 'string' ? entry.import : entry?.import?.default;
  if (target === undefined) throw new UsageError('this tsx version has no ESM API (tsx/esm/api): update tsx');
  return join(dirname(manifest), target);
}
