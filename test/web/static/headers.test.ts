import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { App } from '../../../src/web/app.js';
import { contentTypeFor, serveStatic } from '../../../src/web/middleware/static/index.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { get, listenApp, serveDir, tempDir, writeFiles } from './helpers.js';

const leaks = trackLeaks();

const JS = 'console.log("hello, static world");\n'.repeat(20);

async function site(options = {}) {
  const root = await tempDir(leaks);
  await writeFiles(root, {
    'index.html': '<h1>home</h1>',
    'app.js': JS,
    'app.js.br': brotliCompressSync(JS),
    'app.js.gz': gzipSync(JS),
    'style.css': 'body{}',
    'style.css.gz': gzipSync('body{}'),
    'app.3f9a2c1b.js': 'hashed',
    'photo-20240101.jpg': 'not hashed',
    'data.bin': 'x',
    'docs/index.html': '<h1>docs</h1>',
    'docs/guide.txt': 'guide',
    'empty/.keep': '',
  });
  return serveDir(leaks, root, options);
}

test('Content-Type from the MIME database, with charset=utf-8 for text', async () => {
  const server = await site();
  assert.equal((await get(server, '/app.js')).headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal((await get(server, '/style.css')).headers.get('content-type'), 'text/css; charset=utf-8');
  assert.equal((await get(server, '/index.html')).headers.get('content-type'), 'text/html; charset=utf-8');
  const binary = await get(server, '/data.bin');
  assert.equal(binary.headers.get('content-type'), 'application/octet-stream');
  assert.equal(binary.headers.get('x-content-type-options'), 'nosniff', 'browsers must not sniff the type');
  assert.equal(contentTypeFor('x.json'), 'application/json; charset=utf-8');
  assert.equal(contentTypeFor('x.svg'), 'image/svg+xml; charset=utf-8');
  assert.equal(contentTypeFor('x.png'), 'image/png');
  assert.equal(contentTypeFor('x.unknownext'), 'application/octet-stream');
});

test('HEAD sends the GET head (same length and validators) and no body', async () => {
  const server = await site();
  const full = await get(server, '/app.js');
  const head = await get(server, '/app.js', {}, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), String(Buffer.byteLength(JS)));
  assert.equal(head.headers.get('etag'), full.headers.get('etag'));
  assert.equal(head.body.length, 0);
  assert.equal(head.raw.endsWith('\r\n\r\n'), true);
  const streamed = await serveDir(leaks, await tempDir(leaks), {});
  assert.equal((await get(streamed, '/missing', {}, 'HEAD')).status, 404);
});

test('Cache-Control: no-cache by default, max-age when set, a year and immutable for hashed names', async () => {
  const plain = await site();
  assert.equal((await get(plain, '/app.js')).headers.get('cache-control'), 'no-cache');
  assert.equal(
    (await get(plain, '/app.3f9a2c1b.js')).headers.get('cache-control'),
    'public, max-age=31536000, immutable',
  );
  assert.equal((await get(plain, '/photo-20240101.jpg')).headers.get('cache-control'), 'no-cache');
  const cached = await site({ maxAgeSeconds: 600 });
  assert.equal((await get(cached, '/app.js')).headers.get('cache-control'), 'public, max-age=600');
  const custom = await site({ immutable: /^app\./ });
  assert.equal((await get(custom, '/app.js')).headers.get('cache-control'), 'public, max-age=31536000, immutable');
  const off = await site({ immutable: false });
  assert.equal((await get(off, '/app.3f9a2c1b.js')).headers.get('cache-control'), 'no-cache');
});

