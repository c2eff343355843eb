/**
 * npm's `prepare` script: builds dist/ when this checkout is installed into another project, so an
 * unbuilt checkout works as a dependency:
 *
 * - `npm install ../wirekit` links the folder and runs `prepare` in it, with nothing installed
 *   there yet: the dev dependencies the build needs are installed first (`npm ci`, scripts off);
 * - `npm install git+https://…/wirekit.git`: npm clones, installs the dev dependencies and runs
 *   `prepare`, then packs the result;
 * - `npm pack` and `npm publish` build what they pack.
 *
 * In the project's own `npm install` or `npm ci` (npm started in this folder: INIT_CWD is here) it
 * does nothing: `npm test`, `npm start` and `npm run build` build, so CI does not build twice.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = realpathSync(fileURLToPath(new URL('..', import.meta.url)));
const startedHere = process.env.INIT_CWD !== undefined && realpathSync(process.env.INIT_CWD) === root;
const packing = ['pack', 'publish'].includes(process.env.npm_command ?? '');

if (!startedHere || packing) {
  const npm = (...args) =>
    process.env.npm_execpath
      ? execFileSync(process.execPath, [process.env.npm_execpath, ...args], { cwd: root, stdio: 'inherit' })
      : execFileSync('npm', args, { cwd: root, stdio: 'inherit' });
  if (!existsSync(resolve(root, 'node_modules/typescript'))) {
    // --ignore-scripts: no `prepare` of our own again, and no dependency's install script.
    npm(
      existsSync(resolve(root, 'package-lock.json')) ? 'ci' : 'install',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
    );
  }
  npm('run', 'build', '--silent');
}
