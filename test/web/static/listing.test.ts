import assert from 'node:assert/strict';
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ListingJsonEntry } from '../../../src/web/middleware/static/index.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { get, serveDir, tempDir, writeFiles } from './helpers.js';

const leaks = trackLeaks();

/** Names that break naive links: spaces, `#`, `?`, `%`, non-ASCII, and markup. */
const TRICKY = ['with space.txt', 'hash#tag.txt', 'what?.txt', '100%.txt', '%41.txt', 'café ☕.txt', '<b>&"\'.txt'];

async function site() {
  const root = await tempDir(leaks);
  const files: Record<string, string> = {};
  for (const name of TRICKY) files[name] = `content of ${name}`;
  files['big.bin'] = 'x'.repeat(5000);
  files['sub dir#?%é/inner.txt'] = 'inner';
  files['.hidden'] = 'hidden';
  await writeFiles(root, files);
  // Distinct mtimes so sorting by date is deterministic: big.bin oldest, 100%.txt newest.
  const stamp = async (name: string, day: number) => {
    const t = new Date(Date.UTC(2024, 0, day));
    await utimes(join(root, name), t, t);
  };
  await stamp('big.bin', 1);
  await stamp('100%.txt', 20);
  return { root, server: await serveDir(leaks, root) };
}

function hrefs(html: string): string[] {
  return [...html.matchAll(/<td class="name"><a href="([^"]*)"/g)].map((m) => unescapeHtml(m[1] ?? ''));
}

function unescapeHtml(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}

test('HTML listing: phone-ready page with breadcrumbs, human sizes and every name escaped', async () => {
  const { server } = await site();
  const res = await get(server, '/');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8');
  const html = res.body.toString('utf8');
  assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
  assert.match(html, /<nav aria-label="Breadcrumb">/);
  assert.match(html, /4\.9 KiB/);
  assert.ok(!html.includes('<b>&'), 'names are HTML-escaped');
  assert.ok(html.includes('&#60;b&#62;&#38;&#34;&#39;.txt'));
  assert.ok(!html.includes('.hidden'), 'dotfiles are not listed');
  assert.match(html, /<th data-key="name" aria-sort="ascending"><a href="\?sort=name&amp;order=desc">/);
});

test('every link in the listing works, whatever the name: follow them all', async () => {
  const { server } = await site();
  const html = (await get(server, '/')).body.toString('utf8');
  const links = hrefs(html);
  assert.equal(links.length, TRICKY.length + 2);
  for (const href of links) {
    const url = new URL(href, 'http://test/');
    const res = await get(server, `${url.pathname}${url.search}`);
    assert.equal(res.status, 200, href);
    if (href.endsWith('/')) {
      const inner = hrefs(res.body.toString('utf8'));
      assert.deepEqual(inner, ['./inner.txt']);
      assert.match(res.body.toString('utf8'), /<li aria-current="page">sub dir#\?%é<\/li>/);
      const nested = new URL(inner[0] as string, url);
      assert.equal((await get(server, nested.pathname)).body.toString(), 'inner');
    } else {
      const name = decodeURIComponent(url.pathname.slice(1));
      const expected = name === 'big.bin' ? 'x'.repeat(5000) : `content of ${name}`;
      assert.equal(res.body.toString('utf8'), expected, href);
    }
  }
});

test('server-side sort (?sort=size|mtime&order=…) without script; directories stay first', async () => {
  const { server } = await site();
  const order = async (query: string) => {
    const html = (await get(server, `/${query}`)).body.toString('utf8');
    return [...html.matchAll(/<tr data-name="([^"]*)"/g)].map((m) => m[1]);
  };
  const bySizeDesc = await order('?sort=size&order=desc');
  assert.equal(bySizeDesc[0], 'sub dir#?%é');
  assert.equal(bySizeDesc[1], 'big.bin');
  const byDate = await order('?sort=mtime&order=asc');
  assert.equal(byDate[1], 'big.bin');
  const byDateDesc = await order('?sort=mtime&order=desc');
  assert.equal(byDateDesc[byDateDesc.length - 1], 'big.bin');
  const byName = await order('?sort=name&order=desc');
  assert.equal(byName[0], 'sub dir#?%é');
  assert.equal(byName.length, TRICKY.length + 2);
});

test('JSON listing for Accept: application/json: name, type, size, mtime', async () => {
  const { server } = await site();
  const res = await get(server, '/', { Accept: 'application/json' });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json');
  assert.equal(res.headers.get('vary'), 'Accept');
  const entries = JSON.parse(res.body.toString('utf8')) as ListingJsonEntry[];
  const big = entries.find((e) => e.name === 'big.bin');
  assert.deepEqual(big, { name: 'big.bin', type: 'file', size: 5000, mtime: '2024-01-01T00:00:00.000Z' });
  const dir = entries.find((e) => e.type === 'directory');
  assert.equal(dir?.name, 'sub dir#?%é');
  assert.equal(entries.length, TRICKY.length + 2);
  // A browser's Accept prefers HTML.
  const browser = await get(server, '/', { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' });
  assert.equal(browser.headers.get('content-type'), 'text/html; charset=utf-8');
});

test('listing: false → a directory without an index is not found', async () => {
  const root = await tempDir(leaks);
  await writeFiles(root, { 'a/b.txt': 'b' });
  const server = await serveDir(leaks, root, { listing: false });
  assert.equal((await get(server, '/a/')).status, 404);
  assert.equal((await get(server, '/a/b.txt')).status, 200);
});
