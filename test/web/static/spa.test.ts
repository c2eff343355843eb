import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trackLeaks } from '../../helpers/leaks.js';
import { get, serveDir, tempDir, writeFiles } from './helpers.js';

const leaks = trackLeaks();

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

async function site(spa: boolean | string) {
  const root = await tempDir(leaks);
  await writeFiles(root, { 'index.html': '<div id=app>', 'shell.html': '<div id=shell>', 'app.js': 'js' });
  return serveDir(leaks, root, { spa });
}

test('spa: unknown page paths that accept HTML get index.html with 200', async () => {
  const server = await site(true);
  for (const path of ['/dashboard', '/users/42/settings', '/deep/path/']) {
    const res = await get(server, path, { Accept: BROWSER });
    assert.equal(res.status, 200, path);
    assert.equal(res.body.toString(), '<div id=app>');
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(res.headers.get('vary'), 'Accept-Encoding, Accept');
  }
  const head = await get(server, '/dashboard', { Accept: BROWSER }, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal((await get(server, '/app.js', { Accept: BROWSER })).body.toString(), 'js');
});

test('spa: never for asset-like paths, requests that do not accept HTML, or other methods', async () => {
  const server = await site(true);
  assert.equal((await get(server, '/missing.js', { Accept: BROWSER })).status, 404);
  assert.equal((await get(server, '/img/logo.png', { Accept: BROWSER })).status, 404);
  assert.equal((await get(server, '/dashboard', { Accept: 'application/json' })).status, 404);
  assert.equal((await get(server, '/dashboard', { Accept: '*/*' })).status, 404);
  assert.equal((await get(server, '/dashboard')).status, 404);
  assert.equal((await get(server, '/dashboard', { Accept: 'text/html;q=0' })).status, 404);
  assert.equal((await get(server, '/dashboard', { Accept: BROWSER }, 'POST')).status, 404);
  assert.equal((await get(server, '/%2e%2e/x', { Accept: BROWSER })).status, 404);
});

test('spa: a file name picks another shell; off by default', async () => {
  const named = await site('shell.html');
  assert.equal((await get(named, '/route', { Accept: BROWSER })).body.toString(), '<div id=shell>');
  const off = await site(false);
  assert.equal((await get(off, '/route', { Accept: BROWSER })).status, 404);
});
