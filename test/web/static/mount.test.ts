/**
 * serveStatic where it is mounted, as Express mounts it: under `app.use('/static/*', …)`, a route
 * ending in `/*`, or inside `app.route('/files', sub)`, it maps the path below the mount point, so
 * `root/x` is served at `/static/x`. Redirects, listings and the traversal checks work there too.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { App } from '../../../src/web/app.js';
import { serveStatic } from '../../../src/web/middleware/static/index.js';
import { writeFiles } from './helpers.js';

let site: string;
let root: string;

before(async () => {
  site = mkdtempSync(join(tmpdir(), 'wirekit-static-mount-'));
  root = join(site, 'public');
  await writeFiles(site, { 'secret.txt': 'outside the root' });
  await writeFiles(root, { 'a.txt': 'A', 'sub/b.txt': 'B', 'index.html': 'home' });
});

after(() => rmSync(site, { recursive: true, force: true }));

async function body(app: App, path: string): Promise<string> {
  const res = await app.request(path);
  return `${res.status} ${await res.text()}`;
}

test("app.use('/static/*', serveStatic(root)) serves root/x at /static/x", async () => {
  const app = new App().use('/static/*', serveStatic(root));
  assert.equal(await body(app, '/static/a.txt'), '200 A');
  assert.equal(await body(app, '/static/sub/b.txt'), '200 B');
  assert.equal(await body(app, '/static/'), '200 home');
  const moved = await app.request('/static?v=1');
  assert.equal(moved.status, 301);
  assert.equal(moved.headers.get('location'), '/static/?v=1');
  const listing = await app.request('/static/sub/', { headers: { accept: 'text/html' } });
  assert.match(await listing.text(), /<title>Index of \/static\/sub\/<\/title>/);
  assert.equal((await app.request('/a.txt')).status, 404, 'not at the root');
  assert.equal((await app.request('/static/nope.txt')).status, 404);
});

test("inside app.route('/files', sub), sub.use(serveStatic(root)) serves root/x at /files/x", async () => {
  const sub = new App();
  sub.get('/hello', (c) => c.text('route first'));
  sub.use(serveStatic(root));
  const app = new App().route('/files', sub);
  assert.equal(await body(app, '/files/a.txt'), '200 A');
  assert.equal(await body(app, '/files/sub/b.txt'), '200 B');
  assert.equal(await body(app, '/files/hello'), '200 route first');
  assert.equal((await app.request('/files')).headers.get('location'), '/files/');
  const listing = await app.request('/files/sub/', { headers: { accept: 'application/json' } });
  assert.deepEqual(
    ((await listing.json()) as { name: string }[]).map((e) => e.name),
    ['b.txt'],
  );
});

test('a sub-app with its own onError keeps serveStatic bound to the mount point, and maps its errors', async () => {
  const sub = new App();
  sub.onError((_error, c) => c.text('sub mapped', 599));
  sub.get('/boom', () => {
    throw new Error('boom');
  });
  sub.use(serveStatic(root));
  const app = new App().route('/files', sub);
  assert.equal(await body(app, '/files/a.txt'), '200 A');
  assert.equal(await body(app, '/files/boom'), '599 sub mapped');
});

test('a prefix that repeats the mount point is refused when registered (it would 404 every file)', () => {
  assert.throws(() => new App().use('/static/*', serveStatic(root, { prefix: '/static' })), {
    code: 'WK_ERR_INVALID_ARGUMENT',
    message: /mounted at "\/static\/\*" with prefix "\/static\/"/,
  });
  const sub = new App().use(serveStatic(root, { prefix: '/files/v1' }));
  assert.throws(() => new App().route('/files', sub), { code: 'WK_ERR_INVALID_ARGUMENT' });
  assert.doesNotThrow(() => new App().use('/static/*', serveStatic(root, { prefix: '/v1' })));
});

test('mount points nest, take params, and combine with the prefix option', async () => {
  const assets = new App().use('/assets/*', serveStatic(root));
  const users = new App().use(serveStatic(root, { prefix: '/v2' }));
  const app = new App().route('/v1', assets).route('/u/:user', users);
  app.get('/dl/*', serveStatic(root));
  assert.equal(await body(app, '/v1/assets/a.txt'), '200 A');
  assert.equal(await body(app, '/u/ada/v2/sub/b.txt'), '200 B');
  assert.equal((await app.request('/u/ada/a.txt')).status, 404, 'the prefix applies below the mount point');
  assert.equal(await body(app, '/dl/sub/b.txt'), '200 B', 'a route ending in /* is a mount point too');
});

test('a mounted root is as closed as any: nothing outside it is reachable', async () => {
  const app = new App().use('/static/*', serveStatic(root, { fallthrough: false }));
  for (const target of ['/static/../secret.txt', '/static/%2e%2e/secret.txt', '/static/..%2fsecret.txt']) {
    const res = await app.request(target);
    assert.notEqual(res.status, 200, target);
    assert.doesNotMatch(await res.text(), /outside the root/, target);
  }
});

test('a mount point whose depth depends on the request is refused when it is registered', () => {
  for (const pattern of ['/a/*/b/*', '/posts/:slug?/*']) {
    assert.throws(
      () => new App().use(pattern, serveStatic(root)),
      (error: Error & { code?: string }) => error.code === 'WK_ERR_INVALID_ARGUMENT',
      pattern,
    );
  }
});
