/**
 * The security middleware against a real browser (Debian's Chromium): the CSP nonce lets exactly the
 * inline script that carries it run, and csrf() refuses a form another site posts (Chromium sends
 * its own Sec-Fetch-Site and Origin) while the site's own form goes through.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { App, type AppServer, CSP_NONCE, csrf, type SecureHeadersVariables, secureHeaders } from '../../src/index.js';
import { launchChromium, withScreenshots } from '../helpers/browser.js';

let browser: Browser;
let site: AppServer;
let attacker: AppServer;
/** The same form behind `Referrer-Policy: strict-origin-when-cross-origin`: Chromium names its origin. */
let referring: AppServer;
const referredOrigins: (string | null)[] = [];
/** What reached the site's POST route: the Sec-Fetch-Site and Origin of each request let through. */
const transfers: string[] = [];
/** Sec-Fetch-Site of every POST the site received, let through or not. */
const posts: string[] = [];

const FORM = (action: string) =>
  `<form method="post" action="${action}"><input name="amount" value="100"><button id="send">Send</button></form>`;

before(async () => {
  const app = new App<SecureHeadersVariables>();
  app.use(async (c, next) => {
    if (c.req.method === 'POST') posts.push(c.req.header('sec-fetch-site') ?? 'none sent');
    await next();
  });
  app.use(secureHeaders({ contentSecurityPolicy: { directives: { scriptSrc: [CSP_NONCE] } } }));
  app.use(csrf());
  app.get('/scripts', (c) =>
    c.html(
      `<p id="out"></p><script nonce="${c.var.cspNonce}">document.getElementById('out').textContent += 'nonce;';</script>` +
        `<script>document.getElementById('out').textContent += 'no-nonce;';</script>` +
        `<script nonce="guessed">document.getElementById('out').textContent += 'guessed;';</script>`,
    ),
  );
  app.get('/form', (c) => c.html(FORM('/transfer')));
  app.post('/transfer', async (c) => {
    transfers.push(`${c.req.header('sec-fetch-site')} ${c.req.header('origin')}`);
    return c.html(`<p id="done">sent ${(await c.req.form()).get('amount')}</p>`);
  });
  site = await app.listen({ port: 0, host: '127.0.0.1' });
  // Another site: `localhost` and `127.0.0.1` are different sites to a browser.
  const evil = new App();
  evil.get('/', (c) => c.html(FORM(`${site.url}/transfer`)));
  attacker = await evil.listen({ port: 0, host: '127.0.0.1' });
  const second = new App();
  second.use(secureHeaders({ referrerPolicy: 'strict-origin-when-cross-origin' }));
  second.use(csrf({ secFetchSite: (site) => site === 'never' }));
  second.get('/form', (c) => c.html(FORM('/transfer')));
  second.post('/transfer', (c) => {
    referredOrigins.push(c.req.header('origin'));
    return c.html('<p id="done">sent</p>');
  });
  referring = await second.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await site?.close({ timeoutMs: 2000 });
  await attacker?.close({ timeoutMs: 2000 });
  await referring?.close({ timeoutMs: 2000 });
});

test('only the inline script with this response’s nonce runs', () =>
  withScreenshots('csp-nonce', async (shots) => {
    const page = await browser.newPage();
    try {
      const blocked: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/.test(message.text())) blocked.push(message.text());
      });
      await page.goto(`${site.url}/scripts`);
      assert.equal(await page.locator('#out').textContent(), 'nonce;');
      shots.set('scripts.png', await page.screenshot());
      assert.equal(blocked.length, 2, `Chromium reported the two refused scripts: ${blocked.join(' | ')}`);
    } finally {
      await page.close();
    }
  }));

test("a form on another site is refused; the site's own form goes through", () =>
  withScreenshots('csrf', async (shots) => {
    const page = await browser.newPage();
    try {
      const evilUrl = attacker.url.replace('127.0.0.1', 'localhost');
      await page.goto(`${evilUrl}/`);
      const [refused] = await Promise.all([page.waitForNavigation(), page.click('#send')]);
      shots.set('refused.png', await page.screenshot());
      assert.equal(refused?.status(), 403);
      assert.deepEqual(transfers, [], 'the route never ran');
      assert.deepEqual(posts, ['cross-site']);

      await page.goto(`${site.url}/form`);
      const [accepted] = await Promise.all([page.waitForNavigation(), page.click('#send')]);
      assert.equal(accepted?.status(), 200);
      assert.equal(await page.locator('#done').textContent(), 'sent 100');
      // Referrer-Policy: no-referrer (secureHeaders' default) makes Chromium send `Origin: null` on a
      // form post, even a same-origin one: Sec-Fetch-Site is what lets it through.
      assert.deepEqual(transfers, ['same-origin null']);
    } finally {
      await page.close();
    }
  }));

test('with a referrer policy that names the origin, the Origin check alone lets the own form through', () =>
  withScreenshots('csrf-origin', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${referring.url}/form`);
      const [accepted] = await Promise.all([page.waitForNavigation(), page.click('#send')]);
      assert.equal(accepted?.status(), 200);
      assert.deepEqual(referredOrigins, [referring.url]);
    } finally {
      await page.close();
    }
  }));
