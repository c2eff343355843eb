/**
 * Issue 9: a file outside the root could be read through a directory swap. A request is answered
 * (so its lookup is cached for `statCacheMs`), then the tree changes under the server: a directory
 * on the path is renamed away and a symlink to an outside directory put in its place, the file
 * itself becomes a symlink, a directory becomes a file, a file becomes a FIFO. Whatever the change,
 * the bytes served come from inside the root, and nothing of it is a warning. The cache window
 * makes every race here deterministic: the swap happens strictly between a checked lookup and the
 * request that uses it.
 */
import assert from 'node:assert/strict';
import { constants as fsConstants } from 'node:fs';
import { link, mkdir, open, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { StaticOptions } from '../../../src/web/middleware/static/index.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { describeWarnings, settle, warningsDuringTest } from '../../helpers/warnings.js';
import { get, serveDir, tempDir, writeFiles } from './helpers.js';
import { insideBig, outsideBig, replaceByFifo, SECRET, swapForSymlink, swapLayout } from './swap-helpers.js';

const leaks = trackLeaks();

/** A cache window no machine load can close: the swap always lands inside it. */
const WINDOW: StaticOptions = { statCacheMs: 600_000 };

/** Requests that name something under `dir/`, each with what it asks for. */
const REQUESTS: [target: string, headers: Record<string, string>, method?: string][] = [
  ['/dir/big.bin', {}],
  ['/dir/big.bin', { Range: 'bytes=0-99' }],
  ['/dir/big.bin', { Range: 'bytes=0-9,20-29' }],
  ['/dir/big.bin', {}, 'HEAD'],
  ['/dir/small.txt', {}],
  ['/dir/small.txt', { Range: 'bytes=0-5' }],
  ['/dir/', {}],
  ['/dir/index.html', {}],
  ['/dir/page.txt', { 'Accept-Encoding': 'gzip' }],
  ['/dir/page.txt', { 'Accept-Encoding': 'br' }],
  ['/dir/page.txt', {}],
];

/** Asserts `res` leaks nothing from outside: a 404, or (from memory) the inside bytes it had. */
function assertInside(res: Awaited<ReturnType<typeof get>>, what: string): void {
  assert.ok(!res.raw.includes(SECRET), `${what}: served the outside file`);
  assert.ok(res.status === 404 || res.status === 200 || res.status === 206, `${what}: status ${res.status}`);
  if (res.status !== 404) assert.ok(!res.raw.includes('only-outside'), what);
}

for (const [name, options] of [
  ['small files from memory', {}],
  ['no memory cache', { memoryCacheBytes: 0 }],
] as const) {
  test(`a directory swapped for a symlink to the outside within statCacheMs (${name}): nothing outside is served, 4 times out of 4`, async () => {
    const warnings = warningsDuringTest(leaks);
    const { root, outside } = await swapLayout(leaks);
    const server = await serveDir(leaks, root, { ...WINDOW, ...options });
    for (const [target, headers, method] of REQUESTS) {
      const res = await get(server, target, headers, method);
      assert.ok(res.status === 200 || res.status === 206, `${target} before the swap: ${res.status}`);
    }
    await swapForSymlink(join(root, 'dir'), outside);
    for (let round = 0; round < 4; round++) {
      for (const [target, headers, method] of REQUESTS) {
        const what = `round ${round}: ${method ?? 'GET'} ${target} ${JSON.stringify(headers)}`;
        const res = await get(server, target, headers, method);
        assertInside(res, what);
        if (target.includes('big.bin')) assert.equal(res.status, 404, `${what}: not read from memory, so absent`);
        if (options.memoryCacheBytes === 0) assert.equal(res.status, 404, what);
      }
    }
    await settle();
    assert.deepEqual(describeWarnings(warnings), []);
  });
}

test('a symlink swapped in at every component of a deep path: each is absent, never outside', async () => {
  const warnings = warningsDuringTest(leaks);
  const top = await tempDir(leaks, 'wk-swap-');
  const root = join(top, 'site');
  const outside = join(top, 'outside');
  await writeFiles(join(root, 'a/b/c'), { 'f.bin': insideBig(), 'g.txt': 'inside g' });
  await writeFiles(join(outside, 'a/b/c'), { 'f.bin': outsideBig(), 'g.txt': SECRET });
  for (const component of ['a', 'a/b', 'a/b/c', 'a/b/c/f.bin', 'a/b/c/g.txt']) {
    const server = await serveDir(leaks, root, { ...WINDOW, memoryCacheBytes: 0 });
    for (const file of ['f.bin', 'g.txt']) assert.equal((await get(server, `/a/b/c/${file}`)).status, 200);
    const undo = await swapForSymlink(join(root, component), join(outside, component));
    // A swapped directory takes both files with it; a swapped file, itself only.
    for (const file of ['f.bin', 'g.txt'].filter((f) => !component.includes('.') || component.endsWith(f))) {
      for (const headers of [{}, { Range: 'bytes=0-99' }]) {
        const res = await get(server, `/a/b/c/${file}`, headers);
        assert.ok(!res.raw.includes(SECRET), `${component} swapped: /a/b/c/${file} served the outside`);
        assert.equal(res.status, 404, `${component} swapped: /a/b/c/${file}`);
      }
    }
    await undo();
  }
  await settle();
  assert.deepEqual(describeWarnings(warnings), [], 'no ELOOP (nor any other) warning');
});

test('a file replaced by a symlink to another file inside the root: the target is served, no warning', async () => {
  const warnings = warningsDuringTest(leaks);
  const { root } = await swapLayout(leaks);
  await writeFiles(root, { 'other/big2.bin': Buffer.alloc(2 * 1024 * 1024, 'j') });
  const server = await serveDir(leaks, root, WINDOW);
  assert.equal((await get(server, '/dir/big.bin')).status, 200);
  await swapForSymlink(join(root, 'dir/big.bin'), join(root, 'other/big2.bin'));
  const res = await get(server, '/dir/big.bin');
  assert.equal(res.status, 200);
  assert.equal(res.body.length, 2 * 1024 * 1024);
  assert.ok(
    res.body.every((byte) => byte === 0x6a),
    'the link target, whole',
  );
  await settle();
  assert.deepEqual(describeWarnings(warnings), []);
});

const BIG_NEW = 1_200_000;

test('a file replaced by another within statCacheMs (a deploy): the new one is served, with its own length', async () => {
  const { root } = await swapLayout(leaks);
  const server = await serveDir(leaks, root, { ...WINDOW, memoryCacheBytes: 0 });
  for (const target of ['/dir/big.bin', '/dir/small.txt']) assert.equal((await get(server, target)).status, 200);
  await writeFile(join(root, 'dir/big.bin.new'), Buffer.alloc(BIG_NEW, 'n'));
  await rename(join(root, 'dir/big.bin.new'), join(root, 'dir/big.bin'));
  await writeFile(join(root, 'dir/small.txt.new'), 'new small, longer than before');
  await rename(join(root, 'dir/small.txt.new'), join(root, 'dir/small.txt'));
  const big = await get(server, '/dir/big.bin');
  assert.equal(big.status, 200);
  assert.equal(big.headers.get('content-length'), String(BIG_NEW));
  assert.ok(big.body.every((byte) => byte === 0x6e));
  assert.equal((await get(server, '/dir/small.txt')).body.toString(), 'new small, longer than before');
});
test('a directory replaced by a file, a file by a directory: 404, no warning', async () => {
  const warnings = warningsDuringTest(leaks);
  const { root } = await swapLayout(leaks);
  const server = await serveDir(leaks, root, { ...WINDOW, memoryCacheBytes: 0 });
  for (const target of ['/dir/big.bin', '/dir/small.txt']) assert.equal((await get(server, target)).status, 200);
  await rename(join(root, 'dir'), join(root, 'dir-moved'));
  await writeFile(join(root, 'dir'), 'a file where a directory was');
  for (const target of ['/dir/big.bin', '/dir/small.txt'])
    assert.equal((await get(server, target)).status, 404, target);
  await rm(join(root, 'dir'));
  await rename(join(root, 'dir-moved'), join(root, 'dir'));
  const fresh = await serveDir(leaks, root, { ...WINDOW, memoryCacheBytes: 0 });
  for (const target of ['/dir/big.bin', '/dir/small.txt']) assert.equal((await get(fresh, target)).status, 200);
  for (const name of ['big.bin', 'small.txt']) {
    await rm(join(root, 'dir', name));
    await mkdir(join(root, 'dir', name));
  }
  for (const target of ['/dir/big.bin', '/dir/small.txt']) assert.equal((await get(fresh, target)).status, 404, target);
  await settle();
  assert.deepEqual(describeWarnings(warnings), []);
});

test('a file replaced by a FIFO: 404, the open never waits for a writer', async () => {
  const { root } = await swapLayout(leaks);
  const fifo = join(root, 'dir/small.txt');
  const server = await serveDir(leaks, root, { ...WINDOW, memoryCacheBytes: 0 });
  assert.equal((await get(server, '/dir/small.txt')).status, 200);
  await replaceByFifo(fifo);
  let answer: Awaited<ReturnType<typeof get>> | undefined;
  const answered = get(server, '/dir/small.txt').then((res) => {
    answer = res;
  });
  // A server blocked in open() waits for a writer forever (and holds one of libuv's four threads).
  // Give it ten seconds (a 404 takes milliseconds), then look: a non-blocking open for writing
  // succeeds only while a reader has the FIFO open, which proves the block; unblock it and fail.
  let blocked = false;
  for (let i = 0; i < 500 && answer === undefined && !blocked; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (i < 499 || answer !== undefined) continue;
    const writer = await open(fifo, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK).catch(() => undefined);
    if (writer === undefined) continue;
    blocked = true;
    await writer.write('FIFO-DATA').catch(() => {});
    await writer.close();
  }
  await answered;
  assert.equal(blocked, false, 'the server was blocked opening the FIFO');
  assert.equal(answer?.status, 404);
  assert.ok(!answer?.raw.includes('FIFO-DATA'));
});

test('a hard link in the root is a name inside it: served like any file (by inode, it is inside)', async () => {
  const top = await tempDir(leaks, 'wk-swap-');
  const root = join(top, 'site');
  await writeFiles(top, { 'elsewhere.txt': 'linked content' });
  await mkdir(root);
  await link(join(top, 'elsewhere.txt'), join(root, 'linked.txt'));
  await symlink(join(top, 'elsewhere.txt'), join(root, 'symlinked.txt'));
  const server = await serveDir(leaks, root);
  assert.equal((await get(server, '/linked.txt')).body.toString(), 'linked content');
  assert.equal((await get(server, '/symlinked.txt')).status, 404, 'a symlink out is not');
});

test('a listed directory swapped for the outside: no outside name is listed', async () => {
  const { root } = await swapLayout(leaks);
  await rm(join(root, 'dir/index.html'));
  const server = await serveDir(leaks, root, WINDOW);
  const before = await get(server, '/dir/', { Accept: 'application/json' });
  assert.equal(before.status, 200);
  await swapForSymlink(join(root, 'dir'), join(root, '..', 'outside'));
  const after = await get(server, '/dir/', { Accept: 'application/json' });
  assert.ok(!after.raw.includes('only-outside'), 'the outside directory was listed');
  assert.equal(after.status, 404, 'the directory found is not there any more');
});
