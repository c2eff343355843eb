/**
 * The races of issue 9 inside one request, made deterministic through the middleware's file-system
 * seam (`serveStaticOn`): the tree is swapped exactly before a chosen call (between the lookup's
 * realpath and stat, between the lookup and the open, between the head's open and the body's), with
 * the kernel's view of the descriptor (`/proc/self/fd`) and without it (the fallback of platforms
 * that have none). Then the race after the open: the descriptor keeps reading the file it opened.
 * And fs errors: the client's or the tree's are 403/404 without a warning; the server's stay 500.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { App } from '../../../src/web/app.js';
import type { StaticOptions } from '../../../src/web/middleware/static/index.js';
import { serveStaticOn } from '../../../src/web/middleware/static/serve-static.js';
import { NODE_FS, type StaticFs } from '../../../src/web/middleware/static/static-fs.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { describeWarnings, settle, warningsDuringTest } from '../../helpers/warnings.js';
import { download, get, listenApp } from './helpers.js';
import { BIG, MIB, SECRET, swapForSymlink, swapLayout } from './swap-helpers.js';

const leaks = trackLeaks();

type Call = 'open' | 'realpath' | 'stat';

/**
 * Node's fs calls with `before(call, path)` awaited ahead of each: the test's chance to change the
 * tree at that exact point. `proc: false` hides `/proc/self/fd`, as on macOS.
 */
function racingFs(before: (call: Call, path: string) => Promise<void>, proc: boolean): StaticFs {
  return {
    ...NODE_FS,
    open: async (path, flags) => {
      await before('open', path);
      return NODE_FS.open(path, flags);
    },
    realpath: async (path) => {
      await before('realpath', path);
      return NODE_FS.realpath(path);
    },
    stat: async (path) => {
      await before('stat', path);
      return NODE_FS.stat(path);
    },
    descriptorLinks: proc ? NODE_FS.descriptorLinks : async () => false,
  };
}

async function serveOn(fs: StaticFs, root: string, options: StaticOptions = {}) {
  return listenApp(leaks, new App().use(serveStaticOn(fs, root, options)));
}

/** No reuse of anything: every request looks up and opens anew, so the race is inside one request. */
const NO_CACHE: StaticOptions = { statCacheMs: 0, memoryCacheBytes: 0 };

const TARGETS: [target: string, file: string, headers: Record<string, string>][] = [
  ['/dir/big.bin', 'big.bin', {}],
  ['/dir/big.bin', 'big.bin', { Range: 'bytes=0-99' }],
  ['/dir/small.txt', 'small.txt', {}],
  ['/dir/', 'index.html', {}],
  ['/dir/page.txt', 'page.txt.gz', { 'Accept-Encoding': 'gzip' }],
];

for (const proc of [true, false]) {
  const kernel = proc ? 'with /proc/self/fd' : 'without /proc (the fallback)';

  for (const [call, when] of [
    ['open', 'between the lookup and the open'],
    ['stat', "between the lookup's realpath and its stat (so the lookup itself saw the outside file)"],
  ] as const) {
    test(`a directory swapped ${when}, ${kernel}: 404, nothing outside, no warning`, async () => {
      const warnings = warningsDuringTest(leaks);
      for (const [target, file, headers] of TARGETS) {
        const { root, outside } = await swapLayout(leaks);
        let undo: (() => Promise<void>) | undefined;
        const fs = racingFs(async (name, path) => {
          if (name !== call || undo !== undefined || !path.endsWith(`/dir/${file}`)) return;
          undo = await swapForSymlink(join(root, 'dir'), outside);
        }, proc);
        const server = await serveOn(fs, root, NO_CACHE);
        const res = await get(server, target, headers);
        assert.ok(undo !== undefined, `${target}: the swap happened`);
        assert.ok(!res.raw.includes(SECRET), `${target}: served the outside file`);
        // /dir/ without its index is no listing of the outside either: the directory found is not there now.
        assert.equal(res.status, 404, `${target}: ${res.status}`);
      }
      await settle();
      assert.deepEqual(describeWarnings(warnings), []);
    });
  }

  test(`a directory swapped between the head's open and the body's, ${kernel}: cut short, nothing outside, no warning`, async () => {
    const warnings = warningsDuringTest(leaks);
    const { root, outside } = await swapLayout(leaks);
    let opens = 0;
    const fs = racingFs(async (name, path) => {
      if (name === 'open' && path.endsWith('/dir/big.bin') && ++opens === 2)
        await swapForSymlink(join(root, 'dir'), outside);
    }, proc);
    const server = await serveOn(fs, root, NO_CACHE);
    const res = await get(server, '/dir/big.bin');
    assert.equal(opens, 2, 'the head checked the file, the body opened it again');
    assert.equal(res.status, 200, 'the head went out before the swap');
    assert.equal(res.headers.get('content-length'), String(BIG));
    assert.ok(res.body.length < BIG, 'the body is cut short, so the client knows it is incomplete');
    assert.ok(!res.raw.includes(SECRET));
    await settle();
    assert.deepEqual(describeWarnings(warnings), [], 'WK_ERR_FILE_CHANGED is a race with the tree, not a fault');
  });
}

