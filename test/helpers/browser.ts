/**
 * Headless Chromium from Debian (`/usr/bin/chromium`, installed by `.ci/run`), driven by
 * playwright-core: the real browser a user has, no downloaded one. A missing Chromium fails the
 * test with a clear message rather than skipping it.
 */
import { existsSync, mkdtempSync } from 'node:fs';
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

/** A fresh temp directory for a test's screenshots. */
export function screenshotDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `wirekit-${name}-`));
}
