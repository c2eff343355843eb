import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { App } from '../index.js';

/**
 * Imports a module whose default export (or `app` export) is an App. TypeScript modules need a
 * runtime that strips types (Node 22.6+ with the flag, 23.6+ by default) or the `tsx` package next
 * to the module, which is registered on demand.
 */
export async function loadAppModule(path: string): Promise<App> {
  if (/\.m?ts$/.test(path) && !nodeStripsTypes()) await registerTsx(path);
  const mod = (await import(pathToFileURL(path).href)) as { default?: unknown; app?: unknown };
  const app = mod.default ?? mod.app;
  if (isApp(app)) return app;
  throw new Error(`${path} must export an App as its default export (export default app)`);
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

async function registerTsx(path: string): Promise<void> {
  let api: string;
  try {
    api = createRequire(path).resolve('tsx/esm/api');
  } catch {
    throw new Error(`${path} is TypeScript: install tsx (npm i -D tsx) or run the compiled .js`);
  }
  const { register } = (await import(pathToFileURL(api).href)) as { register: () => void };
  register();
}
