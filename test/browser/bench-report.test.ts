/**
 * The HTML report of `wirekit bench --html` in a real browser: it loads from a file with no
 * request beyond itself and no console error, and its charts are drawn (visible SVG with lines).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { loadTest, renderHtmlReport } from '../../src/tools/index.js';
import { rawServer, reply } from '../client/helpers.js';
import { launchChromium, withScreenshots } from '../helpers/browser.js';
import { trackLeaks } from '../helpers/leaks.js';

const leaks = trackLeaks();
let browser: Browser;
let dir = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wirekit-bench-html-'));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the HTML report renders its charts with no console error and no outside request', () =>
  withScreenshots('bench-report', async (shots) => {
    const server = await rawServer(leaks, (req, socket) =>
      socket.write(reply('ok', req.path === '/missing' ? 404 : 200)),
    );
    // Long enough for a few timeline samples, bounded by count and time.
    const result = await loadTest({
      targets: [`${server.url}/`, `${server.url}/missing`],
      connections: 2,
      durationMs: 2_500,
      requests: 200_000,
    });
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtmlReport(result));
    const url = pathToFileURL(file).href;

    const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
    const problems: string[] = [];
    const requested: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requested.push(r.url()));
    try {
      await page.goto(url);
      await page.getByRole('heading', { name: 'Latency by percentile' }).waitFor();
      for (const id of ['percentiles', 'throughput', 'latency-over-time']) {
        const svg = page.locator(`svg#${id}`);
        const box = await svg.boundingBox();
        assert.ok(box !== null && box.width > 300 && box.height > 100, `${id} is drawn (${JSON.stringify(box)})`);
        const points = await svg.locator('polyline').first().getAttribute('points');
        assert.ok((points ?? '').split(' ').length >= 2, `${id} has a line`);
      }
      const percentilePoints = (await page.locator('svg#percentiles polyline').getAttribute('points')) ?? '';
      assert.ok(percentilePoints.split(' ').length > 20, 'the percentile curve has many points');
      assert.equal(await page.locator('svg#latency-over-time polyline').count(), 3, 'p50, p99 and max');
      const text = (await page.locator('body').textContent()) ?? '';
      assert.match(text, /requests\/s/);
      assert.match(text, /404/);
      const embedded = JSON.parse((await page.locator('script#result').textContent()) ?? '{}') as { requests?: number };
      assert.equal(embedded.requests, result.requests, 'the result travels inside the report');

      const shot = await page.screenshot({ fullPage: true });
      shots.set('bench-report.png', shot);
      assert.ok(shot.byteLength > 10_000, 'the screenshot has content');
      assert.deepEqual(problems, []);
      assert.deepEqual(requested, [url], 'nothing but the file itself is loaded');
    } finally {
      await page.close();
    }
  }));
