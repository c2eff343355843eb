import assert from 'node:assert/strict';
import { utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseRange } from '../../../src/web/middleware/static/index.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { get, parseMultipart, serveDir, tempDir, writeFiles } from './helpers.js';

const leaks = trackLeaks();

/** 1000 bytes, each the low byte of its offset (so any slice is checkable), served small and streamed. */
const DATA = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

async function servers() {
  const root = await tempDir(leaks);
  await writeFiles(root, { 'data.bin': DATA, 'empty.txt': '' });
  const old = new Date('2024-05-01T10:00:00Z');
  await utimes(join(root, 'data.bin'), old, old);
  // smallFileBytes 0 streams from the file handle; the default serves this file from memory.
  return [await serveDir(leaks, root), await serveDir(leaks, root, { smallFileBytes: 0, chunkBytes: 1024 })];
}

test('single ranges: first-last, open-ended and suffix → 206 with Content-Range', async () => {
  for (const server of await servers()) {
    const cases: [string, number, number][] = [
      ['bytes=0-99', 0, 99],
      ['bytes=990-2000', 990, 999],
      ['bytes=500-', 500, 999],
      ['bytes=-100', 900, 999],
      ['bytes=-5000', 0, 999],
      ['BYTES = 10-19', 10, 19],
    ];
    for (const [range, start, end] of cases) {
      const res = await get(server, '/data.bin', { Range: range });
      assert.equal(res.status, 206, range);
      assert.equal(res.headers.get('content-range'), `bytes ${start}-${end}/1000`, range);
      assert.equal(res.headers.get('content-length'), String(end - start + 1));
      assert.equal(res.headers.get('accept-ranges'), 'bytes');
      assert.deepEqual(res.body, DATA.subarray(start, end + 1), range);
    }
  }
});

test('unsatisfiable ranges → 416 with Content-Range: bytes */size', async () => {
  for (const server of await servers()) {
    for (const range of ['bytes=1000-', 'bytes=5000-6000', 'bytes=-0', 'bytes=1000-1001, 2000-']) {
      const res = await get(server, '/data.bin', { Range: range });
      assert.equal(res.status, 416, range);
      assert.equal(res.headers.get('content-range'), 'bytes */1000');
      assert.equal(res.body.length, 0);
    }
  }
});

test('invalid Range syntax, other units, too many or overlapping ranges are ignored → 200', async () => {
  for (const server of await servers()) {
    const ignored = [
      'bytes=abc',
      'bytes=5-1',
      'bytes=',
      'items=0-1',
      'bytes 0-1',
      'bytes=0-1,2-3,4-5,6-7,8-9,10-11,12-13,14-15,16-17,18-19,20-21,22-23,24-25,26-27,28-29,30-31,32-33',
      'bytes=0-499,400-600',
      'bytes=0-,0-',
    ];
    for (const range of ignored) {
      const res = await get(server, '/data.bin', { Range: range });
      assert.equal(res.status, 200, range);
      assert.deepEqual(res.body, DATA, range);
    }
  }
});

test('several ranges → multipart/byteranges, parts in the order asked, each with its Content-Range', async () => {
  for (const server of await servers()) {
    const res = await get(server, '/data.bin', { Range: 'bytes=500-509, 0-9, -10' });
    assert.equal(res.status, 206);
    const type = res.headers.get('content-type') ?? '';
    assert.match(type, /^multipart\/byteranges; boundary=\w+$/);
    assert.equal(Number(res.headers.get('content-length')), res.body.length);
    const parts = parseMultipart(type, res.body);
    assert.deepEqual(
      parts.map((p) => p.headers.get('content-range')),
      ['bytes 500-509/1000', 'bytes 0-9/1000', 'bytes 990-999/1000'],
    );
    assert.deepEqual(parts[0]?.body, DATA.subarray(500, 510));
    assert.deepEqual(parts[1]?.body, DATA.subarray(0, 10));
    assert.deepEqual(parts[2]?.body, DATA.subarray(990, 1000));
    for (const part of parts) assert.equal(part.headers.get('content-type'), 'application/octet-stream');
  }
});

test('a multi-range request with one satisfiable range is a plain 206', async () => {
  const [server] = await servers();
  const res = await get(server!, '/data.bin', { Range: 'bytes=5000-, 10-19' });
  assert.equal(res.status, 206);
  assert.equal(res.headers.get('content-range'), 'bytes 10-19/1000');
  assert.deepEqual(res.body, DATA.subarray(10, 20));
});

test('If-Range: a matching ETag or date lets the Range apply; a stale one sends the whole file', async () => {
  for (const server of await servers()) {
    const full = await get(server, '/data.bin');
    const etag = full.headers.get('etag') ?? '';
    const date = full.headers.get('last-modified') ?? '';
    const withRange = (ifRange: string) => get(server, '/data.bin', { Range: 'bytes=0-9', 'If-Range': ifRange });
    assert.equal((await withRange(etag)).status, 206);
    assert.equal((await withRange(date)).status, 206);
    for (const stale of ['"old"', `W/${etag}`, 'Thu, 02 May 2024 10:00:00 GMT', 'not a date']) {
      const res = await withRange(stale);
      assert.equal(res.status, 200, stale);
      assert.deepEqual(res.body, DATA);
    }
  }
});

test('HEAD ignores Range; an empty file ignores it too', async () => {
  const [server] = await servers();
  const head = await get(server!, '/data.bin', { Range: 'bytes=0-9' }, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), '1000');
  assert.equal(head.body.length, 0);
  const empty = await get(server!, '/empty.txt', { Range: 'bytes=0-9' });
  assert.equal(empty.status, 200);
  assert.equal(empty.headers.get('content-length'), '0');
});

test('parseRange: every form and edge', () => {
  assert.deepEqual(parseRange('bytes=0-0', 1, 16), { kind: 'ranges', ranges: [{ start: 0, end: 0 }] });
  assert.deepEqual(parseRange('bytes=-1', 1, 16), { kind: 'ranges', ranges: [{ start: 0, end: 0 }] });
  assert.deepEqual(parseRange('bytes=0-99999999999999999999', 10, 16), {
    kind: 'ranges',
    ranges: [{ start: 0, end: 9 }],
  });
  assert.deepEqual(parseRange('bytes=99999999999999999999-', 10, 16), { kind: 'unsatisfiable' });
  assert.deepEqual(parseRange('bytes=0-1,,2-3', 10, 16).kind, 'ranges');
  assert.deepEqual(parseRange('bytes=0-1,2-3', 10, 1), { kind: 'ignore' });
  assert.deepEqual(parseRange('bytes=1-2', 0, 16), { kind: 'ignore' });
  assert.deepEqual(parseRange('bytes=0x1-2', 10, 16), { kind: 'ignore' });
  assert.deepEqual(parseRange('bytes=+1-2', 10, 16), { kind: 'ignore' });
});
