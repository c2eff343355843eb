/**
 * csrf: unsafe form-like requests need an allowed Sec-Fetch-Site or Origin (403 otherwise); safe
 * methods and bodies that need a CORS preflight pass; media types compared as the Fetch standard
 * parses them; origin and secFetchSite as a string, a list or a function; option checks; over a socket.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { App } from '../../../src/web/app.js';
import { type CsrfOptions, csrf } from '../../../src/web/middleware/index.js';
import { startServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { request } from '../../helpers/raw-client.js';
import { assertRefusedOptions } from './refused-options.js';

const leaks = trackLeaks();
const FORM = 'application/x-www-form-urlencoded';

function csrfApp(options?: CsrfOptions) {
  const app = new App();
  const runs = { count: 0 };
  app.use(csrf(options));
  app.on(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE'], '/transfer', (c) => {
    runs.count++;
    return c.text(`done ${c.req.method}`);
  });
  return { app, runs };
}

/** A request to http://localhost/transfer (so the app's own origin is http://localhost). */
function send(app: App, method: string, headers: Record<string, string>) {
  return app.request('/transfer', {
    method,
    headers,
    body: method === 'GET' || method === 'HEAD' ? null : 'amount=100',
  });
}

describe('what is checked', () => {
  test('a form POST with neither Sec-Fetch-Site nor Origin is refused with 403 before the route', async () => {
    const { app, runs } = csrfApp();
    const res = await send(app, 'POST', { 'content-type': FORM, accept: 'application/json' });
    assert.equal(res.status, 403);
    assert.deepEqual(await res.json(), { error: 'cross-site request refused', status: 403 });
    assert.equal(runs.count, 0);
  });

  test('every unsafe method with every form-like type, and with no type, is checked', async () => {
    const { app, runs } = csrfApp();
    const types = [
      FORM,
      'multipart/form-data; boundary=x',
      'text/plain',
      'Text/Plain; charset=UTF-8',
      ' TEXT/PLAIN ',
      undefined,
    ];
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      for (const type of types) {
        const headers: Record<string, string> = { origin: 'https://evil.example' };
        if (type !== undefined) headers['content-type'] = type;
        // Without a type, no body either (a text body would get text/plain).
        const body = type === undefined ? null : 'amount=100';
        const res = await app.request('/transfer', { method, headers, body });
        assert.equal(res.status, 403, `${method} ${type}`);
      }
    }
    assert.equal(runs.count, 0);
  });

  test('safe methods, and bodies a browser would preflight (JSON), pass unchecked', async () => {
    const { app, runs } = csrfApp();
    const evil = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
    for (const method of ['GET', 'HEAD', 'OPTIONS']) assert.equal((await send(app, method, evil)).status, 200, method);
    for (const type of ['application/json', 'application/x-www-form-urlencodedx', 'text/plainx']) {
      assert.equal((await send(app, 'POST', { ...evil, 'content-type': type })).status, 200, type);
    }
    assert.equal(runs.count, 6);
  });
});

