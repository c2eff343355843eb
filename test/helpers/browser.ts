/**
 * Headless Chromium from Debian (`/usr/bin/chromium`, installed by `.ci/run`), driven by
 * playwright-core: the real browser a user has, no downloaded one. A missing Chromium fails the
 * test with a clear message rather than skipping it.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

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

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: run .ci/run, or apt-get install -y chromium`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS, timeout: 60_000 });
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
