import assert from 'node:assert/strict';
import { renameSync, statSync, utimesSync } from 'node:fs';
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { trackLeaks } from '../../helpers/leaks.js';
import { sleep } from '../../helpers/wait.js';
import { get, serveDir, tempDir, writeFiles } from './helpers.js';

const leaks = trackLeaks();

/** A site with one file whose mtime is a fixed second in the past (so Last-Modified is a strong validator). */
async function site() {
  const root = await tempDir(leaks);
  await writeFiles(root, { 'page.html': '<p>hello</p>' });
  const mtime = new Date('2024-05-01T10:00:00Z');
  await utimes(join(root, 'page.html'), mtime, mtime);
  const server = await serveDir(leaks, root);
  const first = await get(server, '/page.html');
  const etag = first.headers.get('etag') ?? '';
  const lastModified = first.headers.get('last-modified') ?? '';
  return { server, etag, lastModified };
}

const EARLIER = 'Tue, 30 Apr 2024 10:00:00 GMT';
const LATER = 'Thu, 02 May 2024 10:00:00 GMT';

test('a 200 carries a strong ETag and Last-Modified', async () => {
  const { etag, lastModified } = await site();
  assert.match(etag, /^"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+"$/, 'inode, size and mtime');
  assert.equal(lastModified, 'Wed, 01 May 2024 10:00:00 GMT');
});

test('If-None-Match: a matching tag (strong, weak, in a list or *) is a 304 with the validators and no body', async () => {
  const { server, etag } = await site();
  for (const value of [etag, `W/${etag}`, `"nope", ${etag}`, '*']) {
    const res = await get(server, '/page.html', { 'If-None-Match': value });
    assert.equal(res.status, 304, value);
    assert.equal(res.headers.get('etag'), etag);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.equal(res.headers.has('content-length'), false);
    assert.equal(res.body.length, 0);
  }
  const head = await get(server, '/page.html', { 'If-None-Match': etag }, 'HEAD');
  assert.equal(head.status, 304);
});

test('If-None-Match: another tag is a 200, and it wins over If-Modified-Since', async () => {
  const { server } = await site();
  const res = await get(server, '/page.html', { 'If-None-Match': '"other"', 'If-Modified-Since': LATER });
  assert.equal(res.status, 200);
  assert.equal(res.body.toString(), '<p>hello</p>');
});

test('If-Modified-Since: not modified since → 304; modified since → 200; not a date → ignored', async () => {
  const { server, lastModified } = await site();
  assert.equal((await get(server, '/page.html', { 'If-Modified-Since': lastModified })).status, 304);
  assert.equal((await get(server, '/page.html', { 'If-Modified-Since': LATER })).status, 304);
  assert.equal((await get(server, '/page.html', { 'If-Modified-Since': EARLIER })).status, 200);
  assert.equal((await get(server, '/page.html', { 'If-Modified-Since': 'yesterday' })).status, 200);
  // The two obsolete HTTP-date forms are understood too (RFC 9110 §5.6.7).
  assert.equal(
    (await get(server, '/page.html', { 'If-Modified-Since': 'Wednesday, 01-May-24 10:00:00 GMT' })).status,
    304,
  );
  assert.equal((await get(server, '/page.html', { 'If-Modified-Since': 'Wed May  1 10:00:00 2024' })).status, 304);
});

test('If-Match: the current strong tag or * → 200; another tag or a weak one → 412', async () => {
  const { server, etag } = await site();
  assert.equal((await get(server, '/page.html', { 'If-Match': etag })).status, 200);
  assert.equal((await get(server, '/page.html', { 'If-Match': '*' })).status, 200);
  assert.equal((await get(server, '/page.html', { 'If-Match': `"x", ${etag}` })).status, 200);
  const stale = await get(server, '/page.html', { 'If-Match': '"stale"' });
  assert.equal(stale.status, 412);
  assert.equal(stale.body.length, 0);
  // If-Match uses the strong comparison (RFC 9110 §13.1.1).
  assert.equal((await get(server, '/page.html', { 'If-Match': `W/${etag}` })).status, 412);
});

test('If-Unmodified-Since: unchanged since → 200; changed since → 412; ignored when If-Match is present', async () => {
  const { server, etag, lastModified } = await site();
  assert.equal((await get(server, '/page.html', { 'If-Unmodified-Since': lastModified })).status, 200);
  assert.equal((await get(server, '/page.html', { 'If-Unmodified-Since': EARLIER })).status, 412);
  assert.equal((await get(server, '/page.html', { 'If-Unmodified-Since': 'garbage' })).status, 200);
  const both = await get(server, '/page.html', { 'If-Match': etag, 'If-Unmodified-Since': EARLIER });
  assert.equal(both.status, 200);
});

