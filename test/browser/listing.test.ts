/**
 * The directory listing in a real browser: names with awkward characters are shown and their links
 * open the right file, the columns sort by click (script) and by link (server), and the page fits
 * a phone-sized viewport. Screenshots are kept in a temp directory when a test fails.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { App, type AppServer, serveStatic } from '../../src/index.js';
import { launchChromium, withScreenshots } from '../helpers/browser.js';

/** name → size in bytes; the dates make the date order differ from both other orders. */
const FILES: [string, number, string][] = [
  ['b medium.txt', 2_000, '2024-03-01T10:00:00Z'],
  ['a #hash?.txt', 30_000, '2025-01-01T10:00:00Z'],
  ['c 100%.txt', 10, '2023-05-01T10:00:00Z'],
  ['ünïcødé.txt', 500, '2026-01-01T10:00:00Z'],
];

let root: string;
let browser: Browser;
let server: AppServer;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'wirekit-listing-'));
  for (const [name, size, date] of FILES) {
    const file = join(root, name);
    writeFileSync(file, `${name}\n`.padEnd(size, '.'));
    const time = new Date(date);
    utimesSync(file, time, time);
  }
  mkdirSync(join(root, 'sub dir'));
  writeFileSync(join(root, 'sub dir', 'inner.txt'), 'inner\n');
  writeFileSync(join(root, '.secret'), 'hidden\n');
  server = await new App().use(serveStatic(root)).listen({ port: 0 });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close({ timeoutMs: 2000 });
  rmSync(root, { recursive: true, force: true });
});

async function names(page: Page): Promise<string[]> {
  return page.locator('tbody td.name a').allTextContents();
}

test('the listing shows every visible entry and each link opens its file', () =>
  withScreenshots('listing', async (shots) => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    try {
      await page.goto(`${server.url}/`);
      const shown = await names(page);
      for (const [name] of FILES) assert.ok(shown.includes(name), `${name} is listed`);
      assert.ok(
        shown.some((n) => n.startsWith('sub dir')),
        'the folder is listed',
      );
      assert.ok(!shown.includes('.secret'), 'dotfiles are hidden');
      const width = await page.evaluate<number>('document.documentElement.scrollWidth');
      assert.ok(width <= 390, `the page fits a phone (${width}px wide)`);
      shots.set('listing-phone.png', await page.screenshot({ fullPage: true }));

      for (const [name] of FILES) {
        await page.goto(`${server.url}/`);
        await page.locator('tbody td.name a', { hasText: name }).click();
        await page.waitForLoadState();
        const body = await page.locator('body').textContent();
        assert.ok(body?.startsWith(name), `the link of ${name} opens it (got ${body?.slice(0, 40)})`);
      }

      await page.goto(`${server.url}/`);
      await page.locator('tbody td.name a', { hasText: 'sub dir' }).click();
      await page.locator('tbody td.name a', { hasText: 'inner.txt' }).waitFor();
      assert.match((await page.locator('nav[aria-label="Breadcrumb"]').textContent()) ?? '', /sub dir/);
    } finally {
      await page.close();
    }
  }));

test('clicking a column header sorts by it, and again reverses the order', () =>
  withScreenshots('listing', async (shots) => {
    const page = await browser.newPage();
    try {
      await page.goto(`${server.url}/`);
      const files = (list: string[]) => list.filter((n) => FILES.some(([f]) => f === n));
      const byName = ['a #hash?.txt', 'b medium.txt', 'c 100%.txt', 'ünïcødé.txt'];
      assert.deepEqual(files(await names(page)), byName, 'by name at first');
      await page.locator('th[data-key="size"] a').click();
      assert.deepEqual(files(await names(page)), ['c 100%.txt', 'ünïcødé.txt', 'b medium.txt', 'a #hash?.txt']);
      await page.locator('th[data-key="size"] a').click();
      assert.deepEqual(files(await names(page)), ['a #hash?.txt', 'b medium.txt', 'ünïcødé.txt', 'c 100%.txt']);
      await page.locator('th[data-key="mtime"] a').click();
      assert.deepEqual(files(await names(page)), ['c 100%.txt', 'b medium.txt', 'a #hash?.txt', 'ünïcødé.txt']);
      const shot = await page.screenshot();
      shots.set('listing-by-date.png', shot);
      assert.ok(shot.byteLength > 1000);
      await page.locator('th[data-key="name"] a').click();
      assert.deepEqual(files(await names(page)), byName, 'by name again');
      assert.equal(await page.locator('th[data-key="name"]').getAttribute('aria-sort'), 'ascending');
      await page.locator('th[data-key="name"] a').click();
      assert.deepEqual(files(await names(page)), [...byName].reverse(), 'by name, reversed');
      assert.equal(await page.locator('th[data-key="name"]').getAttribute('aria-sort'), 'descending');
    } finally {
      await page.close();
    }
  }));

test('without script, the header links sort on the server', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  try {
    await page.goto(`${server.url}/?sort=size&order=desc`);
    const files = (await names(page)).filter((n) => FILES.some(([f]) => f === n));
    assert.deepEqual(files, ['a #hash?.txt', 'b medium.txt', 'ünïcødé.txt', 'c 100%.txt']);
  } finally {
    await context.close();
  }
});