test('precompressed siblings chosen by Accept-Encoding and its q-values, always with Vary', async () => {
  const server = await site();
  const cases: [string, string | undefined][] = [
    ['br, gzip', 'br'],
    ['gzip', 'gzip'],
    ['x-gzip', 'gzip'],
    ['gzip;q=1, br;q=0.5', 'gzip'],
    ['br;q=0, gzip;q=0.1', 'gzip'],
    ['*', 'br'],
    ['*;q=0, gzip', 'gzip'],
    ['identity', undefined],
    ['br;q=0, gzip;q=0', undefined],
    ['deflate', undefined],
  ];
  for (const [accept, coding] of cases) {
    const res = await get(server, '/app.js', { 'Accept-Encoding': accept });
    assert.equal(res.status, 200, accept);
    assert.equal(res.headers.get('content-encoding'), coding, accept);
    assert.equal(res.headers.get('vary'), 'Accept-Encoding');
    assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8');
    const expected = coding === 'br' ? brotliCompressSync(JS) : coding === 'gzip' ? gzipSync(JS) : Buffer.from(JS);
    assert.deepEqual(res.body, expected, accept);
  }
  // Only a .gz exists for style.css: br is asked first but gzip is served.
  const css = await get(server, '/style.css', { 'Accept-Encoding': 'br, gzip' });
  assert.equal(css.headers.get('content-encoding'), 'gzip');
  // Each variant has its own validator.
  const br = await get(server, '/app.js', { 'Accept-Encoding': 'br' });
  const identity = await get(server, '/app.js');
  assert.notEqual(br.headers.get('etag'), identity.headers.get('etag'));
  // A conditional request is answered for the variant it would get.
  const notModified = await get(server, '/app.js', {
    'Accept-Encoding': 'br',
    'If-None-Match': br.headers.get('etag') ?? '',
  });
  assert.equal(notModified.status, 304);
  assert.equal(notModified.headers.get('vary'), 'Accept-Encoding');
  const otherVariant = await get(server, '/app.js', { 'If-None-Match': br.headers.get('etag') ?? '' });
  assert.equal(otherVariant.status, 200);
  const off = await site({ precompressed: false });
  const plain = await get(off, '/app.js', { 'Accept-Encoding': 'br' });
  assert.equal(plain.headers.has('content-encoding'), false);
  assert.equal(plain.headers.has('vary'), false);
});

test('index files, and a directory without its slash → 301 to the slash form (query kept)', async () => {
  const server = await site();
  assert.equal((await get(server, '/')).body.toString(), '<h1>home</h1>');
  assert.equal((await get(server, '/docs/')).body.toString(), '<h1>docs</h1>');
  const moved = await get(server, '/docs?x=1');
  assert.equal(moved.status, 301);
  assert.equal(moved.headers.get('location'), '/docs/?x=1');
  const noIndex = await site({ index: false, listing: false });
  assert.equal((await get(noIndex, '/docs/')).status, 404);
  const otherIndex = await site({ index: ['guide.txt'] });
  assert.equal((await get(otherIndex, '/docs/')).body.toString(), 'guide');
  // A file asked for as a directory is not found.
  assert.equal((await get(server, '/app.js/')).status, 404);
});

test('prefix mounts the root under a path; other paths and methods go to next()', async () => {
  const root = await tempDir(leaks);
  await writeFiles(root, { 'a.txt': 'A', 'sub/b.txt': 'B' });
  const app = new App()
    .use(serveStatic(root, { prefix: '/static' }))
    .get('/a.txt', (c) => c.text('route'))
    .post('/static/a.txt', (c) => c.text('posted'));
  const server = await listenApp(leaks, app);
  assert.equal((await get(server, '/static/a.txt')).body.toString(), 'A');
  assert.equal((await get(server, '/static/sub/b.txt')).body.toString(), 'B');
  assert.equal((await get(server, '/a.txt')).body.toString(), 'route');
  assert.equal((await get(server, '/static/a.txt', {}, 'POST')).body.toString(), 'posted');
  assert.equal((await get(server, '/static')).headers.get('location'), '/static/');
  assert.equal((await get(server, '/static/nope.txt')).status, 404);
});

test('fallthrough: false answers 404 and 405 itself', async () => {
  const root = await tempDir(leaks);
  await writeFiles(root, { 'a.txt': 'A' });
  const app = new App().use(serveStatic(root, { fallthrough: false })).post('/a.txt', (c) => c.text('never'));
  const server = await listenApp(leaks, app);
  const post = await get(server, '/a.txt', {}, 'POST');
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD');
  const missing = await get(server, '/nope.txt');
  assert.equal(missing.status, 404);
});
