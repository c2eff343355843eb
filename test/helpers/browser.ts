/**
 * Headless Chromium for the browser tests, driven by playwright-core, found with no set-up by hand:
 *
 * 1. `CHROMIUM_PATH`, when set: that executable (`CHROMIUM_PATH=npm` forces step 3);
 * 2. else `/usr/bin/chromium`, Debian's browser, the one a user has;
 * 3. else the Chromium build that the devDependency `@sparticuz/chromium` ships inside its npm
 *    package (a self-contained headless shell, brotli-compressed: it needs only libc, libgcc and
 *    libexpat), unpacked once per package version into the temp directory.
 *
 * So `npm install && npm test` runs the browser tests on a fresh machine. A Chromium that cannot
 * be found or launched fails the test with a clear message; it is never skipped.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, chromium } from 'playwright-core';
import { REPO_ROOT } from './paths.js';

const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** The flags the issue asks for, plus the ones that keep Chromium off the (closed) network. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

/** A Chromium to launch: the executable and the environment it needs. */
export interface ChromiumBuild {
  executablePath: string;
  /** Where it came from: `CHROMIUM_PATH`, Debian's package, or the npm package (with its version). */
  source: string;
  env: Record<string, string>;
}

/** Picks the Chromium as the file header says, unpacking the npm build when it is the one. */
export async function findChromium(): Promise<ChromiumBuild> {
  const wanted = process.env.CHROMIUM_PATH;
  if (wanted === 'npm') return npmChromium();
  if (wanted !== undefined && wanted !== '') {
    if (!existsSync(wanted)) throw new Error(`CHROMIUM_PATH=${wanted}: no such file`);
    return { executablePath: wanted, source: 'CHROMIUM_PATH', env: {} };
  }
  if (existsSync(DEBIAN_CHROMIUM)) return { executablePath: DEBIAN_CHROMIUM, source: 'debian', env: {} };
  return npmChromium();
}

/** Launches the Chromium `findChromium` picks (or `build`), headless and off the network. */
export async function launchChromium(build?: ChromiumBuild): Promise<Browser> {
  const { executablePath, env } = build ?? (await findChromium());
  return chromium.launch({ executablePath, env: { ...process.env, ...env }, args: FLAGS, timeout: 60_000 });
}

let unpacked: Promise<ChromiumBuild> | undefined;

/**
 * The Chromium of `@sparticuz/chromium`, unpacked into `<tmp>/wirekit-chromium-<version>/`. The
 * package's own `executablePath()` inflates into the temp directory itself and reuses whatever
 * `<tmp>/chromium` holds, whatever its version, so it runs in a child whose TMPDIR is a fresh
 * staging directory, renamed into place once complete: test files running in parallel, or a run
 * killed midway, never see half a binary, and each version gets its own directory.
 */
export function npmChromium(): Promise<ChromiumBuild> {
  unpacked ??= unpackNpmChromium();
  return unpacked;
}

async function unpackNpmChromium(): Promise<ChromiumBuild> {
  const manifest = join(REPO_ROOT, 'node_modules/@sparticuz/chromium/package.json');
  if (!existsSync(manifest))
    throw new Error('no Chromium: /usr/bin/chromium is absent and so is @sparticuz/chromium (npm install)');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  const dir = join(tmpdir(), `wirekit-chromium-${version}`);
  if (!existsSync(join(dir, 'chromium'))) {
    const staging = mkdtempSync(`${dir}.partial-`);
    try {
      const unpack = "const { default: c } = await import('@sparticuz/chromium'); await c.executablePath();";
      await promisify(execFile)(process.execPath, ['--input-type=module', '-e', unpack], {
        cwd: REPO_ROOT,
        env: { ...process.env, TMPDIR: staging },
      });
      writeFileSync(join(staging, 'fonts.conf'), fontsConf(dir));
      renameSync(staging, dir);
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      // Another process unpacked the same version first: use its copy.
      if (!existsSync(join(dir, 'chromium'))) throw error;
    }
  }
  return {
    executablePath: join(dir, 'chromium'),
    source: `@sparticuz/chromium ${version}`,
    // The build carries its own fonts: text renders even where the system has no fontconfig set-up.
    env: { FONTCONFIG_FILE: join(dir, 'fonts.conf') },
  };
}

/** A fontconfig file: the system's fonts where there are any, and the fonts the package ships. */
function fontsConf(dir: string): string {
  return `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>${join(dir, 'fonts')}</dir>
  <cachedir>${join(dir, 'fonts-cache')}</cachedir>
</fontconfig>
`;
}

/** A test's screenshots by file name, held in memory until the test's outcome is known. */
export type Screenshots = Map<string, Uint8Array>;

/**
 * Runs a browser test with somewhere to put its screenshots. They stay in memory and are written to
 * a fresh temp directory (named on stderr) only when the test fails, where they help; a passing run
 * leaves nothing behind in /tmp.
 */
export async function withScreenshots(name: string, run: (shots: Screenshots) => Promise<void>): Promise<void> {
  const shots: Screenshots = new Map();
  try {
    await run(shots);
  } catch (error) {
    if (shots.size > 0) {
      const dir = mkdtempSync(join(tmpdir(), `wirekit-${name}-`));
      for (const [file, png] of shots) writeFileSync(join(dir, file), png);
      process.stderr.write(`${name}: the test failed; its screenshots are in ${dir}\n`);
    }
    throw error;
  }
}
