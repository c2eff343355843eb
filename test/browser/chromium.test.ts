/**
 * The browser tests need no Chromium installed by hand: where Debian's is absent they use the build
 * that the devDependency `@sparticuz/chromium` ships (test/helpers/browser.ts). This file runs that
 * fallback on every machine, Debian's Chromium present or not, so it cannot rot unseen.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { App } from '../../src/web/index.js';
import { findChromium, launchChromium, npmChromium } from '../helpers/browser.js';

const browsers: Browser[] = [];
after(() => Promise.all(browsers.map((b) => b.close())));

test("the npm package's Chromium launches and runs a page from a wirekit server", async () => {
  const app = new App();
  app.get('/', (c) =>
    c.html(
      '<!doctype html><title>t</title><p id="out">…</p>' +
        "<script>fetch('/api').then((r) => r.json()).then((j) => { out.textContent = j.hello; });</script>",
    ),
  );
  app.get('/api', (c) => c.json({ hello: 'from the bundled Chromium' }));
  const server = await app.listen({ port: 0 });
  try {
    const build = await npmChromium();
    assert.match(build.source, /^@sparticuz\/chromium \d+/);
    const browser = await launchChromium(build);
    browsers.push(browser);
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.locator('#out', { hasText: 'from the bundled Chromium' }).waitFor();
    const png = await page.screenshot();
    assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
  } finally {
    await server.close({ timeoutMs: 2000 });
  }
});

test('CHROMIUM_PATH picks the browser: a path, or `npm` for the packaged build', async (t) => {
  const saved = process.env.CHROMIUM_PATH;
  t.after(() => {
    if (saved === undefined) delete process.env.CHROMIUM_PATH;
    else process.env.CHROMIUM_PATH = saved;
  });
  process.env.CHROMIUM_PATH = '/nonexistent/chromium';
  await assert.rejects(findChromium(), /CHROMIUM_PATH=\/nonexistent\/chromium: no such file/);
  process.env.CHROMIUM_PATH = 'npm';
  assert.equal((await findChromium()).executablePath, (await npmChromium()).executablePath);
});
