/**
 * The demo page in a real browser: what a person sees and can do (list, validation errors, add,
 * delete), with a screenshot kept in a temp directory when the test fails.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { createDemoApp } from '../../examples/demo/app.js';
import { ItemStore } from '../../examples/demo/items.js';
import type { AppServer } from '../../src/index.js';
import { launchChromium, withScreenshots } from '../helpers/browser.js';

let browser: Browser;
let server: AppServer;

before(async () => {
  const store = new ItemStore();
  store.add({ name: 'Read the README', quantity: 1 });
  server = await createDemoApp(store).listen({ port: 0 });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close({ timeoutMs: 2000 });
});

test('the demo lists items, shows validation errors, adds and deletes an item', () =>
  withScreenshots('demo', async (shots) => {
    const page = await browser.newPage();
    try {
      await page.goto(`${server.url}/`);
      await page.getByRole('heading', { name: 'wirekit demo' }).waitFor();
      await page.locator('#items li', { hasText: 'Read the README' }).waitFor();
      assert.equal(await page.locator('#count').textContent(), '(1)');

      await page.getByLabel('Name').fill('');
      await page.getByLabel('Quantity').fill('500');
      await page.getByRole('button', { name: 'Add' }).click();
      await page.locator('#name-error', { hasText: 'a name is required' }).waitFor();
      assert.equal(await page.locator('#quantity-error').textContent(), 'a whole number from 1 to 99');
      assert.equal(await page.locator('#items li').count(), 1);

      await page.getByLabel('Name').fill('Buy coffee');
      await page.getByLabel('Quantity').fill('2');
      await page.getByRole('button', { name: 'Add' }).click();
      const added = page.locator('#items li', { hasText: 'Buy coffee' });
      await added.waitFor();
      assert.match((await added.textContent()) ?? '', /× 2/);
      assert.equal(await page.locator('#name-error').textContent(), '');
      assert.equal(await page.locator('#count').textContent(), '(2)');

      const shot = await page.screenshot({ fullPage: true });
      shots.set('demo.png', shot);
      assert.ok(shot.byteLength > 1000, 'the screenshot has content');

      await page.getByRole('button', { name: 'Delete Buy coffee' }).click();
      await added.waitFor({ state: 'detached' });
      assert.equal(await page.locator('#count').textContent(), '(1)');
    } finally {
      await page.close();
    }
  }));

test("live updates: one page's additions and deletions appear on another open page at once", () =>
  withScreenshots('demo-live', async (shots) => {
    const [first, second] = [await browser.newPage(), await browser.newPage()];
    try {
      for (const page of [first, second]) {
        await page.goto(`${server.url}/`);
        await page.locator('#live', { hasText: /^live$/ }).waitFor();
      }
      await first.getByLabel('Name').fill('Shared across pages');
      await first.getByLabel('Quantity').fill('3');
      await first.getByRole('button', { name: 'Add' }).click();
      // No reload on the second page: the item arrives over its WebSocket.
      const seen = second.locator('#items li', { hasText: 'Shared across pages' });
      await seen.waitFor();
      assert.match((await seen.textContent()) ?? '', /× 3/);
      shots.set('second-page.png', await second.screenshot({ fullPage: true }));

      await second.getByRole('button', { name: 'Delete Shared across pages' }).click();
      await first.locator('#items li', { hasText: 'Shared across pages' }).waitFor({ state: 'detached' });
      const count = await second.locator('#count').textContent();
      assert.equal(await first.locator('#count').textContent(), count);
    } finally {
      await first.close();
      await second.close();
    }
  }));