test('a swap after the open changes nothing: the descriptor reads the file it opened, to the end', async () => {
  const { root, outside } = await swapLayout(leaks);
  const size = 16 * MIB;
  await writeFile(join(root, 'dir/big.bin'), Buffer.alloc(size, 'i'));
  await writeFile(
    join(outside, 'big.bin'),
    Buffer.concat([Buffer.from(SECRET), Buffer.alloc(size, 'o')]).subarray(0, size),
  );
  const server = await serveOn(NODE_FS, root, NO_CACHE);
  const socket = connect({ port: server.address.port, host: '127.0.0.1' });
  leaks.defer(() => socket.destroy());
  socket.write('GET /dir/big.bin HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n');
  let swapped = false;
  const result = await download(socket, async (bodyBytes) => {
    if (swapped || bodyBytes === 0) return;
    // Body bytes arrived, so the file is open, and the server waits while this reader does not
    // read. Swap the directory for the outside, and put another file at the old name too.
    swapped = true;
    await swapForSymlink(join(root, 'dir'), outside);
    await writeFile(join(root, 'dir-moved/big.bin.new'), Buffer.alloc(size, 'n'));
    await rename(join(root, 'dir-moved/big.bin.new'), join(root, 'dir-moved/big.bin'));
  });
  assert.match(result.head, /^HTTP\/1\.1 200 /);
  assert.ok(swapped);
  assert.equal(result.bytes, size);
  assert.equal(result.sha256, createHash('sha256').update(Buffer.alloc(size, 'i')).digest('hex'));
});

test('fs errors: EACCES answers 403 and EMFILE 500 (a fault of the server, warned about once, not per request)', async () => {
  const warnings = warningsDuringTest(leaks);
  const { root } = await swapLayout(leaks);
  const failing = (code: string) =>
    racingFs(async (name, path) => {
      if (name === 'open' && /\/dir\/(big\.bin|small\.txt)$|\/dir$/.test(path)) {
        throw Object.assign(new Error(`${code}: simulated, open '${path}'`), { code });
      }
    }, true);
  const denied = await serveOn(failing('EACCES'), root, { ...NO_CACHE, index: false });
  for (const target of ['/dir/big.bin', '/dir/small.txt', '/dir/']) {
    const res = await get(denied, target);
    assert.equal(res.status, 403, target);
    assert.ok(!res.raw.includes(root), `${target}: no path in the answer`);
  }
  await settle();
  assert.deepEqual(describeWarnings(warnings), [], 'EACCES is not a fault of the server');
  const exhausted = await serveOn(failing('EMFILE'), root, NO_CACHE);
  for (let i = 0; i < 5; i++) assert.equal((await get(exhausted, '/dir/big.bin')).status, 500);
  await settle();
  assert.equal(
    describeWarnings(warnings).filter((w) => w.includes('EMFILE')).length,
    1,
    describeWarnings(warnings).join('\n'),
  );
});
