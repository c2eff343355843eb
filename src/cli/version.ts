/** The package version, for `wirekit --version` and the User-Agent of `wirekit request`. */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

/**
 * The version in package.json. The path is relative to this module, which sits as deep under
 * `dist/src` (compiled) as the bundled CLI does under `dist/pkg`, so both find the same file.
 *
 * @example
 * ```ts
 * io.stdout.write(`${packageVersion()}\n`); // 0.1.0
 * ```
 */
export function packageVersion(): string {
  cached ??= (
    JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;
  return cached;
}