describe('what lets a request through', () => {
  test('Sec-Fetch-Site: same-origin (the default), whatever the Origin', async () => {
    const { app } = csrfApp();
    assert.equal((await send(app, 'POST', { 'content-type': FORM, 'sec-fetch-site': 'same-origin' })).status, 200);
    for (const site of ['same-site', 'cross-site', 'none']) {
      assert.equal((await send(app, 'POST', { 'content-type': FORM, 'sec-fetch-site': site })).status, 403, site);
    }
  });

  test("the request's own origin in Origin (no Sec-Fetch-Site: an older browser)", async () => {
    const { app } = csrfApp();
    assert.equal((await send(app, 'POST', { 'content-type': FORM, origin: 'http://localhost' })).status, 200);
    for (const origin of ['http://localhost:8080', 'https://localhost', 'null', 'http://localhost.evil.example']) {
      assert.equal((await send(app, 'POST', { 'content-type': FORM, origin })).status, 403, origin);
    }
    const https = await app.request('https://shop.example/transfer', {
      method: 'POST',
      headers: { 'content-type': FORM, origin: 'https://shop.example' },
      body: 'a=1',
    });
    assert.equal(https.status, 200, 'the default port is not part of the origin');
  });

  test('an allowed Origin passes even from a cross-site page (the allow-list is for other sites)', async () => {
    const { app } = csrfApp({ origin: 'https://app.example' });
    const headers = { 'content-type': FORM, origin: 'https://app.example', 'sec-fetch-site': 'cross-site' };
    assert.equal((await send(app, 'POST', headers)).status, 200);
    assert.equal(
      (await send(app, 'POST', { ...headers, origin: 'http://localhost' })).status,
      403,
      'the list replaces the default',
    );
  });

  test('origin as a list or a function (which gets the request)', async () => {
    const listed = csrfApp({ origin: ['https://a.example', 'https://b.example'] }).app;
    assert.equal((await send(listed, 'POST', { 'content-type': FORM, origin: 'https://b.example' })).status, 200);
    assert.equal((await send(listed, 'POST', { 'content-type': FORM, origin: 'https://c.example' })).status, 403);
    const paths: string[] = [];
    const fn = csrfApp({
      origin: (origin, c) => {
        paths.push(c.req.path);
        return /^https:\/\/[a-z]+\.app\.example$/.test(origin);
      },
    }).app;
    assert.equal((await send(fn, 'POST', { 'content-type': FORM, origin: 'https://eu.app.example' })).status, 200);
    assert.equal((await send(fn, 'POST', { 'content-type': FORM, origin: 'https://app.example.evil' })).status, 403);
    assert.deepEqual(paths, ['/transfer', '/transfer']);
  });

  test('secFetchSite as a list or a function', async () => {
    const sameSite = csrfApp({ secFetchSite: ['same-origin', 'same-site'] }).app;
    assert.equal((await send(sameSite, 'POST', { 'content-type': FORM, 'sec-fetch-site': 'same-site' })).status, 200);
    assert.equal((await send(sameSite, 'POST', { 'content-type': FORM, 'sec-fetch-site': 'cross-site' })).status, 403);
    const fn = csrfApp({ secFetchSite: (site, c) => site === 'cross-site' && c.req.path === '/transfer' }).app;
    assert.equal((await send(fn, 'POST', { 'content-type': FORM, 'sec-fetch-site': 'cross-site' })).status, 200);
  });
});

test('bad options fail when the middleware is made, naming what is wrong', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ origin: 'app.example' }, /"app.example" is not an origin/],
    [{ origin: 'localhost:5002' }, /not an origin/],
    [{ origin: 'https://app.example/' }, /did you mean https:\/\/app\.example\?/],
    [{ origin: ['https://a.example', 'https://b.example/login'] }, /did you mean https:\/\/b\.example\?/],
    [{ origin: 'https://app.example:443' }, /did you mean https:\/\/app\.example\?/],
    [{ origin: 42 }, /must be a string, a list or a function/],
    [{ secFetchSite: 'cross-origin' }, /secFetchSite/],
    [{ secFetchSite: ['same-origin', 'same'] }, /secFetchSite/],
  ];
  assertRefusedOptions(csrf, cases);
});

describe('over a socket', () => {
  test('a cross-site form post is refused and a same-origin one served, on one connection', async () => {
    const { app, runs } = csrfApp();
    const server = await startServer(leaks, app.handler);
    const client = await server.client();
    const form = (extra: string[]) => request('POST', '/transfer', [`Content-Type: ${FORM}`, ...extra], 'amount=100');
    await client.write(
      form(['Origin: https://evil.example', 'Sec-Fetch-Site: cross-site']) +
        form(['Origin: http://test', 'Sec-Fetch-Site: same-origin']) +
        form(['Origin: http://test']),
    );
    const [refused, sameOrigin, byOrigin] = await client.read(3);
    assert.equal(refused?.status, 403);
    assert.equal(sameOrigin?.status, 200);
    assert.equal(byOrigin?.status, 200, 'Origin equal to http://<Host>');
    assert.equal(runs.count, 2);
  });
});