test('RFC 9110 §13.2.2 order: a failed If-Match is 412 even when If-None-Match would give 304', async () => {
  const { server, etag } = await site();
  const res = await get(server, '/page.html', { 'If-Match': '"stale"', 'If-None-Match': etag });
  assert.equal(res.status, 412);
  const ok = await get(server, '/page.html', { 'If-Match': etag, 'If-None-Match': etag });
  assert.equal(ok.status, 304);
});

test('a changed file gets a new ETag, so the old one no longer matches', async () => {
  const root = await tempDir(leaks);
  await writeFiles(root, { 'a.txt': 'one' });
  const server = await serveDir(leaks, root, { statCacheMs: 0 });
  const before = await get(server, '/a.txt');
  await writeFiles(root, { 'a.txt': 'three' });
  const after = await get(server, '/a.txt', { 'If-None-Match': before.headers.get('etag') ?? '' });
  assert.equal(after.status, 200);
  assert.equal(after.body.toString(), 'three');
  assert.notEqual(after.headers.get('etag'), before.headers.get('etag'));
});

test('a same-length file renamed into place with the old mtime kept gets a new ETag and is served anew', async () => {
  // rsync -t, cp -p and many deploy tools write a temporary file, pin its mtime and rename it over
  // the old one: same size, same mtime, another inode.
  for (const options of [{}, { smallFileBytes: 0 }]) {
    const root = await tempDir(leaks);
    const pinned = new Date('2024-05-01T10:00:00Z');
    await writeFiles(root, { 'a.txt': 'one' });
    utimesSync(join(root, 'a.txt'), pinned, pinned);
    const server = await serveDir(leaks, root, { statCacheMs: 0, ...options });
    const before = await get(server, '/a.txt');
    const old = statSync(join(root, 'a.txt'));
    await writeFiles(root, { 'a.txt.tmp': 'two' });
    utimesSync(join(root, 'a.txt.tmp'), pinned, pinned);
    renameSync(join(root, 'a.txt.tmp'), join(root, 'a.txt'));
    const now = statSync(join(root, 'a.txt'));
    assert.equal(now.mtimeMs, old.mtimeMs, 'the mtime is pinned');
    assert.notEqual(now.ino, old.ino, 'the rename made another inode');
    const after = await get(server, '/a.txt', { 'If-None-Match': before.headers.get('etag') ?? '' });
    assert.equal(after.status, 200, JSON.stringify(options));
    assert.equal(after.body.toString(), 'two');
    assert.notEqual(after.headers.get('etag'), before.headers.get('etag'));
    assert.doesNotMatch(after.headers.get('etag') ?? '', /^W\//, 'still a strong validator');
  }
});

test('a file with an mtime in the future gets Last-Modified of now, never a future date (RFC 9110 §8.8.2.1)', async () => {
  const root = await tempDir(leaks);
  await writeFiles(root, { 'a.txt': 'from the future' });
  const future = new Date('2030-01-01T00:00:00Z');
  utimesSync(join(root, 'a.txt'), future, future);
  const server = await serveDir(leaks, root);
  const res = await get(server, '/a.txt');
  const lastModified = Date.parse(res.headers.get('last-modified') ?? '');
  assert.ok(lastModified <= Date.now(), `Last-Modified ${res.headers.get('last-modified')} is not in the future`);
});

test('etag: false and lastModified: false leave the validators out', async () => {
  const root = await tempDir(leaks);
  await writeFiles(root, { 'a.txt': 'one' });
  const server = await serveDir(leaks, root, { etag: false, lastModified: false });
  const res = await get(server, '/a.txt', { 'If-None-Match': '*' });
  assert.equal(res.status, 304, '* matches any current representation, tag or not');
  const plain = await get(server, '/a.txt');
  assert.equal(plain.headers.has('etag'), false);
  assert.equal(plain.headers.has('last-modified'), false);
  const weak = await serveDir(leaks, root, { etag: 'weak' });
  assert.match((await get(weak, '/a.txt')).headers.get('etag') ?? '', /^W\/"/);
});

test('statCacheMs: a changed file is seen once the cached metadata expires', async () => {
  const root = await tempDir(leaks);
  await writeFiles(root, { 'a.txt': 'one' });
  const server = await serveDir(leaks, root, { statCacheMs: 100 });
  assert.equal((await get(server, '/a.txt')).body.toString(), 'one');
  await writeFiles(root, { 'a.txt': 'three' });
  await sleep(250);
  assert.equal((await get(server, '/a.txt')).body.toString(), 'three');
});
